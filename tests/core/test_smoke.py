def test_me_answers_for_a_token(workspace, api_client):
    client = api_client(workspace.owner, workspace)
    response = client.get("/me")
    assert response.status_code == 200
    assert response.json()["role"] == "owner"
    assert response.json()["workspace"]["slug"] == "acme-corp"

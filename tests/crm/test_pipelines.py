"""Pipelines and stages through the API: created with stage ids, checked, changed, deleted, round-robin."""
import pytest

from oorg.core.tenancy import workspace_scope
from oorg.crm.models import Deal, Pipeline, Stage
from oorg.crm.services.pipelines import ensure_default_pipeline

from .deals_fixtures import make_deal

pytestmark = pytest.mark.django_db

STAGES = [{"name": "New", "probability": 10}, {"name": "Demo", "probability": 40},
          {"name": "Signed", "probability": 100, "is_won": True}, {"name": "Gone", "probability": 0, "is_lost": True}]


def test_a_pipeline_is_created_with_its_stages_and_their_ids(crm):
    response = crm["clients"]["admin"].post("/pipelines", {"name": "Partners", "stages": STAGES})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Partners"
    assert [s["name"] for s in body["stages"]] == ["New", "Demo", "Signed", "Gone"]
    assert all(isinstance(s["id"], int) for s in body["stages"])
    assert body["stages"][2]["is_won"] and body["stages"][3]["is_lost"]
    listed = crm["clients"]["member"].get("/pipelines").json()
    assert {p["name"] for p in listed["items"]} == {"Sales", "Partners"}


def test_bad_stages_are_refused_all_at_once(crm):
    response = crm["clients"]["admin"].post("/pipelines", {"name": "Sales", "stages": [
        {"name": "A", "probability": 10, "is_won": True, "is_lost": True}, {"name": "a", "probability": 20},
        {"name": " ", "probability": 5}]})
    assert response.status_code == 422, response.content
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"name", "stages.0.is_lost", "stages.1.name", "stages.2.name"} <= fields
    assert crm["clients"]["admin"].post("/pipelines", {"name": "Empty", "stages": []}).status_code == 422
    assert crm["clients"]["admin"].post("/pipelines", {"name": "Odd", "stages": [
        {"name": "X", "probability": 101}]}).status_code == 422
    with workspace_scope(crm["workspace"]):
        assert Pipeline.objects.count() == 1


def test_stages_are_kept_renamed_added_and_removed_unless_they_hold_deals(crm):
    client = crm["clients"]["admin"]
    pipeline = crm["pipeline"]
    qualified, proposal, negotiation, won, lost = crm["stages"]
    make_deal(crm, stage=1, name="Busy")
    response = client.request("PATCH", f"/pipelines/{pipeline.pk}", {"name": "Direct", "stages": [
        {"id": proposal.pk, "name": "Offer", "probability": 55}, {"id": qualified.pk, "name": "Proposal",
                                                                  "probability": 25},
        {"name": "Legal", "probability": 90}, {"id": won.pk, "name": "Won", "probability": 100, "is_won": True},
        {"id": lost.pk, "name": "Lost", "probability": 0, "is_lost": True}]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "Direct"
    assert [(s["name"], s["probability"]) for s in body["stages"]] == [
        ("Offer", 55), ("Proposal", 25), ("Legal", 90), ("Won", 100), ("Lost", 0)]
    assert body["stages"][0]["id"] == proposal.pk  # kept, renamed, moved first
    with workspace_scope(crm["workspace"]):
        assert not Stage.objects.filter(pk=negotiation.pk).exists()

    refused = client.request("PATCH", f"/pipelines/{pipeline.pk}", {"stages": [{"name": "Only", "probability": 5}]})
    assert refused.status_code == 409
    assert "Offer" in refused.json()["detail"]
    other = client.request("PATCH", f"/pipelines/{pipeline.pk}", {"stages": [{"id": 987654, "name": "X",
                                                                               "probability": 5}]})
    assert other.status_code == 422 and other.json()["field"] == "stages.0.id"


def test_a_pipeline_with_deals_is_not_deleted(crm):
    client = crm["clients"]["admin"]
    deal = make_deal(crm)
    assert client.request("DELETE", f"/pipelines/{crm['pipeline'].pk}").status_code == 409
    with workspace_scope(crm["workspace"]):
        Deal.objects.filter(pk=deal.pk).delete()
    assert client.request("DELETE", f"/pipelines/{crm['pipeline'].pk}").status_code == 204
    assert client.get(f"/pipelines/{crm['pipeline'].pk}").status_code == 404


def test_only_settings_managers_change_pipelines(crm):
    for role in ("manager", "member"):
        client = crm["clients"][role]
        assert client.post("/pipelines", {"name": "Mine", "stages": STAGES}).status_code == 403
        assert client.request("PATCH", f"/pipelines/{crm['pipeline'].pk}", {"name": "Mine"}).status_code == 403
        assert client.request("DELETE", f"/pipelines/{crm['pipeline'].pk}").status_code == 403
        assert client.get(f"/pipelines/{crm['pipeline'].pk}").status_code == 200


def test_another_workspaces_pipeline_is_not_found(crm, other_crm):
    client = crm["clients"]["owner"]
    pk = other_crm["pipeline"].pk
    assert client.get(f"/pipelines/{pk}").status_code == 404
    assert client.request("PATCH", f"/pipelines/{pk}", {"name": "Hijack"}).status_code == 404
    assert client.request("DELETE", f"/pipelines/{pk}").status_code == 404
    assert "Sales" in [p["name"] for p in client.get("/pipelines").json()["items"]]
    assert len(client.get("/pipelines").json()["items"]) == 1


def test_round_robin_alternates_between_the_assignees(crm):
    client = crm["clients"]["admin"]
    m = crm["members"]
    response = client.request("PATCH", f"/pipelines/{crm['pipeline'].pk}",
                              {"assignees": [m["member"].pk, m["member2"].pk]})
    assert response.status_code == 200 and response.json()["assignees"] == [m["member"].pk, m["member2"].pk]
    owners = [client.post("/deals", {"name": f"D{i}"}).json()["owner_id"] for i in range(4)]
    assert owners == [m["member"].pk, m["member2"].pk, m["member"].pk, m["member2"].pk]
    given = client.post("/deals", {"name": "Mine", "owner_id": m["admin"].pk}).json()
    assert given["owner_id"] == m["admin"].pk
    bad = client.request("PATCH", f"/pipelines/{crm['pipeline'].pk}", {"assignees": [987654]})
    assert bad.status_code == 422 and bad.json()["field"] == "assignees"


def test_the_default_pipeline_is_made_once(crm, other_crm):
    ws = other_crm["workspace"]
    with workspace_scope(ws):
        Deal.objects.all().delete()
        Pipeline.objects.all().delete()
        first = ensure_default_pipeline(ws)
        assert ensure_default_pipeline(ws).pk == first.pk
        assert [(s.name, s.probability, s.is_won, s.is_lost) for s in first.stages.order_by("position")] == [
            ("Qualified", 20, False, False), ("Proposal", 50, False, False), ("Negotiation", 80, False, False),
            ("Won", 100, True, False), ("Lost", 0, False, True)]


def test_a_stage_that_becomes_won_closes_its_deals_and_reopens_them_when_it_stops(crm):
    from oorg.core.tenancy import workspace_scope
    from oorg.crm.models import Deal

    owner = crm["clients"]["owner"]
    stage = crm["stages"][1]
    deal = owner.post("/deals", {"name": "Closes with its stage", "amount": "5.00", "stage_id": stage.pk}).json()
    stages = [{"id": s.pk, "name": s.name, "probability": s.probability, "is_won": s.is_won, "is_lost": s.is_lost}
              for s in crm["stages"]]
    stages[1]["is_won"] = True
    assert owner.patch(f"/pipelines/{crm['pipeline'].pk}", {"stages": stages}).status_code == 200
    with workspace_scope(crm["workspace"]):
        assert Deal.objects.get(pk=deal["id"]).closed_at is not None
    stages[1]["is_won"] = False
    assert owner.patch(f"/pipelines/{crm['pipeline'].pk}", {"stages": stages}).status_code == 200
    with workspace_scope(crm["workspace"]):
        assert Deal.objects.get(pk=deal["id"]).closed_at is None

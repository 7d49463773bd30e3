"""Leads over the API: CRUD, every problem at once, duplicates, scopes, roles and other workspaces."""
import pytest

from oorg.core.models import Event
from oorg.core.tenancy import workspace_scope
from oorg.crm.models import Lead, TimelineEntry
from oorg.notifications.models import Notification

from ..conftest import _run_pending_on_commit

pytestmark = pytest.mark.django_db


def _create(client, **body):
    return client.post("/leads", {"full_name": "Ada Lovelace", **body})


def test_create_answers_the_lead_with_a_normalised_phone_and_me_as_owner(crm):
    response = _create(crm["clients"]["member"], email="Ada@Example.com", phone="+49 30 1234 5678",
                       tags=["VIP", "fair"])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["phone"] == "+493012345678" and body["email"] == "ada@example.com"
    assert body["owner_id"] == crm["members"]["member"].pk and body["source"] == "api" and body["status"] == "new"
    assert body["tags"] == ["fair", "vip"]
    with workspace_scope(crm["workspace"]):
        assert TimelineEntry.objects.filter(lead_id=body["id"], kind="created").exists()
        assert Event.objects.filter(type="crm.lead.created", target_id=str(body["id"])).exists()


def test_bad_input_names_every_field_at_once(crm):
    response = crm["clients"]["member"].post("/leads", {"full_name": "", "email": "nope", "phone": "12",
                                                        "status": "converted", "source": "fax"})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"full_name", "email", "phone", "status", "source"} <= fields


def test_a_duplicate_answers_409_with_the_existing_id_unless_allowed(crm):
    client = crm["clients"]["member"]
    first = _create(client, email="ada@example.com").json()
    again = _create(client, email="ADA@example.com")
    assert again.status_code == 409
    assert again.json()["existing_id"] == first["id"]
    allowed = _create(client, email="ada@example.com", allow_duplicate=True)
    assert allowed.status_code == 201 and allowed.json()["id"] != first["id"]


def test_status_converted_cannot_be_set_by_hand(crm):
    client = crm["clients"]["member"]
    lead = _create(client).json()
    response = client.patch(f"/leads/{lead['id']}", {"status": "converted"})
    assert response.status_code == 422 and response.json()["field"] == "status"
    assert client.patch(f"/leads/{lead['id']}", {"status": "qualified"}).json()["status"] == "qualified"


def test_scopes_member_sees_own_manager_sees_team_and_colleague_is_404(crm):
    c = crm["clients"]
    mine = _create(c["member"], email="mine@example.com").json()
    sols = _create(c["member2"], email="sol@example.com").json()
    assert [x["id"] for x in c["member"].get("/leads").json()["items"]] == [mine["id"]]
    manager_ids = {x["id"] for x in c["manager"].get("/leads").json()["items"]}
    assert mine["id"] in manager_ids and sols["id"] not in manager_ids
    assert c["manager"].get(f"/leads/{mine['id']}").status_code == 200
    for role in ("member", "manager"):
        assert c[role].get(f"/leads/{sols['id']}").status_code == 404
        assert c[role].patch(f"/leads/{sols['id']}", {"full_name": "X"}).status_code == 404
    assert {x["id"] for x in c["admin"].get("/leads").json()["items"]} >= {mine["id"], sols["id"]}


def test_list_filters_and_query(crm):
    client = crm["clients"]["owner"]
    _create(client, full_name="Grace Hopper", email="grace@navy.test", tags=["vip"])
    _create(client, full_name="Alan Turing", email="alan@bletchley.test", status="qualified")
    assert [x["full_name"] for x in client.get("/leads?q=grace").json()["items"]] == ["Grace Hopper"]
    assert [x["full_name"] for x in client.get("/leads?status=qualified").json()["items"]] == ["Alan Turing"]
    assert [x["full_name"] for x in client.get("/leads?tag=vip").json()["items"]] == ["Grace Hopper"]
    assert client.get("/leads?status=bogus").status_code == 422
    page = client.get("/leads?limit=1&ordering=name").json()
    assert page["count"] == 2 and page["next_cursor"]


def test_other_workspace_is_404(crm, other_crm):
    lead = _create(crm["clients"]["owner"]).json()
    other = other_crm["client"]
    assert other.get(f"/leads/{lead['id']}").status_code == 404
    assert other.delete(f"/leads/{lead['id']}").status_code == 404
    assert other.get("/leads").json()["items"] == []


def test_wrong_role_is_403(crm, outsider, workspace):
    from ..conftest import ApiClient, token_for

    outsider_client = ApiClient(token_for(outsider, workspace, name="outsider-crm"))
    assert outsider_client.get("/leads").status_code == 403
    assert _create(outsider_client).status_code == 403
    lead = _create(crm["clients"]["member"]).json()
    assert crm["clients"]["member"].delete(f"/leads/{lead['id']}").status_code == 403  # delete: managers up
    assert crm["clients"]["manager"].delete(f"/leads/{lead['id']}").status_code == 204
    assert crm["clients"]["manager"].get(f"/leads/{lead['id']}").status_code == 404


def test_member_cannot_give_a_lead_away_manager_can_and_the_new_owner_is_told(crm):
    c, m = crm["clients"], crm["members"]
    lead = _create(c["member"]).json()
    refused = c["member"].patch(f"/leads/{lead['id']}", {"owner_id": m["member2"].pk})
    assert refused.status_code == 422 and refused.json()["field"] == "owner_id"
    moved = c["manager"].patch(f"/leads/{lead['id']}", {"owner_id": m["manager"].pk})
    assert moved.status_code == 200 and moved.json()["owner_id"] == m["manager"].pk
    given = c["admin"].patch(f"/leads/{lead['id']}", {"owner_id": m["member2"].pk})
    assert given.status_code == 200
    _run_pending_on_commit()
    with workspace_scope(crm["workspace"]):
        assert TimelineEntry.objects.filter(lead_id=lead["id"], kind="assignment").count() == 2
        lead_row = Lead.objects.get(pk=lead["id"])
    assert lead_row.owner_id == m["member2"].pk
    notices = Notification.objects.filter(user=crm["users"]["member2"], kind="crm.assigned")
    assert notices.count() == 1 and "Ada Lovelace" in notices.get().title


def test_custom_fields_are_validated(crm):
    client = crm["clients"]["owner"]
    with workspace_scope(crm["workspace"]):
        from oorg.crm.models import CustomField

        CustomField.objects.create(workspace=crm["workspace"], entity="lead", name="budget", label="Budget",
                                   type="number")
    bad = _create(client, custom_fields={"budget": "lots", "nope": 1})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"custom_fields.budget", "custom_fields.nope"}
    good = _create(client, custom_fields={"budget": "1200"})
    assert good.status_code == 201 and good.json()["custom_fields"] == {"budget": 1200}
    assert [x["id"] for x in client.get("/leads?cf.budget=1200").json()["items"]] == [good.json()["id"]]

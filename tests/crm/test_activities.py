"""Activities through the API: create, read, change, done/undone, delete; the record scopes and other
workspaces; bad input named by field; timeline entries and audit events."""
import datetime as dt

import pytest
from django.utils import timezone

from oorg.core.models import AuditEvent, Event
from oorg.core.tenancy import workspace_scope
from oorg.crm.models import Activity, TimelineEntry

from .activities_fixtures import make_record, other_lead

pytestmark = pytest.mark.django_db


def later(hours=2):
    return (timezone.now() + dt.timedelta(hours=hours)).isoformat()


def test_log_a_call_and_read_it_back(crm):
    lead = make_record(crm, "lead", "member")
    api = crm["clients"]["member"]
    response = api.post("/activities", {"kind": "call", "subject": "  First  call ", "lead_id": lead.pk,
                                        "due_at": later(), "remind_at": later(1)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["subject"] == "First call" and body["kind"] == "call" and body["lead_id"] == lead.pk
    assert body["owner_id"] == crm["members"]["member"].pk and body["done"] is False
    assert api.get(f"/activities/{body['id']}").json()["subject"] == "First call"
    with workspace_scope(crm["workspace"]):
        entry = TimelineEntry.objects.get(lead=lead)
        assert entry.kind == "activity" and entry.activity_id == body["id"] and "First call" in entry.summary
        event = Event.objects.get(type="crm.activity.created")
        assert event.data["record_owner_id"] == crm["members"]["member"].pk and event.data["subject"] == "First call"


def test_change_done_undone_and_delete(crm):
    deal = make_record(crm, "deal", "member")
    api = crm["clients"]["member"]
    activity = api.post("/activities", {"kind": "task", "subject": "Send offer", "deal_id": deal.pk}).json()
    changed = api.patch(f"/activities/{activity['id']}", {"subject": "Send the offer", "kind": "meeting"})
    assert changed.status_code == 200 and changed.json()["subject"] == "Send the offer"
    done = api.post(f"/activities/{activity['id']}/done")
    assert done.status_code == 200 and done.json()["done"] is True and done.json()["done_at"]
    assert api.get("/activities?done=true").json()["count"] == 1
    assert api.get("/activities?done=false").json()["count"] == 0
    undone = api.post(f"/activities/{activity['id']}/undone")
    assert undone.json()["done"] is False and undone.json()["done_at"] is None
    assert api.delete(f"/activities/{activity['id']}").status_code == 204
    assert api.get(f"/activities/{activity['id']}").status_code == 404
    with workspace_scope(crm["workspace"]):
        actions = list(AuditEvent.objects.filter(action__startswith="crm.activity.").order_by("seq")
                       .values_list("action", flat=True))
        kinds = list(TimelineEntry.objects.filter(deal=deal).values_list("data__state", flat=True))
    assert actions == ["crm.activity.created", "crm.activity.updated", "crm.activity.completed",
                       "crm.activity.reopened", "crm.activity.deleted"]
    assert kinds == []  # the entries went with the activity


def test_filters(crm):
    lead = make_record(crm, "lead", "member")
    contact = make_record(crm, "contact", "member")
    api = crm["clients"]["member"]
    api.post("/activities", {"kind": "call", "subject": "A", "lead_id": lead.pk, "due_at": later(1)})
    api.post("/activities", {"kind": "task", "subject": "B", "contact_id": contact.pk, "due_at": later(48)})
    assert [a["subject"] for a in api.get("/activities?kind=call").json()["items"]] == ["A"]
    assert [a["subject"] for a in api.get(f"/activities?contact_id={contact.pk}").json()["items"]] == ["B"]
    until = (timezone.now() + dt.timedelta(hours=5)).isoformat().replace("+", "%2B")
    assert [a["subject"] for a in api.get(f"/activities?due_to={until}").json()["items"]] == ["A"]
    assert api.get("/activities?kind=lunch").status_code == 422


def test_bad_input_names_every_field(crm):
    api = crm["clients"]["member"]
    response = api.post("/activities", {"kind": "call", "subject": " ", "remind_at": "2001-01-01T00:00:00+00:00"})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"lead_id", "subject", "remind_at"} <= fields
    lead = make_record(crm, "lead", "member")
    both = api.post("/activities", {"kind": "call", "subject": "x", "lead_id": lead.pk, "contact_id": 1})
    assert both.status_code == 422 and both.json()["field"] == "contact_id"
    unknown = api.post("/activities", {"kind": "call", "subject": "x", "lead_id": lead.pk, "colour": "red"})
    assert unknown.status_code == 422


def test_a_record_outside_scope_reads_like_a_missing_one(crm):
    theirs = make_record(crm, "lead", "member2")
    api = crm["clients"]["member"]
    hidden = api.post("/activities", {"kind": "call", "subject": "x", "lead_id": theirs.pk})
    missing = api.post("/activities", {"kind": "call", "subject": "x", "lead_id": theirs.pk + 1000})
    assert hidden.status_code == missing.status_code == 422
    assert hidden.json()["detail"] == missing.json()["detail"] == "No such lead."
    assert hidden.json()["field"] == "lead_id"


def test_scopes_member_manager_admin(crm):
    remys = make_record(crm, "lead", "member")
    sols = make_record(crm, "lead", "member2", full_name="Sol's lead")
    mine = crm["clients"]["member"].post("/activities", {"kind": "call", "subject": "Remy's",
                                                          "lead_id": remys.pk}).json()
    theirs = crm["clients"]["member2"].post("/activities", {"kind": "call", "subject": "Sol's",
                                                             "lead_id": sols.pk}).json()
    member, member2 = crm["clients"]["member"], crm["clients"]["member2"]
    assert [a["subject"] for a in member.get("/activities").json()["items"]] == ["Remy's"]
    assert member.get(f"/activities/{theirs['id']}").status_code == 404
    assert member.patch(f"/activities/{theirs['id']}", {"subject": "mine now"}).status_code == 404
    assert member.post(f"/activities/{theirs['id']}/done").status_code == 404
    assert member.delete(f"/activities/{theirs['id']}").status_code == 404
    assert member2.get(f"/activities/{mine['id']}").status_code == 404
    # The manager sees Remy's (he reports to her), not Sol's; the admin sees both.
    manager = crm["clients"]["manager"]
    assert {a["subject"] for a in manager.get("/activities").json()["items"]} == {"Remy's"}
    assert manager.get(f"/activities/{mine['id']}").status_code == 200
    assert manager.get(f"/activities/{theirs['id']}").status_code == 404
    assert {a["subject"] for a in crm["clients"]["admin"].get("/activities").json()["items"]} == {"Remy's", "Sol's"}


def test_the_list_is_one_query(crm, django_assert_max_num_queries):
    lead = make_record(crm, "lead", "member")
    for i in range(5):
        crm["clients"]["member"].post("/activities", {"kind": "call", "subject": f"c{i}", "lead_id": lead.pk})
    from oorg.crm.services.activities import activity_list
    with workspace_scope(crm["workspace"]), django_assert_max_num_queries(2):
        rows = list(activity_list(crm["actors"]["manager"]))  # team scope: one query, subqueries inside
    assert len(rows) == 5


def test_other_workspace_answers_404(crm, other_crm):
    theirs = other_lead(other_crm)
    activity = other_crm["client"].post("/activities", {"kind": "call", "subject": "far",
                                                         "lead_id": theirs.pk}).json()
    owner = crm["clients"]["owner"]
    assert owner.get(f"/activities/{activity['id']}").status_code == 404
    assert owner.post(f"/activities/{activity['id']}/done").status_code == 404
    assert owner.delete(f"/activities/{activity['id']}").status_code == 404
    assert owner.post("/activities", {"kind": "call", "subject": "x", "lead_id": theirs.pk}).status_code == 422
    assert owner.get("/activities").json()["count"] == 0


def test_giving_an_activity_to_someone_else_needs_assign(crm):
    lead = make_record(crm, "lead", "member")
    other = crm["members"]["member2"].pk
    refused = crm["clients"]["member"].post("/activities", {"kind": "task", "subject": "x", "lead_id": lead.pk,
                                                            "owner_id": other})
    assert refused.status_code == 422 and refused.json()["field"] == "owner_id"
    given = crm["clients"]["manager"].post("/activities", {"kind": "task", "subject": "x", "lead_id": lead.pk,
                                                           "owner_id": crm["members"]["member"].pk})
    assert given.status_code == 201 and given.json()["owner_id"] == crm["members"]["member"].pk


def test_deleting_someone_elses_activity_needs_delete(crm):
    lead = make_record(crm, "lead", "member")
    activity = crm["clients"]["manager"].post("/activities", {"kind": "task", "subject": "x",
                                                              "lead_id": lead.pk}).json()
    assert crm["clients"]["member"].delete(f"/activities/{activity['id']}").status_code == 403
    assert crm["clients"]["manager"].delete(f"/activities/{activity['id']}").status_code == 204


def test_changing_remind_at_resets_the_reminder(crm):
    lead = make_record(crm, "lead", "member")
    api = crm["clients"]["member"]
    activity = api.post("/activities", {"kind": "call", "subject": "x", "lead_id": lead.pk,
                                        "remind_at": later(1)}).json()
    with workspace_scope(crm["workspace"]):
        Activity.objects.filter(pk=activity["id"]).update(reminded_at=timezone.now())
    api.patch(f"/activities/{activity['id']}", {"remind_at": later(3)})
    with workspace_scope(crm["workspace"]):
        assert Activity.objects.get(pk=activity["id"]).reminded_at is None


def test_a_time_beyond_the_calendar_is_a_422(crm):
    lead = make_record(crm, "lead", "member")
    api = crm["clients"]["member"]
    response = api.post("/activities", {"kind": "call", "subject": "x", "lead_id": lead.pk,
                                        "due_at": "9999-12-31T23:59:59-14:00"})
    assert response.status_code == 422 and response.json()["field"] == "due_at"
    assert api.get("/activities?due_from=9999-12-31T23:59:59-14:00").status_code == 422

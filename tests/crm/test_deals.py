"""Deals through the API: CRUD with decimal-string amounts, all problems at once, stage changes recorded with
who and when, reassignment told to the new owner, scopes, roles and other workspaces."""
import pytest

from oorg.core import events
from oorg.core.models import AuditEvent, Event
from oorg.core.tenancy import workspace_scope
from oorg.crm.models import Contact, Deal, StageChange, TimelineEntry
from oorg.notifications.models import Notification

from ..conftest import _run_pending_on_commit
from .deals_fixtures import make_deal

pytestmark = pytest.mark.django_db


def test_a_deal_is_created_read_changed_listed_and_deleted(crm):
    client = crm["clients"]["member"]
    response = client.post("/deals", {"name": "Q3 licences", "amount": "1200.50", "currency": "usd",
                                      "expected_close_date": "2027-01-15", "tags": ["Fair"]})
    assert response.status_code == 201, response.content
    deal = response.json()
    assert deal["amount"] == "1200.50" and deal["currency"] == "USD"
    assert deal["pipeline_id"] == crm["pipeline"].pk and deal["stage_id"] == crm["stages"][0].pk
    assert deal["stage"] == "Qualified" and deal["owner_id"] == crm["members"]["member"].pk
    assert deal["tags"] == ["fair"]
    assert client.get(f"/deals/{deal['id']}").json()["expected_close_date"] == "2027-01-15"

    changed = client.request("PATCH", f"/deals/{deal['id']}", {"amount": "99", "name": "Q4 licences"})
    assert changed.status_code == 200 and changed.json()["amount"] == "99.00"
    listed = client.get(f"/deals?pipeline_id={crm['pipeline'].pk}&q=licences").json()
    assert [d["name"] for d in listed["items"]] == ["Q4 licences"] and listed["count"] == 1
    assert client.get("/deals?currency=EUR").json()["count"] == 0
    assert client.get("/deals?close_from=2027-02-01").json()["count"] == 0

    assert client.request("DELETE", f"/deals/{deal['id']}").status_code == 403  # members do not delete
    assert crm["clients"]["manager"].request("DELETE", f"/deals/{deal['id']}").status_code == 204
    assert client.get(f"/deals/{deal['id']}").status_code == 404


def test_bad_amount_currency_and_stage_are_refused_together(crm, other_crm):
    client = crm["clients"]["admin"]
    with workspace_scope(crm["workspace"]):
        stranger = Contact.objects.create(workspace=crm["workspace"], full_name="Sol's", owner=crm["members"]["member2"])
    response = client.post("/deals", {"name": "", "amount": "12.345", "currency": "EURO",
                                      "stage_id": other_crm["stage"].pk, "expected_close_date": "someday"})
    assert response.status_code == 422, response.content
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"name", "amount", "currency", "stage_id", "expected_close_date"}
    member = crm["clients"]["member"]
    hidden = member.post("/deals", {"name": "X", "contact_id": stranger.pk, "amount": "abc"})
    assert hidden.status_code == 422
    assert {e["field"] for e in hidden.json()["errors"]} == {"contact_id", "amount"}
    with workspace_scope(crm["workspace"]):
        assert Deal.objects.count() == 0


def test_a_stage_change_is_recorded_with_who_and_when(crm):
    deal = make_deal(crm, "member", name="Acme rollout", amount="1000")
    client = crm["clients"]["member"]
    qualified, proposal, _neg, won, _lost = crm["stages"]
    moved = client.post(f"/deals/{deal.pk}/move", {"stage_id": proposal.pk})
    assert moved.status_code == 200 and moved.json()["stage"] == "Proposal"
    assert moved.json()["closed_at"] is None
    closed = client.request("PATCH", f"/deals/{deal.pk}", {"stage_id": won.pk}).json()
    assert closed["closed_at"] is not None
    changes = client.get(f"/deals/{deal.pk}/stage-changes").json()
    assert [(c["from_stage"], c["to_stage"]) for c in changes["items"]] == [("Proposal", "Won"),
                                                                           ("Qualified", "Proposal")]
    assert changes["items"][0]["by_user_id"] == crm["users"]["member"].pk and changes["items"][0]["at"]
    with workspace_scope(crm["workspace"]):
        summaries = list(TimelineEntry.objects.filter(deal_id=deal.pk, kind="stage_change")
                         .order_by("at", "id").values_list("summary", flat=True))
        assert summaries == ["Moved from Qualified to Proposal", "Moved from Proposal to Won"]
        event = Event.objects.filter(type="crm.deal.stage_changed").order_by("created_at").first()
        assert event.data["from_stage_name"] == "Qualified" and event.data["to_stage_name"] == "Proposal"
        assert event.data["owner_id"] == crm["members"]["member"].pk
        for found in Event.objects.filter(type__startswith="crm.deal."):
            schema = events.TYPES[found.type].payload
            assert set(schema.model_validate(found.data).model_dump(mode="json")) == set(found.data)
        assert AuditEvent.objects.filter(action="crm.deal.stage_changed").count() == 2
    reopened = client.post(f"/deals/{deal.pk}/move", {"stage_id": qualified.pk}).json()
    assert reopened["closed_at"] is None


def test_a_deal_moves_to_another_pipeline_only_with_one_of_its_stages(crm):
    deal = make_deal(crm)
    client = crm["clients"]["admin"]
    other = client.post("/pipelines", {"name": "Partners", "stages": [{"name": "Intro", "probability": 10}]}).json()
    refused = client.request("PATCH", f"/deals/{deal.pk}", {"pipeline_id": other["id"]})
    assert refused.status_code == 422 and refused.json()["field"] == "stage_id"
    wrong = client.post(f"/deals/{deal.pk}/move", {"stage_id": other["stages"][0]["id"]})
    assert wrong.status_code == 422 and wrong.json()["field"] == "stage_id"
    moved = client.request("PATCH", f"/deals/{deal.pk}", {"pipeline_id": other["id"],
                                                          "stage_id": other["stages"][0]["id"]})
    assert moved.status_code == 200 and moved.json()["stage"] == "Intro"
    with workspace_scope(crm["workspace"]):
        assert StageChange.objects.filter(deal=deal).count() == 1


def test_reassigning_tells_the_new_owner(crm):
    deal = make_deal(crm, "manager", name="Big one")
    response = crm["clients"]["manager"].request("PATCH", f"/deals/{deal.pk}",
                                                 {"owner_id": crm["members"]["member"].pk})
    assert response.status_code == 200
    _run_pending_on_commit()
    note = Notification.objects.get(user=crm["users"]["member"])
    assert note.kind == "crm.assigned" and "Big one" in note.title
    with workspace_scope(crm["workspace"]):
        assert TimelineEntry.objects.filter(deal_id=deal.pk, kind="assignment").exists()
    # a member may not give their deal away
    mine = make_deal(crm, "member")
    refused = crm["clients"]["member"].request("PATCH", f"/deals/{mine.pk}", {"owner_id": crm["members"]["member2"].pk})
    assert refused.status_code == 422 and refused.json()["field"] == "owner_id"


def test_scopes_roles_and_other_workspaces(crm, other_crm):
    colleague = make_deal(crm, "member2", name="Sol's deal")
    report = make_deal(crm, "member", name="Remy's deal")
    member, manager = crm["clients"]["member"], crm["clients"]["manager"]
    assert member.get(f"/deals/{colleague.pk}").status_code == 404
    assert member.request("PATCH", f"/deals/{colleague.pk}", {"name": "x"}).status_code == 404
    assert member.post(f"/deals/{colleague.pk}/move", {"stage_id": crm["stages"][1].pk}).status_code == 404
    assert [d["name"] for d in member.get("/deals").json()["items"]] == ["Remy's deal"]
    assert manager.get(f"/deals/{report.pk}").status_code == 200
    assert manager.get(f"/deals/{colleague.pk}").status_code == 404
    owner_client = crm["clients"]["owner"]  # the owner sees all
    assert owner_client.get(f"/deals/{colleague.pk}").status_code == 200
    with workspace_scope(other_crm["workspace"]):
        from oorg.crm.services import deals as services
        theirs = services.create_deal(other_crm["actor"], name="Globex deal")
    for path in (f"/deals/{theirs.pk}", f"/deals/{theirs.pk}/stage-changes"):
        assert crm["clients"]["owner"].get(path).status_code == 404
    assert crm["clients"]["owner"].request("DELETE", f"/deals/{theirs.pk}").status_code == 404
    assert other_crm["client"].get(f"/deals/{report.pk}").status_code == 404


def test_a_role_without_crm_gets_403(crm, outsider, workspace):
    from ..conftest import ApiClient, token_for
    client = ApiClient(token_for(outsider, workspace, name="outsider-crm"))
    assert client.get("/deals").status_code == 403
    assert client.post("/deals", {"name": "X"}).status_code == 403
    assert client.get("/deals/forecast").status_code == 403
    assert client.get("/pipelines").status_code == 403


def test_the_deals_list_costs_the_same_queries_for_3_deals_as_for_30(crm):
    """No query per row: the list reads only the columns it shows (ListSpec.only) and never a deferred one,
    in the API and on the page."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from ..web.pages import sign_in

    owner = crm["clients"]["owner"]
    page = sign_in(Client(), crm["users"]["owner"].email)
    contact = owner.post("/contacts", {"full_name": "Listed contact"}).json()["id"]
    counts = []
    for n, start in ((3, 0), (27, 3)):
        for i in range(start, start + n):
            owner.post("/deals", {"name": f"Deal {i}", "amount": "1.00", "contact_id": contact})
        with CaptureQueriesContext(connection) as api:
            assert len(owner.get("/deals?limit=50").json()["items"]) == start + n
        with CaptureQueriesContext(connection) as html:
            assert page.get(f"/w/{crm['workspace'].slug}/crm/deals/").status_code == 200
        counts.append((len(api), len(html)))
    assert counts[0] == counts[1], counts


def test_deals_ordered_by_amount_page_on_by_cursor(crm):
    """A cursor carries an amount (a decimal) exactly: every deal once, largest first, across pages."""
    owner = crm["clients"]["owner"]
    for i, amount in enumerate(["10.50", "99.99", "10.50", "1000.00", "0.01"]):
        owner.post("/deals", {"name": f"Priced {i}", "amount": amount})
    seen, cursor = [], None
    while True:
        page = owner.get(f"/deals?limit=2&ordering=-amount{'&cursor=' + cursor if cursor else ''}")
        assert page.status_code == 200, page.content
        seen += [d["amount"] for d in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    assert seen == ["1000.00", "99.99", "10.50", "10.50", "0.01"]

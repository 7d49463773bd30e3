"""Bulk change and bulk delete of a filtered set, in the API and the pages: scope respected, stale
confirmations refused, caps enforced."""
import pytest
from django.test import Client

from oorg.core.models import AuditEvent, Event
from oorg.core.tenancy import workspace_scope
from oorg.crm.models import Company, Contact, Deal, Lead, TimelineEntry
from oorg.crm.services import bulk

from ..web.pages import sign_in

pytestmark = pytest.mark.django_db


def _contacts(client, n, prefix, **extra):
    return [client.post("/contacts", {"full_name": f"{prefix} {i}", "allow_duplicate": True, **extra}).json()["id"]
            for i in range(n)]


def test_bulk_update_tags_and_owner_within_scope(crm):
    manager, member, member2 = (crm["clients"][r] for r in ("manager", "member", "member2"))
    mine = _contacts(member, 3, "Remy", tags=["old"])
    sols = _contacts(member2, 2, "Sol", tags=["old"])
    done = member.post("/contacts/bulk-update", {"filter": {"tag": "old"}, "set": {"add_tags": ["new"],
                                                                                   "remove_tags": ["old"]}})
    assert done.status_code == 200, done.content
    assert done.json() == {"matched": 3, "updated": 3}
    with workspace_scope(crm["workspace"]):
        assert all(c.tags == ["new"] for c in Contact.objects.filter(pk__in=mine))
        assert all(c.tags == ["old"] for c in Contact.objects.filter(pk__in=sols))  # Sol's untouched
        assert AuditEvent.objects.filter(action="crm.records.bulk_updated").count() == 1
        assert Event.objects.filter(type="crm.contact.updated", target_id__in=[str(i) for i in mine]).count() >= 3
    # a member may not give records away in bulk
    refused = member.post("/contacts/bulk-update", {"ids": mine, "set": {"owner_id": crm["members"]["member2"].pk}})
    assert refused.status_code == 422 and refused.json()["field"] == "set.owner_id"
    # the manager reassigns the team's records to Sol; Sol's own records were never in the manager's scope
    moved = manager.post("/contacts/bulk-update", {"filter": {"q": "Remy"},
                                                   "set": {"owner_id": crm["members"]["member2"].pk}})
    assert moved.json()["updated"] == 3
    with workspace_scope(crm["workspace"]):
        assert TimelineEntry.objects.filter(kind="assignment", contact_id__in=mine).count() == 3
    # ids of a colleague's records are simply not matched
    assert member.post("/contacts/bulk-update", {"ids": sols, "set": {"add_tags": ["x"]}}).json()["matched"] == 0


def test_bulk_delete_needs_the_right_count(crm):
    manager = crm["clients"]["manager"]
    ids = _contacts(manager, 3, "Del")
    _contacts(crm["clients"]["member2"], 1, "Del")  # outside Mia's team
    stale = manager.post("/contacts/bulk-delete", {"filter": {"q": "Del"}, "confirm_count": 4})
    assert stale.status_code == 409 and stale.json()["field"] == "confirm_count"
    with workspace_scope(crm["workspace"]):
        assert Contact.objects.filter(pk__in=ids).count() == 3
    done = manager.post("/contacts/bulk-delete", {"filter": {"q": "Del"}, "confirm_count": 3})
    assert done.status_code == 200 and done.json() == {"deleted": 3}
    with workspace_scope(crm["workspace"]):
        assert Contact.objects.filter(full_name__startswith="Del").count() == 1
        assert AuditEvent.objects.filter(action="crm.records.bulk_deleted").count() == 1
    assert crm["clients"]["member"].post("/contacts/bulk-delete", {"ids": ids, "confirm_count": 0}).status_code == 403


def test_bulk_for_leads_companies_and_deals(crm):
    admin = crm["clients"]["admin"]
    ws = crm["workspace"]
    with workspace_scope(ws):
        owner = crm["members"]["admin"]
        new = Lead.objects.create(workspace=ws, full_name="New", owner=owner)
        converted = Lead.objects.create(workspace=ws, full_name="Done", owner=owner, status="converted")
        deal = Deal.objects.create(workspace=ws, name="D", pipeline=crm["pipeline"], stage=crm["stages"][0],
                                   owner=owner)
        Company.objects.create(workspace=ws, name="C", owner=owner, industry="Tools")
    done = admin.post("/leads/bulk-update", {"filter": {}, "set": {"status": "qualified"}})
    assert done.status_code == 200 and done.json()["updated"] == 1
    with workspace_scope(ws):
        assert Lead.objects.get(pk=new.pk).status == "qualified"
        assert Lead.objects.get(pk=converted.pk).status == "converted"
    assert admin.post("/leads/bulk-update", {"filter": {}, "set": {"status": "converted"}}).status_code == 422
    assert admin.post("/contacts/bulk-update", {"filter": {}, "set": {"status": "new"}}).status_code == 422
    assert admin.post("/leads/bulk-update", {"filter": {"status": "bogus"}, "set": {"add_tags": ["x"]}}
                      ).json()["field"] == "status"
    assert admin.post("/deals/bulk-update", {"ids": [deal.pk], "set": {"add_tags": ["hot"]}}).json()["updated"] == 1
    assert admin.post("/companies/bulk-delete", {"filter": {"industry": "tools"}, "confirm_count": 1}
                      ).json() == {"deleted": 1}
    assert admin.post("/deals/bulk-delete", {"filter": {}, "confirm_count": 1}).json() == {"deleted": 1}


def test_bulk_is_capped(crm, monkeypatch):
    monkeypatch.setattr(bulk, "MAX_ROWS", 2)
    monkeypatch.setattr(bulk, "BATCH", 1)
    admin = crm["clients"]["admin"]
    _contacts(admin, 3, "Cap")
    too_many = admin.post("/contacts/bulk-update", {"filter": {}, "set": {"add_tags": ["x"]}})
    assert too_many.status_code == 422 and "Narrow the filter" in too_many.json()["detail"]
    assert admin.post("/contacts/bulk-update", {"filter": {"q": "Cap 1"}, "set": {"add_tags": ["x"]}}
                      ).json()["updated"] == 1
    assert admin.post("/contacts/bulk-delete", {"confirm_count": 0}).json()["field"] == "filter"


def test_bulk_respects_custom_field_filters_and_other_workspaces(crm, other_crm):
    admin = crm["clients"]["admin"]
    admin.post("/custom-fields", {"entity": "contact", "name": "tier", "label": "Tier", "type": "choice",
                                  "choices": ["gold", "silver"]})
    gold = _contacts(admin, 2, "G", custom_fields={"tier": "gold"})
    _contacts(admin, 1, "S", custom_fields={"tier": "silver"})
    theirs = other_crm["client"].post("/contacts", {"full_name": "Theirs"}).json()
    done = admin.post("/contacts/bulk-update", {"filter": {"cf.tier": "gold"}, "set": {"add_tags": ["vip"]}})
    assert done.json()["matched"] == 2
    assert admin.post("/contacts/bulk-delete", {"ids": [theirs["id"]], "confirm_count": 0}).json() == {"deleted": 0}
    assert other_crm["client"].get(f"/contacts/{theirs['id']}").status_code == 200
    with workspace_scope(crm["workspace"]):
        assert set(Contact.objects.filter(tags__icontains='"vip"').values_list("pk", flat=True)) == set(gold)


def test_bulk_pages_review_then_confirm(crm):
    admin_api = crm["clients"]["admin"]
    ids = _contacts(admin_api, 3, "Page")
    slug = crm["workspace"].slug
    client = sign_in(Client(), crm["users"]["admin"].email)
    review = client.get(f"/w/{slug}/crm/bulk/review/?entity=contact&q=Page")
    text = review.content.decode()
    assert review.status_code == 200 and "3 records selected" in text and "Page 0" in text
    changed = client.post(f"/w/{slug}/crm/bulk/", {"entity": "contact", "action": "update", "filter.q": "Page",
                                                   "add_tags": "bulk"})
    assert changed.status_code == 302
    with workspace_scope(crm["workspace"]):
        assert all(c.tags == ["bulk"] for c in Contact.objects.filter(pk__in=ids))
    stale = client.post(f"/w/{slug}/crm/bulk/", {"entity": "contact", "action": "delete", "filter.q": "Page",
                                                 "confirm_count": 2})
    assert stale.status_code == 409 and "nothing was deleted" in stale.content.decode()
    gone = client.post(f"/w/{slug}/crm/bulk/", {"entity": "contact", "action": "delete", "filter.q": "Page",
                                                "confirm_count": 3})
    assert gone.status_code == 302
    with workspace_scope(crm["workspace"]):
        assert not Contact.objects.filter(pk__in=ids).exists()
    member = sign_in(Client(), crm["users"]["member"].email)
    assert member.post(f"/w/{slug}/crm/bulk/", {"entity": "contact", "action": "delete",
                                                "confirm_count": 0}).status_code == 403


@pytest.mark.parametrize("plural", ["contacts", "deals"])
def test_a_bulk_owner_change_tells_the_new_owner_once(crm, plural):
    from oorg.notifications.models import Notification

    from ..conftest import _run_pending_on_commit

    admin = crm["clients"]["admin"]
    body = {"contacts": lambda i: {"full_name": f"Bulk {i}", "allow_duplicate": True},
            "deals": lambda i: {"name": f"Bulk {i}", "amount": "10.00"}}[plural]
    ids = [admin.post(f"/{plural}", body(i)).json()["id"] for i in range(4)]
    _run_pending_on_commit()
    moved = admin.post(f"/{plural}/bulk-update", {"ids": ids, "set": {"owner_id": crm["members"]["member2"].pk}})
    assert moved.status_code == 200 and moved.json()["updated"] == 4
    _run_pending_on_commit()

    told = Notification.objects.filter(user=crm["users"]["member2"], kind="crm.assigned")
    assert [n.title for n in told] == [f"4 {plural} are now yours"]
    assert told[0].url.endswith(f"/crm/{plural}/?owner_id={crm['members']['member2'].pk}")

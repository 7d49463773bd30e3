"""Contacts and companies over the API: CRUD, every problem at once, duplicates, scopes, custom field filters."""
import pytest

from oorg.core.models import Event
from oorg.core.tenancy import workspace_scope
from oorg.crm.models import Company, Contact, ContactCompany, CustomField, TimelineEntry
from oorg.notifications.models import Notification

from ..conftest import ApiClient, _run_pending_on_commit, token_for

pytestmark = pytest.mark.django_db


def _fields(crm, entity="contact"):
    with workspace_scope(crm["workspace"]):
        CustomField.objects.create(workspace=crm["workspace"], entity=entity, name="tier", label="Tier",
                                   type="choice", choices=["gold", "silver"])
        CustomField.objects.create(workspace=crm["workspace"], entity=entity, name="seats", label="Seats",
                                   type="number")


def test_contact_crud_with_companies_and_e164_phone(crm):
    client = crm["clients"]["member"]
    company = client.post("/companies", {"name": "Globex", "domain": "https://www.Globex.example/about"})
    assert company.status_code == 201, company.content
    assert company.json()["domain"] == "globex.example" and company.json()["contact_count"] == 0
    created = client.post("/contacts", {"full_name": "Ada Lovelace", "email": "ADA@Example.com",
                                        "phone": "+49 30 1234567", "company_ids": [company.json()["id"]],
                                        "tags": ["VIP", "fair"]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["email"] == "ada@example.com" and body["phone"] == "+49301234567"
    assert body["company_ids"] == [company.json()["id"]] and body["tags"] == ["fair", "vip"]
    assert body["owner_id"] == crm["members"]["member"].pk
    cid = body["id"]
    assert client.get(f"/contacts/{cid}").json()["full_name"] == "Ada Lovelace"
    assert client.get(f"/companies/{company.json()['id']}").json()["contact_count"] == 1
    listed = client.get(f"/companies/{company.json()['id']}/contacts").json()
    assert [c["id"] for c in listed["items"]] == [cid]
    changed = client.patch(f"/contacts/{cid}", {"job_title": "Analyst", "company_ids": []})
    assert changed.status_code == 200 and changed.json()["job_title"] == "Analyst"
    assert changed.json()["company_ids"] == []
    with workspace_scope(crm["workspace"]):
        assert TimelineEntry.objects.filter(contact_id=cid, kind="created").exists()
        types = list(Event.objects.filter(target_id=str(cid)).values_list("type", flat=True))
    assert "crm.contact.created" in types and "crm.contact.updated" in types
    assert client.delete(f"/contacts/{cid}").status_code == 403  # a member may not delete
    assert crm["clients"]["manager"].delete(f"/contacts/{cid}").status_code == 204
    assert client.get(f"/contacts/{cid}").status_code == 404


def test_every_problem_at_once_including_custom_fields(crm):
    _fields(crm)
    response = crm["clients"]["member"].post("/contacts", {
        "full_name": "  ", "email": "not-an-email", "phone": "12", "company_ids": [987654],
        "custom_fields": {"tier": "platinum", "seats": "many", "nope": 1}})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"full_name", "email", "phone", "company_ids", "custom_fields.tier", "custom_fields.seats",
            "custom_fields.nope"} <= fields


def test_company_of_a_colleague_is_not_offered(crm):
    other = crm["clients"]["member2"].post("/companies", {"name": "Sol's"}).json()
    response = crm["clients"]["member"].post("/contacts", {"full_name": "X", "company_ids": [other["id"]]})
    assert response.status_code == 422 and response.json()["field"] == "company_ids"


def test_duplicates_answer_409_with_the_existing_id(crm):
    client = crm["clients"]["member"]
    first = client.post("/contacts", {"full_name": "Ada", "email": "ada@example.com"}).json()
    again = client.post("/contacts", {"full_name": "Ada L.", "email": "Ada@Example.com"})
    assert again.status_code == 409 and again.json()["existing_id"] == first["id"]
    assert client.post("/contacts", {"full_name": "Ada L.", "email": "ada@example.com",
                                     "allow_duplicate": True}).status_code == 201
    other = client.post("/contacts", {"full_name": "Bob", "phone": "+49 30 7654321"}).json()
    clash = client.patch(f"/contacts/{other['id']}", {"email": "ada@example.com"})
    assert clash.status_code == 409 and clash.json()["existing_id"] == first["id"]
    company = client.post("/companies", {"name": "Globex", "domain": "globex.example"}).json()
    dup = client.post("/companies", {"name": "Globex GmbH", "domain": "www.globex.example"})
    assert dup.status_code == 409 and dup.json()["existing_id"] == company["id"]


def test_a_colleagues_record_is_not_a_duplicate_you_can_see(crm):
    crm["clients"]["member2"].post("/contacts", {"full_name": "Ada", "email": "ada@example.com"})
    made = crm["clients"]["member"].post("/contacts", {"full_name": "Ada", "email": "ada@example.com"})
    assert made.status_code == 201


def test_custom_field_filter_and_scope_in_lists(crm):
    _fields(crm)
    client = crm["clients"]["member"]
    client.post("/contacts", {"full_name": "Gold", "custom_fields": {"tier": "gold", "seats": 5}})
    client.post("/contacts", {"full_name": "Silver", "custom_fields": {"tier": "silver"}})
    crm["clients"]["member2"].post("/contacts", {"full_name": "Other gold", "custom_fields": {"tier": "gold"}})
    names = [c["full_name"] for c in client.get("/contacts?cf.tier=gold").json()["items"]]
    assert names == ["Gold"]
    assert client.get("/contacts?cf.seats=5").json()["count"] == 1
    assert client.get("/contacts?cf.unknown=1").status_code == 422
    everyone = [c["full_name"] for c in crm["clients"]["admin"].get("/contacts?cf.tier=gold").json()["items"]]
    assert sorted(everyone) == ["Gold", "Other gold"]
    team = [c["full_name"] for c in crm["clients"]["manager"].get("/contacts").json()["items"]]
    assert sorted(team) == ["Gold", "Silver"]  # Remy reports to Mia; Sol does not


def test_owner_change_notifies_and_leaves_a_timeline_entry(crm):
    contact = crm["clients"]["manager"].post("/contacts", {"full_name": "Handover"}).json()
    remy = crm["members"]["member"].pk
    assert crm["clients"]["member"].patch(f"/contacts/{contact['id']}", {"owner_id": remy}).status_code == 404
    changed = crm["clients"]["manager"].patch(f"/contacts/{contact['id']}", {"owner_id": remy})
    assert changed.status_code == 200 and changed.json()["owner_id"] == remy
    with workspace_scope(crm["workspace"]):
        assert TimelineEntry.objects.filter(contact_id=contact["id"], kind="assignment").exists()
    _run_pending_on_commit()
    assert Notification.objects.filter(user=crm["users"]["member"], kind="crm.assigned").exists()
    # a member may not give their records away
    mine = crm["clients"]["member"].post("/contacts", {"full_name": "Mine"}).json()
    refused = crm["clients"]["member"].patch(f"/contacts/{mine['id']}", {"owner_id": crm["members"]["member2"].pk})
    assert refused.status_code == 422 and refused.json()["field"] == "owner_id"


def test_wrong_role_and_other_workspace(crm, other_crm, outsider):
    outsider_client = ApiClient(token_for(outsider, crm["workspace"], name="outsider-crm"))
    assert outsider_client.get("/contacts").status_code == 403
    assert outsider_client.post("/companies", {"name": "X"}).status_code == 403
    theirs = other_crm["client"].post("/contacts", {"full_name": "Theirs"}).json()
    their_company = other_crm["client"].post("/companies", {"name": "Theirs Inc"}).json()
    owner = crm["clients"]["owner"]
    assert owner.get(f"/contacts/{theirs['id']}").status_code == 404
    assert owner.patch(f"/contacts/{theirs['id']}", {"full_name": "Hijack"}).status_code == 404
    assert owner.delete(f"/companies/{their_company['id']}").status_code == 404
    assert owner.get(f"/companies/{their_company['id']}/contacts").status_code == 404
    assert owner.post("/contacts", {"full_name": "X", "company_ids": [their_company["id"]]}).status_code == 422
    assert owner.get("/contacts").json()["count"] == 0


def test_company_update_delete_and_size_choices(crm):
    client = crm["clients"]["manager"]
    company = client.post("/companies", {"name": "Acme", "size": "11-50", "industry": "Tools"}).json()
    bad = client.patch(f"/companies/{company['id']}", {"size": "huge", "domain": "not a domain", "name": ""})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"size", "domain", "name"}
    contact = client.post("/contacts", {"full_name": "Emp", "company_ids": [company["id"]]}).json()
    assert client.delete(f"/companies/{company['id']}").status_code == 204
    with workspace_scope(crm["workspace"]):
        assert not ContactCompany.objects.filter(contact_id=contact["id"]).exists()
        assert not Company.objects.filter(pk=company["id"]).exists()
        assert Contact.objects.filter(pk=contact["id"]).exists()


def test_events_carry_the_answer_and_follow_the_scope(crm):
    from oorg.core import events

    made = crm["clients"]["member2"].post("/contacts", {"full_name": "Sol's", "email": "s@example.com"}).json()
    with workspace_scope(crm["workspace"]):
        event = Event.objects.get(type="crm.contact.created", target_id=str(made["id"]))
    assert event.data["owner_id"] == crm["members"]["member2"].pk and event.data["email"] == "s@example.com"
    visible_to = events.TYPES["crm.contact.created"].visible_to
    with workspace_scope(crm["workspace"]):
        assert not visible_to(crm["actors"]["member"], event.data)  # Remy's webhook never carries Sol's contact
        assert not visible_to(crm["actors"]["manager"], event.data)
        assert visible_to(crm["actors"]["admin"], event.data)
        assert visible_to(crm["actors"]["member2"], event.data)
    for name in ("crm.company.created", "crm.company.merged", "crm.contact.merged", "crm.lead.merged"):
        assert events.TYPES[name].visible_to is not None


def test_company_contacts_list_is_scoped(crm):
    admin = crm["clients"]["admin"]
    company = admin.post("/companies", {"name": "Shared", "owner_id": crm["members"]["member"].pk}).json()
    admin.post("/contacts", {"full_name": "Remy's", "company_ids": [company["id"]],
                             "owner_id": crm["members"]["member"].pk})
    admin.post("/contacts", {"full_name": "Sol's", "company_ids": [company["id"]],
                             "owner_id": crm["members"]["member2"].pk})
    seen = crm["clients"]["member"].get(f"/companies/{company['id']}/contacts").json()
    assert [c["full_name"] for c in seen["items"]] == ["Remy's"] and seen["count"] == 1
    assert admin.get(f"/companies/{company['id']}/contacts").json()["count"] == 2
    assert crm["clients"]["member2"].get(f"/companies/{company['id']}/contacts").status_code == 404

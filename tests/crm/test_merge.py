"""Duplicates lists (SQL GROUP BY over what the reader sees) and merging contacts, companies and leads."""
import pytest
from django.test import Client

from oorg.core.models import AuditEvent
from oorg.core.tenancy import workspace_scope
from oorg.crm.models import Contact, ContactCompany, Deal, Lead, Note, TimelineEntry

from ..web.pages import sign_in

pytestmark = pytest.mark.django_db


def _contact(client, **fields):
    response = client.post("/contacts", {"allow_duplicate": True, **fields})
    assert response.status_code == 201, response.content
    return response.json()


def test_duplicates_list_groups_visible_records_by_key(crm):
    member, member2 = crm["clients"]["member"], crm["clients"]["member2"]
    a = _contact(member, full_name="Ada", email="ada@example.com")
    b = _contact(member, full_name="Ada L.", email="ada@example.com", phone="+49 30 1234567")
    _contact(member, full_name="Ada Phone", phone="+49 30 1234567")
    _contact(member2, full_name="Sol's Ada", email="ada@example.com")
    groups = member.get("/contacts/duplicates").json()
    assert groups["count"] == 2
    by_key = {g["key"]: g for g in groups["items"]}
    assert by_key["email"]["value"] == "ada@example.com"
    assert [r["id"] for r in by_key["email"]["records"]] == [a["id"], b["id"]]  # never Sol's
    assert by_key["phone"]["count"] == 2
    everyone = crm["clients"]["admin"].get("/contacts/duplicates").json()
    assert {g["key"]: g["count"] for g in everyone["items"]} == {"email": 3, "phone": 2}
    assert member.get("/contacts/duplicates?limit=1&offset=1").json()["items"][0]["key"] == "phone"
    admin = crm["clients"]["admin"]
    admin.post("/companies", {"name": "G1", "domain": "globex.example"})
    admin.post("/companies", {"name": "G2", "domain": "globex.example", "allow_duplicate": True})
    assert admin.get("/companies/duplicates").json()["items"][0]["value"] == "globex.example"
    with workspace_scope(crm["workspace"]):
        for name in ("L1", "L2"):
            Lead.objects.create(workspace=crm["workspace"], full_name=name, email="lead@example.com",
                                owner=crm["members"]["admin"])
    assert admin.get("/leads/duplicates").json()["items"][0]["count"] == 2


def test_merge_contacts_moves_everything_and_the_source_404s(crm):
    manager = crm["clients"]["manager"]
    ws = crm["workspace"]
    c1 = manager.post("/companies", {"name": "One"}).json()
    c2 = manager.post("/companies", {"name": "Two"}).json()
    target = _contact(manager, full_name="Ada", email="ada@example.com", tags=["a"], company_ids=[c1["id"]],
                      custom_fields={})
    source = _contact(manager, full_name="Ada Lovelace", email="ada@example.com", phone="+49 30 1234567",
                      job_title="Analyst", tags=["b"], company_ids=[c1["id"], c2["id"]])
    with workspace_scope(ws):
        deal = Deal.objects.create(workspace=ws, name="Deal", pipeline=crm["pipeline"], stage=crm["stages"][0],
                                   contact_id=source["id"], owner=crm["members"]["manager"])
        note = Note.objects.create(workspace=ws, body="<p>hi</p>", contact_id=source["id"])
        lead = Lead.objects.create(workspace=ws, full_name="Was a lead", converted_contact_id=source["id"])
    assert crm["clients"]["member"].post("/contacts/merge", {"target_id": target["id"],
                                                             "source_id": source["id"]}).status_code == 403
    merged = manager.post("/contacts/merge", {"target_id": target["id"], "source_id": source["id"]})
    assert merged.status_code == 200, merged.content
    body = merged.json()
    assert body["phone"] == "+49301234567" and body["job_title"] == "Analyst" and body["full_name"] == "Ada"
    assert body["tags"] == ["a", "b"] and body["company_ids"] == sorted([c1["id"], c2["id"]])
    assert manager.get(f"/contacts/{source['id']}").status_code == 404
    with workspace_scope(ws):
        assert Deal.objects.get(pk=deal.pk).contact_id == target["id"]
        assert Note.objects.get(pk=note.pk).contact_id == target["id"]
        assert Lead.objects.get(pk=lead.pk).converted_contact_id == target["id"]
        assert ContactCompany.objects.filter(contact_id=target["id"]).count() == 2
        kinds = set(TimelineEntry.objects.filter(contact_id=target["id"]).values_list("kind", flat=True))
        assert {"merge", "created"} <= kinds
        audit = AuditEvent.objects.filter(action="crm.contact.merged").get()
        assert audit.data["source"]["full_name"] == "Ada Lovelace"


def test_merge_refusals(crm, other_crm):
    admin = crm["clients"]["admin"]
    a = _contact(admin, full_name="A")
    b = _contact(crm["clients"]["member2"], full_name="B")
    assert admin.post("/contacts/merge", {"target_id": a["id"], "source_id": a["id"]}).status_code == 422
    # the member sees only their own: Sol's record is 404, and a member may not merge anyway (403)
    assert crm["clients"]["member"].post("/contacts/merge", {"target_id": a["id"],
                                                             "source_id": b["id"]}).status_code == 403
    theirs = other_crm["client"].post("/contacts", {"full_name": "Theirs"}).json()
    assert admin.post("/contacts/merge", {"target_id": a["id"], "source_id": theirs["id"]}).status_code == 404
    with workspace_scope(crm["workspace"]):
        assert Contact.objects.filter(pk=a["id"]).exists()


def test_merge_companies_and_leads(crm):
    admin = crm["clients"]["admin"]
    t = admin.post("/companies", {"name": "Globex", "domain": "globex.example"}).json()
    s = admin.post("/companies", {"name": "Globex GmbH", "domain": "globex.example", "industry": "Tools",
                                  "allow_duplicate": True}).json()
    person = _contact(admin, full_name="P", company_ids=[s["id"]])
    merged = admin.post("/companies/merge", {"target_id": t["id"], "source_id": s["id"]})
    assert merged.status_code == 200 and merged.json()["industry"] == "Tools" and merged.json()["contact_count"] == 1
    assert admin.get(f"/contacts/{person['id']}").json()["company_ids"] == [t["id"]]
    with workspace_scope(crm["workspace"]):
        l1 = Lead.objects.create(workspace=crm["workspace"], full_name="L", email="l@example.com",
                                 owner=crm["members"]["admin"])
        l2 = Lead.objects.create(workspace=crm["workspace"], full_name="L2", phone="+49301234567",
                                 owner=crm["members"]["admin"], tags=["x"])
    done = admin.post("/leads/merge", {"target_id": l1.pk, "source_id": l2.pk})
    assert done.status_code == 200, done.content
    with workspace_scope(crm["workspace"]):
        kept = Lead.objects.get(pk=l1.pk)
        assert kept.phone == "+49301234567" and kept.tags == ["x"]
        assert not Lead.objects.filter(pk=l2.pk).exists()


def test_duplicates_page_and_merge_form(crm):
    admin = crm["clients"]["admin"]
    a = _contact(admin, full_name="Ada", email="ada@example.com")
    b = _contact(admin, full_name="Ada Two", email="ada@example.com")
    slug = crm["workspace"].slug
    client = sign_in(Client(), crm["users"]["admin"].email)
    page = client.get(f"/w/{slug}/crm/duplicates/?entity=contact")
    assert page.status_code == 200 and "Ada Two" in page.content.decode()
    same = client.post(f"/w/{slug}/crm/duplicates/merge", {"entity": "contact", "target_id": a["id"],
                                                          "source_id": a["id"]})
    assert same.status_code == 422 and "two different" in same.content.decode()
    done = client.post(f"/w/{slug}/crm/duplicates/merge", {"entity": "contact", "target_id": a["id"],
                                                          "source_id": b["id"]})
    assert done.status_code == 302
    assert "No likely duplicates" in client.get(done["Location"]).content.decode()
    member = sign_in(Client(), crm["users"]["member"].email)
    assert member.post(f"/w/{slug}/crm/duplicates/merge", {"entity": "contact", "target_id": a["id"],
                                                          "source_id": b["id"]}).status_code == 403

"""Converting a lead: contact, company and deal made or linked; a second conversion makes nothing."""
import pytest

from oorg.core.tenancy import workspace_scope
from oorg.crm.models import Company, Contact, ContactCompany, Deal, StageChange, TimelineEntry

pytestmark = pytest.mark.django_db


def _counts(ws):
    with workspace_scope(ws):
        return (Contact.objects.count(), Company.objects.count(), Deal.objects.count(), ContactCompany.objects.count())


def test_convert_creates_contact_company_and_deal_then_409(crm):
    client = crm["clients"]["member"]
    lead = client.post("/leads", {"full_name": "Ada Lovelace", "email": "ada@engines.test", "phone": "+4930123456",
                                  "company_name": "Analytical Engines", "tags": ["vip"]}).json()
    response = client.post(f"/leads/{lead['id']}/convert", {"create_deal": True, "amount": "1200.50"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["lead"]["status"] == "converted" and body["lead"]["converted_contact_id"] == body["contact"]["id"]
    assert body["contact"]["created"] and body["contact"]["email"] == "ada@engines.test"
    assert body["company"]["domain"] == "engines.test" and body["company"]["name"] == "Analytical Engines"
    assert body["deal"]["stage_id"] == crm["stages"][0].pk and body["deal"]["amount"] == "1200.50"
    assert body["deal"]["owner_id"] == crm["members"]["member"].pk
    with workspace_scope(crm["workspace"]):
        assert StageChange.objects.filter(deal_id=body["deal"]["id"], from_stage=None).count() == 1
        assert TimelineEntry.objects.filter(lead_id=lead["id"], kind="conversion").count() == 1
        assert TimelineEntry.objects.filter(contact_id=body["contact"]["id"], kind="conversion").count() == 1
        assert TimelineEntry.objects.filter(deal_id=body["deal"]["id"], kind="conversion").count() == 1
    before = _counts(crm["workspace"])
    again = client.post(f"/leads/{lead['id']}/convert", {"create_deal": True})
    assert again.status_code == 409 and again.json()["code"] == "already_converted"
    assert _counts(crm["workspace"]) == before


def test_convert_links_an_existing_visible_contact_and_company_by_domain(crm):
    client = crm["clients"]["owner"]
    with workspace_scope(crm["workspace"]):
        contact = Contact.objects.create(workspace=crm["workspace"], full_name="Ada L.", email="ada@engines.test",
                                         owner=crm["members"]["owner"])
        company = Company.objects.create(workspace=crm["workspace"], name="Engines Ltd", domain="engines.test",
                                         owner=crm["members"]["owner"])
    lead = client.post("/leads", {"full_name": "Ada", "email": "ada@engines.test", "company_name": "Other"}).json()
    body = client.post(f"/leads/{lead['id']}/convert", {}).json()
    assert body["contact"] == {**body["contact"], "id": contact.pk, "created": False}
    assert body["company"]["id"] == company.pk and body["deal"] is None
    with workspace_scope(crm["workspace"]):
        assert ContactCompany.objects.filter(contact=contact, company=company).exists()


def test_free_mail_is_no_company_domain_and_invisible_contacts_are_not_linked(crm):
    with workspace_scope(crm["workspace"]):
        hidden = Contact.objects.create(workspace=crm["workspace"], full_name="Sol's", email="bob@gmail.com",
                                        owner=crm["members"]["member2"])
    client = crm["clients"]["member"]
    lead = client.post("/leads", {"full_name": "Bob", "email": "bob@gmail.com", "company_name": "Bob's Bikes"}).json()
    body = client.post(f"/leads/{lead['id']}/convert", {}).json()
    assert body["contact"]["id"] != hidden.pk and body["contact"]["created"]
    assert body["company"]["domain"] == "" and body["company"]["name"] == "Bob's Bikes"


def test_stage_of_another_pipeline_is_422_and_nothing_is_made(crm, other_crm):
    client = crm["clients"]["owner"]
    lead = client.post("/leads", {"full_name": "Ada", "email": "ada@x.test"}).json()
    before = _counts(crm["workspace"])
    response = client.post(f"/leads/{lead['id']}/convert", {"create_deal": True, "stage_id": other_crm["stage"].pk,
                                                            "currency": "XXQ"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"stage_id", "currency"}
    assert _counts(crm["workspace"]) == before
    assert client.get(f"/leads/{lead['id']}").json()["status"] == "new"


def test_convert_someone_elses_lead_is_404(crm):
    lead = crm["clients"]["member2"].post("/leads", {"full_name": "Sol's lead"}).json()
    assert crm["clients"]["member"].post(f"/leads/{lead['id']}/convert", {}).status_code == 404

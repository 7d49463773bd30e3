"""Contact and company pages: record pages with companies, deals and the timeline; forms show every problem
at once and redirect after a POST; delete asks first; scopes and workspaces hold."""
import pytest
from django.test import Client

from oorg.core.tenancy import workspace_scope
from oorg.crm.models import Company, Contact, Deal

from ..web.pages import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(crm):
    return {role: sign_in(Client(), crm["users"][role].email) for role in ("admin", "manager", "member", "member2")}


def test_contact_page_form_and_delete(crm, pages):
    slug = crm["workspace"].slug
    member = pages["member"]
    company = crm["clients"]["member"].post("/companies", {"name": "Globex", "domain": "globex.example"}).json()
    refused = member.post(f"/w/{slug}/crm/contacts/new", {"full_name": "", "email": "nope", "phone": "12",
                                                          "add_company": "unknown.example"})
    assert refused.status_code == 422
    text = refused.content.decode()
    assert "Name is required" in text or "This field is required" in text
    assert "No company you see" in text
    made = member.post(f"/w/{slug}/crm/contacts/new", {"full_name": "Ada", "email": "ada@example.com",
                                                      "phone": "+49 30 1234567", "add_company": "globex.example",
                                                      "tags": "vip, fair"})
    assert made.status_code == 302
    with workspace_scope(crm["workspace"]):
        contact = Contact.objects.get(full_name="Ada")
        assert list(contact.companies.values_list("pk", flat=True)) == [company["id"]]
        Deal.objects.create(workspace=crm["workspace"], name="Big deal", pipeline=crm["pipeline"],
                            stage=crm["stages"][0], contact=contact, owner=crm["members"]["member"])
    page = member.get(made["Location"])
    text = page.content.decode()
    assert page.status_code == 200 and "Globex" in text and "Big deal" in text and "+49301234567" in text
    dup = member.post(f"/w/{slug}/crm/contacts/new", {"full_name": "Ada 2", "email": "ADA@example.com"})
    assert dup.status_code == 422 and "exists already" in dup.content.decode()
    edit = member.post(f"/w/{slug}/crm/contacts/{contact.pk}/edit", {"full_name": "Ada L", "email": "ada@example.com",
                                                                     "phone": "+49301234567",
                                                                     "company_ids": [company["id"]],
                                                                     "tags": "vip",
                                                                     "owner_id": crm["members"]["member"].pk})
    assert edit.status_code == 302
    with workspace_scope(crm["workspace"]):
        contact.refresh_from_db()
        assert contact.full_name == "Ada L" and contact.tags == ["vip"]
    assert member.get(f"/w/{slug}/crm/contacts/{contact.pk}/delete").status_code == 403  # members don't delete
    assert pages["member2"].get(f"/w/{slug}/crm/contacts/{contact.pk}/").status_code == 404
    manager = pages["manager"]
    assert manager.get(f"/w/{slug}/crm/contacts/{contact.pk}/delete").status_code == 200
    assert manager.post(f"/w/{slug}/crm/contacts/{contact.pk}/delete").status_code == 302
    with workspace_scope(crm["workspace"]):
        assert not Contact.objects.filter(pk=contact.pk).exists()


def test_company_page_form_and_delete(crm, pages):
    slug = crm["workspace"].slug
    admin = pages["admin"]
    refused = admin.post(f"/w/{slug}/crm/companies/new", {"name": "", "domain": "not a domain", "size": "huge"})
    assert refused.status_code == 422
    text = refused.content.decode()
    assert "domain name" in text and "Select a valid choice" in text
    made = admin.post(f"/w/{slug}/crm/companies/new", {"name": "Acme", "domain": "https://acme.example/x",
                                                      "size": "11-50", "address": "Street 1\nBerlin"})
    assert made.status_code == 302
    with workspace_scope(crm["workspace"]):
        company = Company.objects.get(name="Acme")
        assert company.domain == "acme.example"
    crm["clients"]["admin"].post("/contacts", {"full_name": "Worker", "company_ids": [company.pk]})
    page = admin.get(made["Location"]).content.decode()
    assert "Worker" in page and "acme.example" in page
    assert admin.get(f"/w/{slug}/crm/companies/{company.pk}/edit").status_code == 200
    assert admin.post(f"/w/{slug}/crm/companies/{company.pk}/edit", {
        "name": "Acme AG", "domain": "acme.example", "size": "11-50", "address": "Street 1\nBerlin",
        "owner_id": crm["members"]["admin"].pk}).status_code == 302
    assert pages["member"].get(f"/w/{slug}/crm/companies/{company.pk}/").status_code == 404
    assert admin.post(f"/w/{slug}/crm/companies/{company.pk}/delete").status_code == 302


def test_other_workspace_pages_404(crm, other_crm, pages):
    theirs = other_crm["client"].post("/contacts", {"full_name": "Theirs"}).json()
    their_company = other_crm["client"].post("/companies", {"name": "Theirs"}).json()
    slug = crm["workspace"].slug
    admin = pages["admin"]
    assert admin.get(f"/w/{slug}/crm/contacts/{theirs['id']}/").status_code == 404
    assert admin.post(f"/w/{slug}/crm/contacts/{theirs['id']}/edit", {"full_name": "X"}).status_code == 404
    assert admin.post(f"/w/{slug}/crm/companies/{their_company['id']}/delete").status_code == 404
    other_slug = other_crm["workspace"].slug
    assert admin.get(f"/w/{other_slug}/crm/contacts/{theirs['id']}/").status_code == 404

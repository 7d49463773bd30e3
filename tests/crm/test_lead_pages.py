"""Lead pages: the record page shows its facts and timeline; the form shows every problem at once and redirects
after a POST; convert makes its contact, company and deal from the page; delete asks first; the record scopes,
roles and workspaces hold."""
import html

import pytest
from django.test import Client

from oorg.core.tenancy import workspace_scope
from oorg.crm.models import Company, Contact, Deal, Lead
from oorg.crm.services import leads as lead_services
from oorg.crm.services import notes

from ..web.pages import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(crm):
    return {role: sign_in(Client(), crm["users"][role].email) for role in ("admin", "manager", "member", "member2")}


def _url(crm, rest=""):
    return f"/w/{crm['workspace'].slug}/crm/leads/{rest}"


def _lead(crm, role="member", **values) -> Lead:
    with workspace_scope(crm["workspace"]):
        return lead_services.create_lead(crm["actors"][role], **{"full_name": "Lena Lead", **values})


def test_lead_page_shows_its_facts_and_timeline(crm, pages):
    lead = _lead(crm, email="lena@bigco.example", phone="+49 30 1234567", company_name="BigCo", tags=["fair"])
    with workspace_scope(crm["workspace"]):
        notes.create_note(crm["actors"]["member"], body="<p>Met at the fair</p>", lead_id=lead.pk)
    page = pages["member"].get(_url(crm, f"{lead.pk}/"))
    text = html.unescape(page.content.decode())
    assert page.status_code == 200
    for shown in ("Lena Lead", "lena@bigco.example", "+49301234567", "BigCo", "New", "Manual", "fair"):
        assert shown in text, shown
    assert "Lead created" in text and "Met at the fair" in text  # the timeline, newest first
    assert text.index("Met at the fair") < text.index("Lead created")
    assert "Convert lead" in text and "Edit lead" in text
    assert "Delete lead" not in text  # a member may not delete


def test_new_lead_form_shows_every_problem_at_once_then_redirects(crm, pages):
    member, owner = pages["member"], crm["members"]["member"].pk
    assert "— nobody —" not in member.get(_url(crm, "new")).content.decode()  # a member owns what they make
    form = member.get(_url(crm, "new"))
    assert form.status_code == 200 and 'name="full_name"' in form.content.decode()

    refused = member.post(_url(crm, "new"), {"full_name": "", "email": "not-an-email", "phone": "12",
                                             "status": "new", "source": "carrier-pigeon", "tags": "ok, <bad>"})
    assert refused.status_code == 422
    text = html.unescape(refused.content.decode())
    assert "This field is required" in text or "is required" in text  # the name
    assert "carrier-pigeon is not one of the available choices" in text  # the source
    assert text.count('class="field field-invalid"') >= 4, text  # name, source, email, phone (and tags)
    with workspace_scope(crm["workspace"]):
        assert not Lead.objects.exists()

    made = member.post(_url(crm, "new"), {"full_name": "Nora New", "email": "nora@example.test",
                                          "phone": "+44 20 7946 0958", "status": "new", "source": "manual",
                                          "owner_id": crm["members"]["member"].pk, "tags": "Hot"})
    assert made.status_code == 302
    with workspace_scope(crm["workspace"]):
        lead = Lead.objects.get(full_name="Nora New")
    assert made["Location"] == _url(crm, f"{lead.pk}/")
    assert (lead.phone, lead.tags, lead.owner_id) == ("+442079460958", ["hot"], crm["members"]["member"].pk)
    assert "Lead Nora New created" in member.get(made["Location"]).content.decode()

    duplicate = member.post(_url(crm, "new"), {"full_name": "Nora Again", "email": "NORA@example.test",
                                               "owner_id": owner, "status": "new", "source": "manual"})
    assert duplicate.status_code in (409, 422)
    allowed = member.post(_url(crm, "new"), {"full_name": "Nora Again", "email": "NORA@example.test",
                                             "owner_id": owner, "status": "new", "source": "manual",
                                             "allow_duplicate": "on"})
    assert allowed.status_code == 302

    edit = member.post(_url(crm, f"{lead.pk}/edit"), {"full_name": "Nora N.", "email": "nora@example.test",
                                                      "phone": "+442079460958", "status": "contacted",
                                                      "source": "manual", "owner_id": crm["members"]["member"].pk,
                                                      "tags": "hot"})
    assert edit.status_code == 302
    lead.refresh_from_db()
    assert (lead.full_name, lead.status) == ("Nora N.", "contacted")


def test_a_colleagues_lead_is_404_for_a_member_and_seen_by_the_manager(crm, pages):
    lead = _lead(crm, role="member2", full_name="Sol's lead")
    for path in (f"{lead.pk}/", f"{lead.pk}/edit", f"{lead.pk}/convert"):
        assert pages["member"].get(_url(crm, path)).status_code == 404, path
    assert pages["member"].post(_url(crm, f"{lead.pk}/convert"), {"create_deal": "on"}).status_code == 404
    assert pages["member"].post(_url(crm, f"{lead.pk}/edit"), {"full_name": "Hijacked", "status": "new",
                                                               "source": "manual"}).status_code == 404
    mine = _lead(crm, role="member", full_name="Remy's lead")
    assert pages["manager"].get(_url(crm, f"{mine.pk}/")).status_code == 200  # Remy is in Mia's team
    assert pages["manager"].get(_url(crm, f"{lead.pk}/")).status_code == 404  # Sol is not
    assert pages["admin"].get(_url(crm, f"{lead.pk}/")).status_code == 200
    lead.refresh_from_db()
    assert lead.full_name == "Sol's lead" and lead.status == "new"


def test_other_workspace_and_wrong_role(crm, pages, other_crm, outsider, workspace):
    with workspace_scope(other_crm["workspace"]):
        theirs = lead_services.create_lead(other_crm["actor"], full_name="Their lead")
    for path in (f"{theirs.pk}/", f"{theirs.pk}/edit", f"{theirs.pk}/delete", f"{theirs.pk}/convert"):
        assert pages["admin"].get(_url(crm, path)).status_code == 404, path
    assert pages["admin"].post(_url(crm, f"{theirs.pk}/delete")).status_code == 404
    outsider_page = sign_in(Client(), outsider.email)
    assert outsider_page.get(_url(crm, "new")).status_code == 403
    mine = _lead(crm)
    assert pages["member"].get(_url(crm, f"{mine.pk}/delete")).status_code == 403
    assert pages["member"].post(_url(crm, f"{mine.pk}/delete")).status_code == 403
    with workspace_scope(crm["workspace"]):
        assert Lead.objects.filter(pk=mine.pk).exists()


def test_convert_from_the_page_makes_contact_company_and_deal(crm, pages):
    member = pages["member"]
    lead = _lead(crm, email="ceo@acme-widgets.example", company_name="Acme Widgets")
    confirm = member.get(_url(crm, f"{lead.pk}/convert"))
    assert confirm.status_code == 200 and "Convert lead" in confirm.content.decode()

    refused = member.post(_url(crm, f"{lead.pk}/convert"), {"create_deal": "on", "pipeline_id": crm["pipeline"].pk,
                                                            "stage_id": "987654", "amount": "-5"})
    assert refused.status_code == 422
    lead.refresh_from_db()
    assert lead.status == "new"

    done = member.post(_url(crm, f"{lead.pk}/convert"), {"create_deal": "on", "pipeline_id": crm["pipeline"].pk,
                                                         "stage_id": crm["stages"][1].pk, "deal_name": "Widgets 2027",
                                                         "amount": "1500.00", "currency": "EUR"})
    assert done.status_code == 302 and done["Location"] == _url(crm, f"{lead.pk}/")
    with workspace_scope(crm["workspace"]):
        lead.refresh_from_db()
        contact = Contact.objects.get()
        company = Company.objects.get()
        deal = Deal.objects.get()
    assert lead.status == "converted" and lead.converted_contact_id == contact.pk
    assert (contact.email, company.name, company.domain) == ("ceo@acme-widgets.example", "Acme Widgets",
                                                             "acme-widgets.example")
    assert (deal.name, str(deal.amount), deal.stage_id, deal.contact_id, deal.company_id) == (
        "Widgets 2027", "1500.00", crm["stages"][1].pk, contact.pk, company.pk)
    page = html.unescape(member.get(done["Location"]).content.decode())
    assert "converted into the contact Lena Lead" in page
    assert "Widgets 2027" in page and "Acme Widgets" in page

    again = member.post(_url(crm, f"{lead.pk}/convert"), {"create_deal": "on"})
    assert again.status_code in (409, 422) and "converted already" in again.content.decode()
    with workspace_scope(crm["workspace"]):
        assert (Contact.objects.count(), Company.objects.count(), Deal.objects.count()) == (1, 1, 1)


def test_delete_asks_first_then_goes_to_the_list(crm, pages):
    lead = _lead(crm)
    admin = pages["admin"]
    confirm = admin.get(_url(crm, f"{lead.pk}/delete"))
    assert confirm.status_code == 200 and "can't be undone" in html.unescape(confirm.content.decode())
    done = admin.post(_url(crm, f"{lead.pk}/delete"))
    assert done.status_code == 302 and done["Location"] == _url(crm)
    with workspace_scope(crm["workspace"]):
        assert not Lead.objects.filter(pk=lead.pk).exists()
    assert admin.get(_url(crm, f"{lead.pk}/")).status_code == 404


@pytest.mark.django_db(transaction=True)  # on PostgreSQL the threads' own connections must see the rows
def test_four_converts_at_once_make_one_contact_company_and_deal(race):
    result = race("four_converts_of_one_lead")

    assert result["errors"] == []
    assert result["answers"] == [200, 409, 409, 409]
    assert (result["contacts"], result["companies"], result["deals"]) == (1, 1, 1)
    assert result["status"] == "converted" and result["linked"] == [True, True, True]
    assert result["conversions"] == 1

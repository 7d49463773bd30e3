"""Custom fields on the lead and deal forms: offered as inputs, checked with the rest of the form (every problem
at once), saved, and shown on the record page by their labels."""
import html

import pytest
from django.test import Client

from oorg.core.tenancy import workspace_scope
from oorg.crm.models import CustomField, Deal, Lead

from ..web.pages import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def defined(crm):
    ws = crm["workspace"]
    with workspace_scope(ws):
        CustomField.objects.create(workspace=ws, entity="lead", name="budget", label="Budget", type="number",
                                   required=True)
        CustomField.objects.create(workspace=ws, entity="deal", name="region", label="Sales region", type="choice",
                                   choices=["north", "south"])
    return sign_in(Client(), crm["users"]["member"].email)


def test_a_lead_form_checks_and_saves_its_custom_fields(crm, defined):
    url = f"/w/{crm['workspace'].slug}/crm/leads/new"
    assert 'name="custom_fields.budget"' in defined.get(url).content.decode()

    refused = defined.post(url, {"full_name": "", "status": "new", "source": "manual",
                                 "custom_fields.budget": "lots"})
    text = html.unescape(refused.content.decode())
    assert refused.status_code == 422
    assert "required" in text.lower() and "'lots' is not a number" in text  # both problems, in one answer
    with workspace_scope(crm["workspace"]):
        assert not Lead.objects.exists()

    saved = defined.post(url, {"full_name": "Budget Lead", "status": "new", "source": "manual",
                               "owner_id": crm["members"]["member"].pk, "custom_fields.budget": "12000"})
    assert saved.status_code == 302
    with workspace_scope(crm["workspace"]):
        lead = Lead.objects.get(full_name="Budget Lead")
    assert lead.custom_fields == {"budget": 12000}
    page = html.unescape(defined.get(saved["Location"]).content.decode())
    assert "Budget" in page and "12000" in page


def test_a_deal_form_saves_a_choice_and_refuses_one_not_offered(crm, defined):
    url = f"/w/{crm['workspace'].slug}/crm/deals/new"
    base = {"name": "Regional deal", "amount": "100.00", "currency": "EUR", "pipeline_id": crm["pipeline"].pk,
            "stage_id": crm["stages"][0].pk}
    assert 'name="custom_fields.region"' in defined.get(url).content.decode()
    refused = defined.post(url, {**base, "custom_fields.region": "west"})
    assert refused.status_code != 302
    saved = defined.post(url, {**base, "custom_fields.region": "south"})
    assert saved.status_code == 302, saved.content.decode()[:2000]
    with workspace_scope(crm["workspace"]):
        assert Deal.objects.get(name="Regional deal").custom_fields == {"region": "south"}
    assert "Sales region" in html.unescape(defined.get(saved["Location"]).content.decode())

"""Custom field definitions over the API and their admin pages; values on contact and company forms."""
import pytest
from django.test import Client

from oorg.core.tenancy import workspace_scope
from oorg.crm.models import Contact, CustomField

from ..conftest import ApiClient, token_for
from ..web.pages import sign_in

pytestmark = pytest.mark.django_db


def test_create_list_update_delete(crm):
    admin = crm["clients"]["admin"]
    made = admin.post("/custom-fields", {"entity": "contact", "name": "tier", "label": "Tier", "type": "choice",
                                        "choices": ["gold", "silver"], "required": False})
    assert made.status_code == 201, made.content
    fid = made.json()["id"]
    assert made.json()["choices"] == ["gold", "silver"]
    # everyone with a CRM scope reads them; the member may not write them
    listed = crm["clients"]["member"].get("/custom-fields?entity=contact").json()
    assert [f["name"] for f in listed["items"]] == ["tier"]
    assert crm["clients"]["member"].get("/custom-fields?entity=deal").json()["count"] == 0
    assert crm["clients"]["member"].post("/custom-fields", {"entity": "contact", "name": "x", "label": "X",
                                                            "type": "text"}).status_code == 403
    assert crm["clients"]["manager"].patch(f"/custom-fields/{fid}", {"label": "Level"}).status_code == 403
    assert admin.patch(f"/custom-fields/{fid}", {"label": "Level"}).json()["label"] == "Level"
    refused = admin.patch(f"/custom-fields/{fid}", {"type": "text", "entity": "deal"})
    assert refused.status_code == 422 and {e["field"] for e in refused.json()["errors"]} == {"type", "entity"}
    assert admin.delete(f"/custom-fields/{fid}").status_code == 204
    assert admin.get(f"/custom-fields/{fid}").status_code == 404


def test_bad_definitions_all_at_once_and_duplicates(crm):
    admin = crm["clients"]["admin"]
    bad = admin.post("/custom-fields", {"entity": "lead", "name": "Bad Name", "label": " ", "type": "choice",
                                       "choices": []})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"name", "label", "choices"}
    assert admin.post("/custom-fields", {"entity": "lead", "name": "size", "label": "Size", "type": "text",
                                         "choices": ["a"]}).json()["field"] == "choices"
    assert admin.post("/custom-fields", {"entity": "lead", "name": "c", "label": "C", "type": "choice",
                                         "choices": ["a", "a"]}).json()["field"] == "choices"
    assert admin.post("/custom-fields", {"entity": "lead", "name": "score", "label": "Score",
                                         "type": "number"}).status_code == 201
    again = admin.post("/custom-fields", {"entity": "lead", "name": "score", "label": "Score", "type": "number"})
    assert again.status_code == 409 and again.json()["field"] == "name"
    # the same name on another kind of record is fine
    assert admin.post("/custom-fields", {"entity": "deal", "name": "score", "label": "Score",
                                         "type": "number"}).status_code == 201


def test_removing_a_choice_in_use_is_refused_with_a_count(crm):
    admin = crm["clients"]["admin"]
    fid = admin.post("/custom-fields", {"entity": "contact", "name": "tier", "label": "Tier", "type": "choice",
                                       "choices": ["gold", "silver", "bronze"]}).json()["id"]
    admin.post("/contacts", {"full_name": "A", "custom_fields": {"tier": "gold"}})
    admin.post("/contacts", {"full_name": "B", "custom_fields": {"tier": "gold"}})
    refused = admin.patch(f"/custom-fields/{fid}", {"choices": ["silver", "bronze"]})
    assert refused.status_code == 409 and "2 records" in refused.json()["detail"]
    assert admin.patch(f"/custom-fields/{fid}", {"choices": ["gold", "silver"]}).status_code == 200


def test_required_field_and_deleted_definition(crm):
    admin = crm["clients"]["admin"]
    fid = admin.post("/custom-fields", {"entity": "company", "name": "vat", "label": "VAT id", "type": "text",
                                       "required": True}).json()["id"]
    missing = admin.post("/companies", {"name": "Acme"})
    assert missing.status_code == 422 and missing.json()["field"] == "custom_fields.vat"
    made = admin.post("/companies", {"name": "Acme", "custom_fields": {"vat": "DE123"}}).json()
    admin.delete(f"/custom-fields/{fid}")
    assert admin.get(f"/companies/{made['id']}").status_code == 200


def test_other_workspace_and_wrong_role(crm, other_crm, outsider):
    theirs = other_crm["client"].post("/custom-fields", {"entity": "lead", "name": "secret", "label": "Secret",
                                                         "type": "text"}).json()
    admin = crm["clients"]["admin"]
    assert admin.get(f"/custom-fields/{theirs['id']}").status_code == 404
    assert admin.patch(f"/custom-fields/{theirs['id']}", {"label": "X"}).status_code == 404
    assert admin.delete(f"/custom-fields/{theirs['id']}").status_code == 404
    assert admin.get("/custom-fields").json()["count"] == 0
    assert ApiClient(token_for(outsider, crm["workspace"], name="outsider")).get("/custom-fields").status_code == 403


def _login(client, user):
    return sign_in(client, user.email)


def test_admin_pages_and_record_form(crm, client):
    slug = crm["workspace"].slug
    _login(client, crm["users"]["admin"])
    page = client.get(f"/w/{slug}/crm/settings/custom-fields/")
    assert page.status_code == 200 and "Add a field" in page.content.decode()
    bad = client.post(f"/w/{slug}/crm/settings/custom-fields/new", {"entity": "contact", "label": "", "name": "Bad",
                                                                   "type": "choice", "choices": ""})
    assert bad.status_code == 422
    text = bad.content.decode()
    assert "A choice field needs at least one choice" in text and "lower-case" in text
    made = client.post(f"/w/{slug}/crm/settings/custom-fields/new", {"entity": "contact", "label": "Tier",
                                                                    "name": "tier", "type": "choice",
                                                                    "choices": "gold\nsilver"})
    assert made.status_code == 302
    with workspace_scope(crm["workspace"]):
        field = CustomField.objects.get(name="tier")
    edit = client.post(f"/w/{slug}/crm/settings/custom-fields/{field.pk}/edit",
                       {"label": "Level", "choices": "gold\nsilver\nbronze"})
    assert edit.status_code == 302
    form = client.get(f"/w/{slug}/crm/contacts/new")
    assert "Level" in form.content.decode() and "bronze" in form.content.decode()
    refused = client.post(f"/w/{slug}/crm/contacts/new", {"full_name": "", "email": "nope",
                                                         "custom_fields.tier": "platinum"})
    assert refused.status_code == 422
    text = refused.content.decode()
    assert "Select a valid choice" in text and "Name" in text
    created = client.post(f"/w/{slug}/crm/contacts/new", {"full_name": "Gold Person", "custom_fields.tier": "gold"})
    assert created.status_code == 302
    with workspace_scope(crm["workspace"]):
        assert Contact.objects.get(full_name="Gold Person").custom_fields == {"tier": "gold"}
    assert client.post(f"/w/{slug}/crm/settings/custom-fields/{field.pk}/delete").status_code == 302
    client = _login(Client(), crm["users"]["manager"])
    assert client.get(f"/w/{slug}/crm/settings/custom-fields/").status_code == 403

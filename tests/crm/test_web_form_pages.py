"""Web form settings pages: an admin makes a form and sees its address and snippets; every problem at once;
the round-robin picker keeps the turn order; a new address retires the old one; delete asks first; other
roles get 403 and other workspaces 404."""
import html
import re

import pytest
from django.test import Client

from oorg.core.tenancy import workspace_scope
from oorg.crm.models import WebForm

from ..web.pages import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(crm):
    return {role: sign_in(Client(), crm["users"][role].email) for role in ("admin", "manager", "member")}


def _url(crm, rest=""):
    return f"/w/{crm['workspace'].slug}/crm/web-forms/{rest}"


def _only_form(crm) -> WebForm:
    with workspace_scope(crm["workspace"]):
        (form,) = WebForm.objects.all()
    return form


def test_admin_creates_a_form_and_sees_its_address_and_snippets(crm, pages):
    admin, members = pages["admin"], crm["members"]
    assert "No web forms yet" in admin.get(_url(crm)).content.decode()
    new = admin.get(_url(crm, "new"))
    assert new.status_code == 200 and 'name="assignees"' in new.content.decode()

    made = admin.post(_url(crm, "new"), {"name": "Contact us", "active": "on",
                                         "assignees": [members["member2"].pk, members["member"].pk],
                                         "consent_text": "I agree that you keep my data.", "consent_required": "on",
                                         "thank_you": "Thanks!", "tags": "Website, inbound"})
    assert made.status_code == 302
    form = _only_form(crm)
    assert made["Location"] == _url(crm, f"{form.pk}/")
    assert form.assignees == [members["member2"].pk, members["member"].pk]  # the order ticked is the turn
    assert form.tags == ["inbound", "website"] and form.consent_required

    page = admin.get(made["Location"])
    text = page.content.decode()
    assert page.status_code == 200 and "Web form Contact us created" in text
    assert f"/f/{form.key}" in text
    snippets = dict(re.findall(r'<textarea id="snippet-(\w+)"[^>]*readonly[^>]*>(.*?)</textarea>', text, re.S))
    assert set(snippets) == {"iframe", "html"}
    iframe, plain = html.unescape(snippets["iframe"]), html.unescape(snippets["html"])
    assert iframe.startswith("<iframe") and f"/f/{form.key}" in iframe
    assert 'action="http' in plain and f'/f/{form.key}"' in plain and 'name="consent"' in plain
    assert "select all" in text  # the copy hint
    # the picker lists the assignees first, in their turn order
    boxes = re.findall(r'name="assignees" value="(\d+)"', text)
    assert [int(b) for b in boxes[:2]] == [members["member2"].pk, members["member"].pk]
    assert "<script>" not in text.replace('<script src=', '') and " style=" not in text.split("</textarea>")[-1]

    listing = admin.get(_url(crm)).content.decode()
    assert "Contact us" in listing and "2 people in turn" in listing

    # the public form works at the address shown
    assert Client().get(f"/f/{form.key}").status_code == 200


def test_the_form_shows_every_problem_at_once_and_keeps_the_stored_form(crm, pages):
    admin = pages["admin"]
    refused = admin.post(_url(crm, "new"), {"name": "", "redirect_url": "javascript:alert(1)",
                                            "consent_required": "on", "tags": "ok, <bad>"})
    assert refused.status_code == 422
    text = html.unescape(refused.content.decode())
    assert "This field is required" in text or "is required" in text
    assert "A redirect is a web address" in text
    assert "A tag has 1 to 40" in text
    assert "A required consent needs the text" in text
    with workspace_scope(crm["workspace"]):
        assert not WebForm.objects.exists()

    admin.post(_url(crm, "new"), {"name": "Demo", "active": "on"})
    form = _only_form(crm)
    edit = admin.post(_url(crm, f"{form.pk}/"), {"name": "Demo", "active": "on", "redirect_url": "ftp://x.test",
                                                 "assignees": ["987654"]})
    assert edit.status_code == 422
    text = html.unescape(edit.content.decode())
    assert "A redirect is a web address" in text and "Select a valid choice" in text
    form.refresh_from_db()
    assert form.redirect_url == "" and form.assignees == []

    saved = admin.post(_url(crm, f"{form.pk}/"), {"name": "Demo form", "redirect_url": "https://www.example.test/ok",
                                                  "thank_you": "Merci"})  # active unticked: the form is off
    assert saved.status_code == 302
    form.refresh_from_db()
    assert (form.name, form.active, form.redirect_url) == ("Demo form", False, "https://www.example.test/ok")
    assert Client().get(f"/f/{form.key}").status_code == 404  # an inactive form has no public page


def test_rotate_asks_first_then_retires_the_old_address(crm, pages):
    admin = pages["admin"]
    admin.post(_url(crm, "new"), {"name": "Rotating", "active": "on"})
    form = _only_form(crm)
    old = form.key
    assert Client().get(f"/f/{old}").status_code == 200

    confirm = admin.get(_url(crm, f"{form.pk}/rotate"))
    assert confirm.status_code == 200 and "old address stops working" in confirm.content.decode()
    form.refresh_from_db()
    assert form.key == old  # a GET changes nothing

    done = admin.post(_url(crm, f"{form.pk}/rotate"))
    assert done.status_code == 302 and done["Location"] == _url(crm, f"{form.pk}/")
    form.refresh_from_db()
    assert form.key != old
    assert Client().get(f"/f/{old}").status_code == 404
    assert Client().post(f"/f/{old}", {"full_name": "Late", "email": "late@example.test"}).status_code == 404
    page = admin.get(done["Location"]).content.decode()
    assert f"/f/{form.key}" in page and f"/f/{old}" not in page and "new address" in page


def test_delete_asks_first_and_keeps_the_leads(crm, pages):
    admin = pages["admin"]
    admin.post(_url(crm, "new"), {"name": "Short-lived", "active": "on"})
    form = _only_form(crm)
    Client().post(f"/f/{form.key}", {"full_name": "Kept Lead", "email": "kept@example.test"})
    confirm = admin.get(_url(crm, f"{form.pk}/delete"))
    assert confirm.status_code == 200 and "1 lead it made stays" in confirm.content.decode()
    done = admin.post(_url(crm, f"{form.pk}/delete"))
    assert done.status_code == 302 and done["Location"] == _url(crm)
    from oorg.crm.models import Lead

    with workspace_scope(crm["workspace"]):
        assert not WebForm.objects.exists()
        assert Lead.objects.get(full_name="Kept Lead").web_form_id is None
    assert Client().get(f"/f/{form.key}").status_code == 404
    assert admin.get(_url(crm, f"{form.pk}/")).status_code == 404


def test_members_and_managers_get_403_and_other_workspaces_404(crm, pages, other_crm):
    from oorg.crm.services import web_forms

    with workspace_scope(crm["workspace"]):
        form = web_forms.create_web_form(crm["actors"]["admin"], name="Guarded")
    for role in ("member", "manager"):
        for path in ("", "new", f"{form.pk}/", f"{form.pk}/rotate", f"{form.pk}/delete"):
            assert pages[role].get(_url(crm, path)).status_code == 403, (role, path)
        for path in ("new", f"{form.pk}/", f"{form.pk}/rotate", f"{form.pk}/delete"):
            assert pages[role].post(_url(crm, path), {"name": "Hijacked"}).status_code == 403, (role, path)
    key = form.key
    form.refresh_from_db()
    assert (form.name, form.key) == ("Guarded", key)

    with workspace_scope(other_crm["workspace"]):
        theirs = web_forms.create_web_form(other_crm["actor"], name="Theirs")
    admin = pages["admin"]
    for path in (f"{theirs.pk}/", f"{theirs.pk}/rotate", f"{theirs.pk}/delete"):
        assert admin.get(_url(crm, path)).status_code == 404
        assert admin.post(_url(crm, path), {"name": "Hijacked"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Theirs" and "Theirs" not in admin.get(_url(crm)).content.decode()

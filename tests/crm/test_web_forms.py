"""Web-to-lead forms: settings API, the public page, spam defences, consent, round-robin, framing."""
import pytest
from django.test import Client

from oorg.core.tenancy import workspace_scope
from oorg.crm.models import Lead, Note

pytestmark = pytest.mark.django_db

VISITOR = {"full_name": "Vera Visitor", "email": "vera@example.test", "message": "Call me <script>x</script>"}


def _form(crm, **body):
    response = crm["clients"]["admin"].post("/web-forms", {"name": "Contact us", **body})
    assert response.status_code == 201, response.content
    return response.json()


def _leads(crm):
    with workspace_scope(crm["workspace"]):
        return list(Lead.objects.order_by("pk"))


def test_api_crud_rotate_and_embed(crm, other_crm):
    form = _form(crm, redirect_url="https://www.example.test/thanks", tags=["Website"])
    assert form["url"].endswith(f"/f/{form['key']}") and form["tags"] == ["website"]
    assert f'src="{form["url"]}"' in form["embed"]["iframe"] and 'name="website"' in form["embed"]["html"]
    bad = crm["clients"]["admin"].post("/web-forms", {"name": "", "redirect_url": "javascript:alert(1)",
                                                      "assignees": [987654]})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"name", "redirect_url", "assignees"}
    assert crm["clients"]["member"].get("/web-forms").status_code == 403
    assert other_crm["client"].get(f"/web-forms/{form['id']}").status_code == 404
    rotated = crm["clients"]["admin"].post(f"/web-forms/{form['id']}/rotate-key").json()
    assert rotated["key"] != form["key"]
    assert Client().get(f"/f/{form['key']}").status_code == 404
    assert Client().get(f"/f/{rotated['key']}").status_code == 200
    assert crm["clients"]["admin"].delete(f"/web-forms/{form['id']}").status_code == 204
    assert Client().get(f"/f/{rotated['key']}").status_code == 404


def test_plain_cross_site_post_makes_a_lead_with_consent(crm):
    form = _form(crm, consent_text="I agree that you store my data.", consent_required=True, tags=["web"])
    browser = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.9")
    response = browser.post(f"/f/{form['key']}", {**VISITOR, "consent": "on"}, HTTP_ORIGIN="https://other.test")
    assert response.status_code == 302 and response["Location"] == f"/f/{form['key']}/thanks"
    assert "Thank you" in browser.get(response["Location"]).content.decode()
    (lead,) = _leads(crm)
    assert (lead.source, lead.consent_given, lead.consent_text) == ("web_form", True, "I agree that you store my data.")
    assert lead.consent_ip == "203.0.113.9" and lead.consent_at is not None and lead.tags == ["web"]
    with workspace_scope(crm["workspace"]):
        note = Note.objects.get(lead=lead)
    assert "<script>" not in note.body and "Call me" in note.body


def test_validation_errors_show_every_problem_and_make_nothing(crm):
    form = _form(crm, consent_text="I agree.", consent_required=True)
    response = Client().post(f"/f/{form['key']}", {"full_name": "", "email": "nope"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Please agree" in page and "required" in page.lower() and "email" in page.lower()
    assert _leads(crm) == []


def test_honeypot_pretends_success_and_makes_nothing(crm):
    form = _form(crm)
    response = Client().post(f"/f/{form['key']}", {**VISITOR, "website": "http://spam.test"})
    assert response.status_code == 302
    assert _leads(crm) == []


def test_rate_limit_per_ip_answers_429(crm):
    form = _form(crm)
    browser = Client(REMOTE_ADDR="198.51.100.7")
    answers = [browser.post(f"/f/{form['key']}", {**VISITOR, "email": f"v{i}@example.test"}).status_code
               for i in range(6)]
    assert answers == [302] * 5 + [429]
    assert len(_leads(crm)) == 5
    assert Client(REMOTE_ADDR="198.51.100.8").post(f"/f/{form['key']}", VISITOR).status_code == 302


def test_round_robin_alternates_and_skips_inactive(crm):
    m = crm["members"]
    form = _form(crm, assignees=[m["member"].pk, m["member2"].pk])
    for i in range(3):
        Client(REMOTE_ADDR=f"192.0.2.{i}").post(f"/f/{form['key']}", {**VISITOR, "email": f"r{i}@example.test"})
    assert [lead.owner_id for lead in _leads(crm)] == [m["member"].pk, m["member2"].pk, m["member"].pk]
    with workspace_scope(crm["workspace"]):
        m["member2"].__class__.objects.filter(pk=m["member2"].pk).update(is_active=False)
    Client(REMOTE_ADDR="192.0.2.9").post(f"/f/{form['key']}", {**VISITOR, "email": "r9@example.test"})
    assert _leads(crm)[-1].owner_id == m["member"].pk


def test_the_form_page_may_be_framed_other_pages_may_not(crm):
    form = _form(crm)
    page = Client().get(f"/f/{form['key']}")
    assert page.status_code == 200 and "X-Frame-Options" not in page
    assert "frame-ancestors *" in page["Content-Security-Policy"]
    other = Client().get("/signin")
    assert other["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in other["Content-Security-Policy"]


def test_inactive_or_unknown_form_is_404(crm):
    form = _form(crm, active=False)
    assert Client().get(f"/f/{form['key']}").status_code == 404
    assert Client().post("/f/no-such-key", VISITOR).status_code == 404

"""A record's timeline: the API (newest first, pages, scope) and the part every record page includes."""
import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from oorg.core.tenancy import workspace_scope
from oorg.crm import timeline
from oorg.crm.views.timeline import timeline_context
from tests.web.pages import signed_in_client, text

from .activities_fixtures import make_record, other_lead

pytestmark = pytest.mark.django_db


def test_newest_first_in_pages(crm):
    lead = make_record(crm, "lead", "member")
    api = crm["clients"]["member"]
    for i in range(5):
        api.post("/notes", {"body": f"<p>note {i}</p>", "lead_id": lead.pk})
    api.post("/activities", {"kind": "call", "subject": "ring", "lead_id": lead.pk})
    first = api.get(f"/leads/{lead.pk}/timeline?limit=4").json()
    assert first["count"] == 6
    assert [e["kind"] for e in first["items"]] == ["activity", "note", "note", "note"]
    assert first["items"][0]["activity"]["subject"] == "ring" and first["items"][0]["note"] is None
    assert first["items"][1]["note"]["body"] == "<p>note 4</p>"
    assert first["items"][1]["actor"]["email"] == "member@acme.test"
    second = api.get(f"/leads/{lead.pk}/timeline?limit=4&cursor={first['next_cursor']}").json()
    assert [e["summary"] for e in second["items"]] == ["note 1", "note 0"] and second["next_cursor"] is None


@pytest.mark.parametrize("kind,path", [("lead", "leads"), ("contact", "contacts"), ("company", "companies"),
                                       ("deal", "deals")])
def test_every_kind_of_record_and_its_scope(crm, kind, path):
    record = make_record(crm, kind, "member2")
    crm["clients"]["member2"].post("/notes", {"body": "hello", f"{kind}_id": record.pk})
    assert crm["clients"]["member2"].get(f"/{path}/{record.pk}/timeline").json()["count"] == 1
    assert crm["clients"]["member"].get(f"/{path}/{record.pk}/timeline").status_code == 404
    assert crm["clients"]["manager"].get(f"/{path}/{record.pk}/timeline").status_code == 404
    assert crm["clients"]["admin"].get(f"/{path}/{record.pk}/timeline").status_code == 200


def test_other_workspace_404(crm, other_crm):
    theirs = other_lead(other_crm)
    assert crm["clients"]["owner"].get(f"/leads/{theirs.pk}/timeline").status_code == 404


def _render(crm, record, role="member", query=""):
    request = RequestFactory().get(f"/w/{crm['workspace'].slug}/crm/x/{query}")
    request.actor = crm["actors"][role]
    request.user = crm["users"][role]
    with workspace_scope(crm["workspace"]):
        context = {**timeline_context(request, record), "current_workspace": crm["workspace"], "request": request}
        return render_to_string("crm/_timeline.html", context, request=request)


def test_the_part_shows_entries_forms_and_an_older_link(crm):
    lead = make_record(crm, "lead", "member")
    api = crm["clients"]["member"]
    for i in range(22):
        api.post("/notes", {"body": f"<p>note <em>{i}</em></p>", "lead_id": lead.pk})
    api.post("/activities", {"kind": "task", "subject": "Call back", "lead_id": lead.pk,
                             "due_at": "2020-01-01T09:00:00+00:00"})
    html = _render(crm, lead)
    assert "<em>21</em>" in html and "<em>3</em>" in html and "<em>2</em>" not in html  # 20 a page
    assert 'name="entity" value="lead"' in html and f'name="record_id" value="{lead.pk}"' in html
    assert "Overdue" in html and "Call back" in html and "Mark done" in html
    older = re.search(r'hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")
    client = signed_in_client(crm["users"]["member"])
    part = text(client.get(older))
    assert "<em>2</em>" in part and "<em>0</em>" in part and "<em>21</em>" not in part and "Older" not in part
    # Someone who cannot see the lead gets no part.
    other = signed_in_client(crm["users"]["member2"])
    assert other.get(older).status_code == 404


def test_page_forms_add_a_note_and_an_activity_and_come_back(crm):
    lead = make_record(crm, "lead", "member")
    slug = crm["workspace"].slug
    client = signed_in_client(crm["users"]["member"])
    back = f"/w/{slug}/crm/activities/?x=1"
    response = client.post(f"/w/{slug}/crm/notes/add/", {"entity": "lead", "record_id": lead.pk,
                                                          "body": "<p>hi<script>x</script></p>", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    response = client.post(f"/w/{slug}/crm/activities/add/", {"entity": "lead", "record_id": lead.pk, "kind": "call",
                                                               "subject": "Ring", "next": "https://evil.test/"})
    assert response.status_code == 302 and "evil" not in response["Location"]
    with workspace_scope(crm["workspace"]):
        kinds = [e.kind for e in timeline.entries_of(lead)]
        note = timeline.entries_of(lead).filter(kind="note").first().note
    assert kinds == ["activity", "note"] and note.body == "<p>hi</p>"
    bad = client.post(f"/w/{slug}/crm/activities/add/", {"entity": "lead", "record_id": lead.pk, "kind": "lunch",
                                                          "subject": "", "next": back})
    assert bad.status_code == 422 and "Subject" in text(bad)
    # Another member's lead: 404, nothing written.
    sols = make_record(crm, "lead", "member2")
    assert client.post(f"/w/{slug}/crm/notes/add/", {"entity": "lead", "record_id": sols.pk,
                                                      "body": "x"}).status_code == 404


def test_done_and_undone_from_the_page(crm):
    lead = make_record(crm, "lead", "member")
    slug = crm["workspace"].slug
    activity = crm["clients"]["member"].post("/activities", {"kind": "task", "subject": "T", "lead_id": lead.pk}).json()
    client = signed_in_client(crm["users"]["member"])
    back = f"/w/{slug}/crm/activities/"
    assert client.post(f"/w/{slug}/crm/activities/{activity['id']}/done/", {"next": back})["Location"] == back
    assert crm["clients"]["member"].get(f"/activities/{activity['id']}").json()["done"] is True
    client.post(f"/w/{slug}/crm/activities/{activity['id']}/undone/", {"next": back})
    assert crm["clients"]["member"].get(f"/activities/{activity['id']}").json()["done"] is False
    other = signed_in_client(crm["users"]["member2"])
    assert other.post(f"/w/{slug}/crm/activities/{activity['id']}/done/").status_code == 404


def test_my_activities_page(crm):
    lead = make_record(crm, "lead", "member", full_name="Lena Lead")
    api = crm["clients"]["member"]
    api.post("/activities", {"kind": "task", "subject": "Late one", "lead_id": lead.pk,
                             "due_at": "2020-01-01T09:00:00+00:00"})
    done = api.post("/activities", {"kind": "call", "subject": "Finished one", "lead_id": lead.pk}).json()
    api.post(f"/activities/{done['id']}/done")
    client = signed_in_client(crm["users"]["member"])
    page = text(client.get(f"/w/{crm['workspace'].slug}/crm/activities/"))
    assert "Late one" in page and "Overdue" in page and "Finished one" not in page and "Lena Lead" in page
    page = text(client.get(f"/w/{crm['workspace'].slug}/crm/activities/?done=true"))
    assert "Finished one" in page and "Late one" not in page
    empty = text(signed_in_client(crm["users"]["member2"]).get(f"/w/{crm['workspace'].slug}/crm/activities/"))
    assert "You have no open activities" in empty

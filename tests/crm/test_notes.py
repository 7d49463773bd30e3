"""Notes: sanitised rich text on a record, visible iff the record is; the author or crm.records.delete changes them."""
import pytest

from oorg.core.models import Event
from oorg.core.tenancy import workspace_scope
from oorg.crm.models import TimelineEntry

from .activities_fixtures import make_record, other_lead

pytestmark = pytest.mark.django_db

NASTY = ('<p onclick="steal()">Hello <b>there</b><script>alert(1)</script>'
         '<img src=x onerror="alert(2)"> <a href="javascript:alert(3)">bad</a> '
         '<a href="https://example.com/x">good</a><iframe src="https://evil.test"></iframe></p>')


def test_a_note_is_sanitised(crm):
    contact = make_record(crm, "contact", "member")
    response = crm["clients"]["member"].post("/notes", {"body": NASTY, "contact_id": contact.pk})
    assert response.status_code == 201, response.content
    body = response.json()["body"]
    for bad in ("<script", "alert", "onerror", "onclick", "javascript:", "<img", "<iframe"):
        assert bad not in body
    assert "<b>there</b>" in body
    assert '<a href="https://example.com/x" rel="noopener noreferrer nofollow">good</a>' in body
    with workspace_scope(crm["workspace"]):
        entry = TimelineEntry.objects.get(contact=contact)
        assert entry.kind == "note" and entry.note_id == response.json()["id"]
        assert entry.summary == "Hello there bad good"
        assert Event.objects.get(type="crm.note.created").data["record_owner_id"] == crm["members"]["member"].pk


def test_an_empty_or_script_only_note_is_refused(crm):
    lead = make_record(crm, "lead", "member")
    api = crm["clients"]["member"]
    for body in ("", "<script>alert(1)</script>", "   "):
        response = api.post("/notes", {"body": body, "lead_id": lead.pk})
        assert response.status_code == 422 and response.json()["field"] == "body"
    none = api.post("/notes", {"body": "hi"})
    assert none.status_code == 422 and none.json()["field"] == "lead_id"


def test_list_change_and_delete(crm):
    lead = make_record(crm, "lead", "member")
    api = crm["clients"]["member"]
    first = api.post("/notes", {"body": "<p>one</p>", "lead_id": lead.pk}).json()
    api.post("/notes", {"body": "<p>two</p>", "lead_id": lead.pk})
    assert [n["body"] for n in api.get(f"/notes?lead_id={lead.pk}").json()["items"]] == ["<p>two</p>", "<p>one</p>"]
    changed = api.patch(f"/notes/{first['id']}", {"body": "<p>uno <script>x</script></p>"})
    assert changed.status_code == 200 and changed.json()["body"] == "<p>uno </p>"
    with workspace_scope(crm["workspace"]):
        assert TimelineEntry.objects.get(note_id=first["id"]).summary == "uno"
    assert api.delete(f"/notes/{first['id']}").status_code == 204
    assert api.get(f"/notes/{first['id']}").status_code == 404
    with workspace_scope(crm["workspace"]):
        assert not TimelineEntry.objects.filter(note_id=first["id"]).exists()


def test_only_the_author_or_delete_permission_changes_a_note(crm):
    lead = make_record(crm, "lead", "member")
    note = crm["clients"]["manager"].post("/notes", {"body": "manager's", "lead_id": lead.pk}).json()
    member = crm["clients"]["member"]
    assert member.get(f"/notes/{note['id']}").status_code == 200  # the member sees it: it is on their lead
    assert member.patch(f"/notes/{note['id']}", {"body": "mine"}).status_code == 403
    assert member.delete(f"/notes/{note['id']}").status_code == 403
    own = member.post("/notes", {"body": "member's", "lead_id": lead.pk}).json()
    assert crm["clients"]["manager"].patch(f"/notes/{own['id']}", {"body": "fixed"}).status_code == 200


def test_scopes_and_other_workspace(crm, other_crm):
    sols = make_record(crm, "deal", "member2")
    note = crm["clients"]["member2"].post("/notes", {"body": "secret", "deal_id": sols.pk}).json()
    member = crm["clients"]["member"]
    assert member.get(f"/notes/{note['id']}").status_code == 404
    assert member.get("/notes").json()["count"] == 0
    refused = member.post("/notes", {"body": "x", "deal_id": sols.pk})
    assert refused.status_code == 422 and refused.json()["detail"] == "No such deal."
    theirs = other_crm["client"].post("/notes", {"body": "far", "lead_id": other_lead(other_crm).pk}).json()
    assert crm["clients"]["owner"].get(f"/notes/{theirs['id']}").status_code == 404
    assert crm["clients"]["owner"].delete(f"/notes/{theirs['id']}").status_code == 404

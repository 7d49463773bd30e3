"""The leave pages as a signed-in browser without script sees them: my leave, the request form with its
count, the preview part, a request's page with its decisions, the approvals inbox, delegations."""
import datetime as dt

import pytest

from oorg.core.tenancy import workspace_scope
from oorg.leave.models import Delegation, LeaveRequest
from tests.web.pages import signed_in_client, text

from .helpers import ask, grant, holiday, leave_type, weekday_ahead

pytestmark = pytest.mark.django_db


def url(staff, path=""):
    return f"/w/{staff['workspace'].slug}/leave/{path}"


def test_request_form_counts_and_refuses_everything_at_once(staff):
    ws = staff["workspace"]
    grant(ws, staff["employees"]["member"], 10)
    client = signed_in_client(staff["users"]["member"])
    page = text(client.get(url(staff, "requests/new/")))
    assert "Request leave" in page and "Choose the type and the dates" in page
    annual = leave_type(ws, "annual")
    friday = weekday_ahead(4)
    monday = friday + dt.timedelta(days=3)
    holiday(ws, staff["berlin"], monday, "Easter Monday")
    part = text(client.get(url(staff, "requests/preview/"), {"leave_type_id": annual.pk, "start_date": friday,
                                                             "end_date": monday}))
    assert 'id="leave-working-days">1<' in part and 'id="leave-balance-after">9<' in part
    assert "holiday (Easter Monday)" in part
    refused = client.post(url(staff, "requests/new/"), {"leave_type_id": annual.pk, "start_date": str(monday),
                                                        "end_date": str(friday), "half_day": "on"})
    assert refused.status_code == 422
    body = text(refused)
    assert "The last day must be on or after the first day." in body
    sent = client.post(url(staff, "requests/new/"), {"leave_type_id": annual.pk, "start_date": str(friday),
                                                     "end_date": str(monday), "note": "Family"})
    assert sent.status_code == 302
    detail = text(client.get(sent["Location"]))
    assert "Leave requested: 1 working day(s)." in detail and "Waiting for approval" in detail
    mine = text(client.get(url(staff)))
    assert "Annual leave" in mine and "9" in mine and "waiting for approval" in mine


def test_inbox_approve_and_reject_inline(staff):
    ws = staff["workspace"]
    grant(ws, staff["employees"]["member"], 10)
    monday = weekday_ahead(0)
    first = ask(staff["clients"]["member"], ws, monday, monday).json()
    second = ask(staff["clients"]["member"], ws, monday + dt.timedelta(days=7), monday + dt.timedelta(days=7)).json()
    boss = signed_in_client(staff["users"]["manager"])
    inbox = text(boss.get(url(staff, "approvals/")))
    assert "Remy Report" in inbox and "balance 9 → 8" in inbox
    remy = signed_in_client(staff["users"]["member"])
    assert "Nothing is waiting for you." in text(remy.get(url(staff, "approvals/")))
    done = boss.post(url(staff, f"requests/{first['id']}/approve/"),
                     {"approve-comment": "", "next": url(staff, "approvals/")})
    assert done.status_code == 302 and done["Location"] == url(staff, "approvals/")
    refused = boss.post(url(staff, f"requests/{second['id']}/reject/"), {"reject-comment": ""})
    assert refused.status_code == 422 and "This field is required." in text(refused)
    boss.post(url(staff, f"requests/{second['id']}/reject/"), {"reject-comment": "Release"})
    with workspace_scope(ws):
        assert LeaveRequest.objects.get(pk=first["id"]).status == "approved"
        assert LeaveRequest.objects.get(pk=second["id"]).status == "rejected"
    # the member cannot decide: a 403 page
    member = signed_in_client(staff["users"]["member"])
    assert member.post(url(staff, f"requests/{first['id']}/approve/"), {}).status_code == 403
    # the member cancels before it starts
    assert member.post(url(staff, f"requests/{first['id']}/cancel/"), {"cancel-comment": ""}).status_code == 302
    assert "Cancelled" in text(member.get(url(staff, f"requests/{first['id']}/")))


def test_other_people_and_workspaces_are_404(staff, other_staff):
    day = weekday_ahead(2)
    hr_req = ask(staff["clients"]["hr"], staff["workspace"], day, day, code="unpaid").json()
    member = signed_in_client(staff["users"]["member"])
    assert member.get(url(staff, f"requests/{hr_req['id']}/")).status_code == 404
    assert member.post(url(staff, f"requests/{hr_req['id']}/comment/"), {"comment-comment": "hi"}).status_code == 404


def test_delegations_page(staff):
    client = signed_in_client(staff["users"]["manager"])
    page = text(client.get(url(staff, "delegations/")))
    assert "Delegate your approvals" in page
    today = dt.date.today()
    refused = client.post(url(staff, "delegations/"), {"delegate_id": "", "starts_on": str(today),
                                                       "ends_on": str(today - dt.timedelta(days=2))})
    assert refused.status_code == 422
    body = text(refused)
    assert "2 things to fix" in body
    made = client.post(url(staff, "delegations/"), {"delegate_id": staff["members"]["hr"].pk,
                                                    "starts_on": str(today), "ends_on": str(today)})
    assert made.status_code == 302
    with workspace_scope(staff["workspace"]):
        delegation = Delegation.objects.get()
    assert "Active" in text(client.get(url(staff, "delegations/")))
    assert client.post(url(staff, f"delegations/{delegation.pk}/end/")).status_code == 302
    with workspace_scope(staff["workspace"]):
        assert not Delegation.objects.exists()


def test_no_employee_record_is_told(staff):
    admin = signed_in_client(staff["users"]["admin"])
    assert "not linked to an employee record" in text(admin.get(url(staff)))
    assert "not linked to an employee record" in text(admin.get(url(staff, "requests/new/")))


def test_inbox_holds_what_waits_for_the_reader(staff):
    """Mia sees her report's request; HR sees it only once it reaches the HR step; a delegate sees it too."""
    ws = staff["workspace"]
    leave_type(ws, "annual", hr_approval=True)
    grant(ws, staff["employees"]["member"], 10)
    monday = weekday_ahead(0)
    req = ask(staff["clients"]["member"], ws, monday, monday).json()
    hana = signed_in_client(staff["users"]["hr"])
    assert "Remy Report" in text(signed_in_client(staff["users"]["manager"]).get(url(staff, "approvals/")))
    assert "Nothing is waiting for you." in text(hana.get(url(staff, "approvals/")))
    staff["clients"]["manager"].post(f"/leave/requests/{req['id']}/approve", {})
    page = text(hana.get(url(staff, "approvals/")))
    assert "Remy Report" in page and "HR step" in page
    mia = signed_in_client(staff["users"]["manager"])
    assert "Nothing is waiting for you." in text(mia.get(url(staff, "approvals/")))


def test_the_document_of_a_request_is_a_download_for_who_sees_it(staff):
    ws = staff["workspace"]
    monday = weekday_ahead(0)
    client = signed_in_client(staff["users"]["member"])
    sick = leave_type(ws, "sick")
    from django.core.files.uploadedfile import SimpleUploadedFile

    refused = client.post(url(staff, "requests/new/"), {"leave_type_id": sick.pk, "start_date": str(monday),
                                                        "end_date": str(monday + dt.timedelta(days=4))})
    assert refused.status_code == 422 and "needs a document" in text(refused)
    sent = client.post(url(staff, "requests/new/"), {
        "leave_type_id": sick.pk, "start_date": str(monday), "end_date": str(monday + dt.timedelta(days=4)),
        "attachment": SimpleUploadedFile("note.pdf", b"%PDF-1.4 sick note")})
    assert sent.status_code == 302
    rid = sent["Location"].rstrip("/").rsplit("/", 1)[1]
    assert "Download the document" in text(client.get(sent["Location"]))
    boss = signed_in_client(staff["users"]["manager"]).get(url(staff, f"requests/{rid}/attachment/"))
    assert boss.status_code == 200 and boss["Content-Type"] == "application/pdf"
    assert b"".join(boss.streaming_content if boss.streaming else [boss.content]) == b"%PDF-1.4 sick note"
    assert boss["Content-Disposition"].startswith("attachment;")
    hana_req = ask(staff["clients"]["hr"], ws, monday, monday, code="unpaid").json()
    assert client.get(url(staff, f"requests/{hana_req['id']}/attachment/")).status_code == 404

"""The approval chain: the manager, then HR when the type asks for it; never one's own; one decision wins;
cancelling gives the days back; the right people are told."""
import datetime as dt
from unittest import mock

from oorg.core.tenancy import workspace_scope
from oorg.leave.models import LeaveRequest, LedgerEntry
from oorg.notifications.models import Notification

from ..conftest import _run_pending_on_commit
from .helpers import ask, balance, grant, leave_type, weekday_ahead


def _request(staff, days=2, code="annual"):
    ws = staff["workspace"]
    grant(ws, staff["employees"]["member"], 10)
    monday = weekday_ahead(0)
    r = ask(staff["clients"]["member"], ws, monday, monday + dt.timedelta(days=days - 1), code=code)
    assert r.status_code == 201, r.json()
    return r.json()


def _told(user, kind):
    _run_pending_on_commit()
    return list(Notification.objects.filter(user=user, kind=kind).values_list("title", flat=True))


def test_manager_approves_and_the_days_are_taken(staff):
    ws, users = staff["workspace"], staff["users"]
    req = _request(staff)
    assert _told(users["manager"], "leave.request_to_decide")  # the manager is told
    assert not _told(users["hr"], "leave.request_to_decide")
    with mock.patch("oorg.attendance.days.recompute_range") as recompute:
        r = staff["clients"]["manager"].post(f"/leave/requests/{req['id']}/approve", {"comment": "Enjoy"})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "approved" and r.json()["step"] == "done"
    assert r.json()["approvals"][0]["decision"] == "approved" and r.json()["approvals"][0]["comment"] == "Enjoy"
    assert recompute.called
    assert balance(ws, staff["employees"]["member"]) == 8
    assert _told(users["member"], "leave.request_decided") == [
        f"Your leave {req['start_date']} to {req['end_date']} was approved"]
    # a second approval: already decided
    again = staff["clients"]["hr"].post(f"/leave/requests/{req['id']}/approve", {})
    assert again.status_code == 409 and again.json()["code"] == "already_decided"
    with workspace_scope(ws):
        assert LedgerEntry.objects.filter(request_id=req["id"], kind="taken").count() == 1


def test_hr_step_when_the_type_asks_for_it(staff):
    ws, users = staff["workspace"], staff["users"]
    leave_type(ws, "annual", hr_approval=True)
    req = _request(staff)
    r = staff["clients"]["manager"].post(f"/leave/requests/{req['id']}/approve", {})
    assert r.json()["status"] == "pending" and r.json()["step"] == "hr"
    assert balance(ws, staff["employees"]["member"]) == 10
    assert _told(users["hr"], "leave.request_to_decide")  # HR is told now
    assert staff["clients"]["manager"].post(f"/leave/requests/{req['id']}/approve", {}).status_code == 403
    r = staff["clients"]["hr"].post(f"/leave/requests/{req['id']}/approve", {})
    assert r.json()["status"] == "approved"
    assert [a["step"] for a in r.json()["approvals"]] == ["manager", "hr"]
    assert balance(ws, staff["employees"]["member"]) == 8


def test_member_cannot_approve_own_or_a_colleagues(staff):
    req = _request(staff)
    r = staff["clients"]["member"].post(f"/leave/requests/{req['id']}/approve", {})
    assert r.status_code == 403
    # HR's own request: HR cannot approve it either, the member does not even see it
    day = weekday_ahead(2)
    hr_req = ask(staff["clients"]["hr"], staff["workspace"], day, day, code="unpaid").json()
    assert hr_req["step"] == "hr"  # Hana has no manager: HR step at once
    assert staff["clients"]["hr"].post(f"/leave/requests/{hr_req['id']}/approve", {}).status_code == 403
    assert staff["clients"]["member"].post(f"/leave/requests/{hr_req['id']}/approve", {}).status_code == 404
    assert staff["clients"]["manager"].post(f"/leave/requests/{hr_req['id']}/approve", {}).status_code == 404
    assert staff["clients"]["owner"].post(f"/leave/requests/{hr_req['id']}/approve", {}).status_code == 200


def test_reject_needs_a_comment(staff):
    req = _request(staff)
    r = staff["clients"]["manager"].post(f"/leave/requests/{req['id']}/reject", {"comment": " "})
    assert r.status_code == 422 and r.json()["field"] == "comment"
    r = staff["clients"]["manager"].post(f"/leave/requests/{req['id']}/reject", {"comment": "Release week"})
    assert r.json()["status"] == "rejected"
    assert _told(staff["users"]["member"], "leave.request_decided")


def test_cancel_before_start_gives_the_days_back(staff):
    ws = staff["workspace"]
    req = _request(staff)
    staff["clients"]["manager"].post(f"/leave/requests/{req['id']}/approve", {})
    assert balance(ws, staff["employees"]["member"]) == 8
    r = staff["clients"]["member"].post(f"/leave/requests/{req['id']}/cancel", {})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert balance(ws, staff["employees"]["member"]) == 10
    assert staff["clients"]["member"].post(f"/leave/requests/{req['id']}/cancel", {}).status_code == 409


def test_cancel_after_start_needs_approval(staff):
    ws = staff["workspace"]
    req = _request(staff)
    staff["clients"]["manager"].post(f"/leave/requests/{req['id']}/approve", {})
    later = dt.datetime.combine(dt.date.fromisoformat(req["start_date"]), dt.time(12), tzinfo=dt.timezone.utc)
    with mock.patch("django.utils.timezone.now", return_value=later):
        r = staff["clients"]["member"].post(f"/leave/requests/{req['id']}/cancel", {"comment": "Back early"})
    assert r.json()["status"] == "cancel_requested" and r.json()["step"] == "manager"
    assert balance(ws, staff["employees"]["member"]) == 8
    # the manager refuses: it stays approved
    r = staff["clients"]["manager"].post(f"/leave/requests/{req['id']}/reject", {"comment": "Too late"})
    assert r.json()["status"] == "approved"
    assert any(t.startswith("Cancelling your leave") for t in _told(staff["users"]["member"], "leave.request_decided"))
    with mock.patch("django.utils.timezone.now", return_value=later):
        staff["clients"]["member"].post(f"/leave/requests/{req['id']}/cancel", {})
    r = staff["clients"]["manager"].post(f"/leave/requests/{req['id']}/approve", {})
    assert r.json()["status"] == "cancelled"
    assert balance(ws, staff["employees"]["member"]) == 10


def test_comments_tell_the_other_party(staff):
    req = _request(staff)
    r = staff["clients"]["manager"].post(f"/leave/requests/{req['id']}/comment", {"comment": "Who covers?"})
    assert r.status_code == 201
    assert _told(staff["users"]["member"], "leave.request_commented")
    assert not _told(staff["users"]["manager"], "leave.request_commented")
    staff["clients"]["member"].post(f"/leave/requests/{req['id']}/comment", {"comment": "Ines"})
    assert _told(staff["users"]["manager"], "leave.request_commented")
    assert staff["clients"]["member"].post(f"/leave/requests/{req['id']}/comment", {"comment": ""}).status_code == 422
    detail = staff["clients"]["member"].get(f"/leave/requests/{req['id']}").json()
    assert [a["comment"] for a in detail["approvals"]] == ["Who covers?", "Ines"]


def test_a_stale_decision_loses(staff):
    """The guarded UPDATE: a decision made on a version someone else already moved answers 409."""
    from oorg.leave.services import approvals

    req = _request(staff)
    with workspace_scope(staff["workspace"]):
        seen = LeaveRequest.objects.select_related("employee", "leave_type").get(pk=req["id"])
        stale = LeaveRequest.objects.select_related("employee", "leave_type").get(pk=req["id"])
        approvals.approve(staff["actors"]["manager"], seen)
        try:
            approvals.approve(staff["actors"]["owner"], stale)
        except approvals.AlreadyDecided:
            pass
        else:
            raise AssertionError("the second decision won too")
        assert LedgerEntry.objects.filter(request_id=req["id"], kind="taken").count() == 1


def test_a_request_without_a_manager_goes_to_hr_and_hr_is_told(staff):
    """Hana has no manager: her request starts at the HR step and every approve_all holder but her is told."""
    day = weekday_ahead(2)
    req = ask(staff["clients"]["hr"], staff["workspace"], day, day, code="unpaid").json()
    assert req["step"] == "hr"
    assert _told(staff["users"]["owner"], "leave.request_to_decide")
    assert _told(staff["users"]["admin"], "leave.request_to_decide")
    assert not _told(staff["users"]["hr"], "leave.request_to_decide")
    assert not _told(staff["users"]["manager"], "leave.request_to_decide")


def test_webhook_payloads_go_to_those_who_see_the_employee(staff):
    """The payload names the type of leave and carries the note: only for readers who see the employee's leave."""
    from oorg.core import events
    from oorg.core.models import Event

    req = _request(staff)
    with workspace_scope(staff["workspace"]):
        event = Event.objects.get(type="leave.request.created", target_id=str(req["id"]))
        visible = events.TYPES["leave.request.created"].visible_to
        assert event.data["leave_type"] == "Annual leave" and event.data["working_days"] == 2
        assert visible(staff["actors"]["manager"], event.data)
        assert visible(staff["actors"]["owner"], event.data)
        hana_req = ask(staff["clients"]["hr"], staff["workspace"], weekday_ahead(2, weeks=8),
                       weekday_ahead(2, weeks=8), code="unpaid").json()
        hana_event = Event.objects.get(type="leave.request.created", target_id=str(hana_req["id"]))
        assert not visible(staff["actors"]["manager"], hana_event.data)
        assert not visible(staff["actors"]["member"], hana_event.data)


def test_a_document_is_attached_to_a_waiting_request(staff):
    req = _request(staff)
    client = staff["clients"]["member"]
    ok = client.upload(f"/leave/requests/{req['id']}/attachment", "note.png", b"\x89PNG\r\n\x1a\nrest")
    assert ok.status_code == 200 and ok.json()["has_attachment"] is True
    fake = client.upload(f"/leave/requests/{req['id']}/attachment", "note.pdf", b"not a pdf")
    assert fake.status_code == 422 and fake.json()["errors"][0]["code"] == "file_type"
    boss = staff["clients"]["manager"].upload(f"/leave/requests/{req['id']}/attachment", "n.png", b"\x89PNG\r\n")
    assert boss.status_code == 403


def test_approve_without_a_body(staff):
    req = _request(staff)
    client = staff["clients"]["manager"]
    r = client.client.post(f"/api/v1/leave/requests/{req['id']}/approve", content_type="application/json",
                           **client._headers())
    assert r.status_code in (200, 422), r.content
    unknown = client.post(f"/leave/requests/{req['id']}/approve", {"coment": "typo"})
    assert unknown.status_code == 422

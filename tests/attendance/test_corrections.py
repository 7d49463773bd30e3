"""Attendance corrections: asked by the employee, decided by their manager or HR (one decision wins), the day's
sessions rewritten and the day recomputed, audited, notified; wrong roles and other workspaces refused."""
import datetime as dt

import pytest

from oorg.attendance.models import AttendanceDay, Correction, Session
from oorg.core.models import AuditEvent
from oorg.core.tenancy import workspace_scope
from oorg.notifications.models import Notification

from ..conftest import _run_pending_on_commit
from .helpers import local, make_session

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 5, 4)


def ask(staff, role="member", **fields):
    body = {"work_date": DAY.isoformat(), "clock_in": "2026-05-04T09:00:00+02:00",
            "clock_out": "2026-05-04T17:00:00+02:00", "reason": "Forgot to clock out", **fields}
    return staff["clients"][role].post("/attendance/corrections", body)


def test_request_approve_rewrites_the_day(staff):
    ws, me = staff["workspace"], staff["employees"]["member"]
    forgotten = make_session(ws, me, local(DAY, 9, 30), local(DAY, 23), auto_closed=True)
    response = ask(staff, session_id=forgotten.pk)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["clock_in"] == "2026-05-04T09:00:00+02:00"
    _run_pending_on_commit()
    told = Notification.objects.get(user=staff["users"]["manager"])
    assert told.kind == "attendance.correction_requested" and "Remy Report" in told.title
    # the manager sees it waiting; the member cannot approve their own
    waiting = staff["clients"]["manager"].get("/attendance/corrections?waiting_for_me=true").json()
    assert [c["id"] for c in waiting["items"]] == [body["id"]]
    assert staff["clients"]["member"].post(f"/attendance/corrections/{body['id']}/approve").status_code == 403
    approved = staff["clients"]["manager"].post(f"/attendance/corrections/{body['id']}/approve", {"comment": "ok"})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    with workspace_scope(ws):
        sessions = list(Session.objects.filter(employee=me, work_date=DAY))
        assert len(sessions) == 1 and sessions[0].corrected and sessions[0].start_source == "correction"
        assert sessions[0].started_at == local(DAY, 9) and not sessions[0].auto_closed
        day = AttendanceDay.objects.get(employee=me, date=DAY)
        assert day.status == "present" and day.corrected and day.worked_minutes == 480 and not day.auto_closed
        event = AuditEvent.objects.get(action="attendance.correction.approved")
        assert event.data["before"][0]["id"] == forgotten.pk and event.data["after"][0]["started_at"]
    _run_pending_on_commit()
    decided = Notification.objects.get(user=staff["users"]["member"], kind="attendance.correction_decided")
    assert "approved" in decided.title


def test_second_decision_loses_with_409(staff):
    correction = ask(staff).json()
    first = staff["clients"]["manager"].post(f"/attendance/corrections/{correction['id']}/reject", {"comment": "no"})
    assert first.status_code == 200 and first.json()["status"] == "rejected"
    second = staff["clients"]["hr"].post(f"/attendance/corrections/{correction['id']}/approve")
    assert second.status_code == 409
    assert staff["clients"]["member"].post(f"/attendance/corrections/{correction['id']}/withdraw").status_code == 409
    with workspace_scope(staff["workspace"]):
        assert Correction.objects.get(pk=correction["id"]).status == "rejected"
        assert not Session.objects.filter(work_date=DAY).exists()


def test_bad_input_every_field_and_one_pending_per_day(staff):
    bad = staff["clients"]["member"].post("/attendance/corrections", {
        "work_date": DAY.isoformat(), "clock_in": "2026-05-04T17:00:00+02:00",
        "clock_out": "2026-05-04T09:00:00+02:00", "reason": " "})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"clock_out", "reason"}
    long = ask(staff, clock_out="2026-05-05T10:00:00+02:00")
    assert long.status_code == 422 and long.json()["field"] == "clock_out"
    future = ask(staff, work_date="2099-01-01", clock_in="2099-01-01T09:00:00+00:00",
                 clock_out="2099-01-01T10:00:00+00:00")
    assert future.status_code == 422
    assert ask(staff).status_code == 201
    again = ask(staff)
    assert again.status_code == 409 and again.json()["code"] == "pending_exists"
    assert ask(staff, "admin").status_code == 409  # no employee record
    assert ask(staff, "admin").json()["code"] == "no_employee_record"


def test_withdraw_and_visibility(staff):
    correction = ask(staff).json()
    path = f"/attendance/corrections/{correction['id']}"
    assert staff["clients"]["hr"].get(path).status_code == 200
    assert staff["clients"]["owner"].get(path).status_code == 200  # Remy reports to Olivia through Mia
    assert staff["clients"]["manager"].post(f"{path}/withdraw").status_code == 403
    withdrawn = staff["clients"]["member"].post(f"{path}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert staff["clients"]["manager"].post(f"{path}/approve").status_code == 409
    # Hana (hr) asks; Mia (manager, not hers) neither sees nor decides it
    hers = ask(staff, "hr").json()
    assert staff["clients"]["manager"].get(f"/attendance/corrections/{hers['id']}").status_code == 404
    assert staff["clients"]["manager"].post(f"/attendance/corrections/{hers['id']}/approve").status_code == 404
    assert staff["clients"]["hr"].post(f"/attendance/corrections/{hers['id']}/approve").status_code == 403
    listing = staff["clients"]["member"].get("/attendance/corrections").json()
    assert [c["id"] for c in listing["items"]] == [correction["id"]]


def test_other_workspace_corrections_are_404(staff, other_staff):
    theirs = other_staff["client"].post("/attendance/corrections", {
        "work_date": DAY.isoformat(), "clock_in": "2026-05-04T09:00:00-04:00",
        "clock_out": "2026-05-04T17:00:00-04:00", "reason": "x"})
    assert theirs.status_code == 201, theirs.content
    for suffix in ("", "/approve", "/reject", "/withdraw"):
        method = "get" if not suffix else "post"
        answer = getattr(staff["clients"]["hr"], method)(f"/attendance/corrections/{theirs.json()['id']}{suffix}")
        assert answer.status_code == 404

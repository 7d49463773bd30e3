"""Events of attendance corrections and of sessions the system closed.

- attendance.correction.requested: the employee's manager is told (when the manager has an account; else
  nobody in particular: HR sees it in the corrections list, "waiting for me").
- attendance.correction.approved | rejected: the employee is told.
- attendance.correction.withdrawn: no one is told.
- attendance.session.auto_closed: the employee is told they forgot to clock out, with a link to the
  correction form for that day.
Payloads are the API answers (CorrectionOut; the session as the records API answers it) plus who is told and
a link. Who may receive them (webhooks) follows the attendance scopes (oneself, one's managers, HR).
"""
from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from ninja import Schema

from oorg.core import events
from oorg.core.errors import PermissionDenied
from oorg.core.models import Workspace

from ..api.corrections import CorrectionOut

CORRECTION_REQUESTED = "attendance.correction_requested"
CORRECTION_DECIDED = "attendance.correction_decided"
SESSION_AUTO_CLOSED = "attendance.session_auto_closed"


class CorrectionData(CorrectionOut):
    manager_user_id: int | None = None
    employee_user_id: int | None = None
    url: str = ""


def _path(workspace_id: int, name: str, query: str = "") -> str:
    slug = Workspace.objects.filter(pk=workspace_id).values_list("slug", flat=True).first()
    if slug is None:
        return ""
    try:
        return reverse(f"attendance:{name}", args=[slug]) + query
    except NoReverseMatch:
        return ""


def _user_of(employee) -> int | None:
    if employee is None or employee.member_id is None:
        return None
    return employee.member.user_id


def _correction(correction, data: dict) -> dict:
    from ..api.corrections import correction_answer

    answer = CorrectionOut.model_validate(correction_answer(correction)).model_dump(mode="json")
    employee = correction.employee
    return {**answer, "manager_user_id": _user_of(employee.manager) if employee.manager_id else None,
            "employee_user_id": _user_of(employee),
            "url": _path(correction.workspace_id, "corrections")}


def _notify_requested(event) -> list[events.Notice]:
    user_id = event.data.get("manager_user_id")
    if not user_id:
        return []
    return [events.Notice(user_id=user_id, kind=CORRECTION_REQUESTED,
                          title=f"{event.data.get('employee_name', '')} asks to correct "
                                f"{event.data.get('work_date', '')}",
                          body=str(event.data.get("reason", ""))[:300], url=event.data.get("url") or "")]


def _notify_decided(event) -> list[events.Notice]:
    user_id = event.data.get("employee_user_id")
    if not user_id:
        return []
    verb = "approved" if event.data.get("status") == "approved" else "rejected"
    return [events.Notice(user_id=user_id, kind=CORRECTION_DECIDED,
                          title=f"Your correction of {event.data.get('work_date', '')} was {verb}",
                          body=str(event.data.get("comment") or ""), url=event.data.get("url") or "")]


class AutoClosedData(Schema):
    id: int
    employee_id: int
    work_date: str
    started_at: str
    ended_at: str | None
    employee_user_id: int | None = None
    url: str = ""


def _session(session, data: dict) -> dict:
    employee = session.employee
    return {"id": session.pk, "employee_id": session.employee_id, "work_date": session.work_date.isoformat(),
            "started_at": session.started_at.isoformat(),
            "ended_at": session.ended_at.isoformat() if session.ended_at else None,
            "employee_user_id": _user_of(employee),
            "url": _path(session.workspace_id, "correction-new", f"?date={session.work_date.isoformat()}")}


def _notify_auto_closed(event) -> list[events.Notice]:
    user_id = event.data.get("employee_user_id")
    if not user_id:
        return []
    day = event.data.get("work_date", "")
    return [events.Notice(user_id=user_id, kind=SESSION_AUTO_CLOSED,
                          title=f"You did not clock out on {day}; ask for a correction",
                          body="The system closed your session at the shift's end. If that is not when you "
                               "stopped, ask for a correction.", url=event.data.get("url") or "")]


def _visible(actor, data: dict) -> bool:
    from ..scopes import ATTENDANCE

    try:
        return ATTENDANCE.employees(actor).filter(pk=data.get("employee_id")).exists()
    except PermissionDenied:
        return False


events.register_kinds([
    events.Kind(CORRECTION_REQUESTED, "Attendance corrections to decide",
                description="Someone who reports to you asks to correct a day's clock-in or clock-out."),
    events.Kind(CORRECTION_DECIDED, "Your attendance corrections decided",
                description="Your manager or HR approved or rejected a correction you asked for."),
    events.Kind(SESSION_AUTO_CLOSED, "Forgotten clock-outs",
                description="You did not clock out and the system closed your day."),
], group="Attendance")

events.register_types([
    events.EventType("attendance.correction.requested", "An employee asked to correct a day's attendance.",
                     payload=CorrectionData, build=_correction, notify=_notify_requested, visible_to=_visible),
    events.EventType("attendance.correction.approved", "A correction was approved; the day's sessions changed.",
                     payload=CorrectionData, build=_correction, notify=_notify_decided, visible_to=_visible),
    events.EventType("attendance.correction.rejected", "A correction was rejected.", payload=CorrectionData,
                     build=_correction, notify=_notify_decided, visible_to=_visible),
    events.EventType("attendance.correction.withdrawn", "An employee withdrew their correction.",
                     payload=CorrectionData, build=_correction, visible_to=_visible),
    events.EventType("attendance.session.auto_closed", "A forgotten session was closed by the system and flagged.",
                     payload=AutoClosedData, build=_session, notify=_notify_auto_closed, visible_to=_visible),
], group="Attendance")

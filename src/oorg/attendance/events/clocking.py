"""Clocking events for webhooks: attendance.clocked_in and attendance.clocked_out (payload: the session, as
the API answers it). Who may receive one follows the attendance scopes: oneself, one's managers, HR."""
from __future__ import annotations

from oorg.core import events
from oorg.core.errors import PermissionDenied

from ..api.clocking import ClockSessionOut


def _session(session, data: dict) -> dict:
    from ..services.clocking import session_answer

    return ClockSessionOut.model_validate(session_answer(session)).model_dump(mode="json")


def _visible(actor, data: dict) -> bool:
    from ..scopes import ATTENDANCE

    try:
        return ATTENDANCE.employees(actor).filter(pk=data.get("employee_id")).exists()
    except PermissionDenied:
        return False


events.register_types([
    events.EventType("attendance.clocked_in", "Someone clocked in (the new session; source, site, flag).",
                     payload=ClockSessionOut, build=_session, visible_to=_visible),
    events.EventType("attendance.clocked_out", "Someone clocked out (the closed session with its breaks).",
                     payload=ClockSessionOut, build=_session, visible_to=_visible),
], group="Attendance")

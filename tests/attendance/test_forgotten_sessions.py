"""The periodic jobs: forgotten sessions closed once (claimed), flagged, audited, notified; yesterday's days."""
import datetime as dt

import pytest
from django.utils import timezone

from oorg.attendance import tasks
from oorg.attendance.models import AttendanceDay, Session
from oorg.core.models import AuditEvent
from oorg.core.tenancy import workspace_scope
from oorg.notifications.models import Notification

from ..conftest import _run_pending_on_commit
from .helpers import local, make_session, make_shift

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 5, 4)


def test_closed_at_the_shift_end_once_and_notified_once(staff):
    ws, me = staff["workspace"], staff["employees"]["member"]
    make_shift(ws, employee=me)
    session = make_session(ws, me, local(DAY, 9, 2))
    before = tasks.close_forgotten_sessions(now=local(DAY, 20, 59))  # 17:00 + 4 h not yet passed
    assert before == 0
    assert tasks.close_forgotten_sessions(now=local(DAY, 21, 1)) == 1
    assert tasks.close_forgotten_sessions(now=local(DAY, 22)) == 0
    with workspace_scope(ws):
        session.refresh_from_db()
        assert session.ended_at == local(DAY, 17) and session.auto_closed and session.end_source == "system"
        day = AttendanceDay.objects.get(employee=me, date=DAY)
        assert day.status == "present" and day.auto_closed
        assert AuditEvent.objects.filter(action="attendance.session.auto_closed").count() == 1
    _run_pending_on_commit()
    notes = list(Notification.objects.filter(user=staff["users"]["member"], kind="attendance.session_auto_closed"))
    assert len(notes) == 1 and "2026-05-04" in notes[0].title
    assert "correction" in notes[0].url and "date=2026-05-04" in notes[0].url


def test_without_a_shift_closed_eight_hours_after_start(staff):
    ws, me = staff["workspace"], staff["employees"]["hr"]
    session = make_session(ws, me, local(DAY, 8))
    assert tasks.close_forgotten_sessions(now=local(DAY, 19, 59)) == 0
    assert tasks.close_forgotten_sessions(now=local(DAY, 20, 1)) == 1
    with workspace_scope(ws):
        session.refresh_from_db()
    assert session.ended_at == local(DAY, 16)


def test_a_late_clock_in_after_the_shift_end_is_never_closed_before_its_start(staff):
    ws, me = staff["workspace"], staff["employees"]["member"]
    make_shift(ws, employee=me)
    session = make_session(ws, me, local(DAY, 18))
    assert tasks.close_forgotten_sessions(now=local(DAY, 23)) == 1
    with workspace_scope(ws):
        session.refresh_from_db()
    assert session.ended_at == local(DAY, 18)


def test_close_days_marks_yesterday_absent_once(staff, other_staff):
    ws = staff["workspace"]
    now = local(DAY + dt.timedelta(days=1), 10)  # Tuesday morning in Berlin: Monday is over
    first = tasks.close_days(now=now)
    assert first > 0
    with workspace_scope(ws):
        remy = AttendanceDay.objects.get(employee=staff["employees"]["member"], date=DAY)
        assert remy.status == "absent"
        count = AttendanceDay.objects.count()
    assert tasks.close_days(now=now) == 0
    with workspace_scope(ws):
        assert AttendanceDay.objects.count() == count
    with workspace_scope(other_staff["workspace"]):
        assert AttendanceDay.objects.filter(employee=other_staff["employee"]).count() == 1


def test_the_tasks_are_scheduled():
    from django.conf import settings

    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"attendance.close_forgotten_sessions", "attendance.close_days"} <= names
    assert Session  # imported for the reader: the job writes Session rows
    assert timezone

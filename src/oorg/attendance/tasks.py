"""Periodic attendance jobs (CELERY_BEAT_SCHEDULE), each visiting every workspace inside its scope.

attendance.close_forgotten_sessions (every 15 minutes): an open session whose shift ended more than the
policy's `forgotten_after_hours` ago (without a shift: 12 hours after it started) is closed at the shift's
expected end (without a shift: 8 hours after its start; never before its start), flagged auto_closed, source
"system", audited (attendance.session.auto_closed, whose event tells the employee to ask for a correction) and
its day recomputed. Each session is claimed with one conditional UPDATE (`ended_at IS NULL`), so two workers
close it once and it is told once.

attendance.recompute_days (queued after a holiday is added, moved or removed): the days already computed for
those dates are computed again, so an absence that became a public holiday stops counting as one.

attendance.close_days (hourly): every employee's yesterday, in their branch's zone, is computed if it has no
row yet, so an absence appears without anyone looking. Employees are read per branch (one zone, one
"yesterday") in batches, each lacking its row (a subquery); run twice, the second run finds nothing to do.
"""
from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from oorg.celery import app
from oorg.core import audit
from oorg.core.models import Workspace
from oorg.core.tasks import workspace_task
from oorg.core.tenancy import workspace_scope
from oorg.org.models import Branch, Employee

from . import clock, days
from .calendar import zone_of
from .models import AttendanceDay, Break, Session, Source
from .schedules import shift_for

BATCH = 500
WITHOUT_SHIFT_FORGOTTEN = dt.timedelta(hours=12)
WITHOUT_SHIFT_LENGTH = dt.timedelta(hours=8)


def _closing_time(session: Session, now: dt.datetime, after: dt.timedelta) -> dt.datetime | None:
    """When a forgotten session is closed, or None while it is not yet forgotten."""
    employee = session.employee
    shift = shift_for(employee, session.work_date)
    if shift is not None:
        _start, end = clock.expected_window(shift, session.work_date, zone_of(employee))
        if now < end + after:
            return None
        return max(end, session.started_at)
    if now < session.started_at + WITHOUT_SHIFT_FORGOTTEN:
        return None
    return session.started_at + WITHOUT_SHIFT_LENGTH


def _close_forgotten(workspace_id: int, now: dt.datetime) -> int:
    from .services.policy import policy_for

    after = dt.timedelta(hours=policy_for(workspace_id).forgotten_after_hours)
    earliest = min(after, WITHOUT_SHIFT_FORGOTTEN)
    closed, last = 0, (dt.datetime.min.replace(tzinfo=dt.timezone.utc), 0)
    while True:  # the open sessions old enough to be forgotten, a batch at a time (index session_open)
        batch = list(Session.objects.filter(ended_at__isnull=True, started_at__lte=now - earliest)
                     .filter(started_at__gte=last[0]).exclude(started_at=last[0], pk__lte=last[1])
                     .select_related("employee__branch", "employee__member").order_by("started_at", "pk")[:BATCH])
        if not batch:
            return closed
        last = (batch[-1].started_at, batch[-1].pk)
        for session in batch:
            closes_at = _closing_time(session, now, after)
            if closes_at is None:
                continue
            with transaction.atomic():
                claimed = Session.objects.filter(pk=session.pk, ended_at__isnull=True).update(
                    ended_at=closes_at, end_source=Source.SYSTEM, auto_closed=True)
                if not claimed:
                    continue  # clocked out meanwhile, or another worker closed it
                for pause in Break.objects.filter(session_id=session.pk, ended_at__isnull=True):
                    pause.ended_at = max(closes_at, pause.started_at)
                    pause.save(update_fields=["ended_at"])
                session.refresh_from_db()
                audit.record(None, "attendance.session.auto_closed", session, workspace=workspace_id,
                             target_label=f"{session.employee.full_name}, {session.work_date.isoformat()}",
                             employee_id=session.employee_id, closed_at=closes_at.isoformat())
                days.recompute(session.employee, [session.work_date])
                closed += 1
        if len(batch) < BATCH:
            return closed


def close_forgotten_sessions(now: dt.datetime | None = None) -> int:
    """Close every forgotten session; answers how many were closed."""
    now = now or timezone.now()
    closed = 0
    for workspace_id in Workspace.objects.values_list("pk", flat=True).order_by("pk"):
        with workspace_scope(workspace_id):
            closed += _close_forgotten(workspace_id, now)
    return closed


def _zone(name: str | None) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _close_days(now: dt.datetime) -> int:
    done = 0
    groups = [(b.pk, _zone(b.time_zone)) for b in Branch.objects.order_by("pk")] + [(None, _zone("UTC"))]
    for branch_id, zone in groups:
        yesterday = now.astimezone(zone).date() - dt.timedelta(days=1)
        has_row = AttendanceDay.objects.filter(employee_id=OuterRef("pk"), date=yesterday)
        people = (Employee.objects.filter(branch_id=branch_id) if branch_id else
                  Employee.objects.filter(branch__isnull=True))
        people = (people.exclude(status=Employee.Status.TERMINATED).exclude(end_date__lt=yesterday)
                  .exclude(start_date__gt=yesterday).filter(~Exists(has_row)).select_related("branch"))
        after = 0
        while True:
            batch = list(people.filter(pk__gt=after).order_by("pk")[:BATCH])
            if not batch:
                break
            after = batch[-1].pk
            for employee in batch:
                days.recompute(employee, [yesterday])
                done += 1
    return done


def close_days(now: dt.datetime | None = None) -> int:
    """Compute yesterday's day of everyone who has none yet; answers how many employees were looked at."""
    now = now or timezone.now()
    done = 0
    for workspace_id in Workspace.objects.values_list("pk", flat=True).order_by("pk"):
        with workspace_scope(workspace_id):
            done += _close_days(now)
    return done


@app.task(name="attendance.close_forgotten_sessions")
def close_forgotten_sessions_task() -> int:
    return close_forgotten_sessions()


@app.task(name="attendance.close_days")
def close_days_task() -> int:
    return close_days()


@workspace_task("attendance.recompute_days")
def recompute_days(workspace_id: int, dates: list[str], branch_id: int | None = None) -> int:
    """Compute again the days already written for `dates` (ISO), of one branch's employees (`branch_id`) or of
    everyone's: after a holiday changed. Answers how many days were computed."""
    wanted = sorted({dt.date.fromisoformat(d) for d in dates})
    rows = AttendanceDay.objects.filter(date__in=wanted)
    if branch_id is not None:
        rows = rows.filter(employee__branch_id=branch_id)
    by_employee: dict[int, list[dt.date]] = {}
    for employee_id, day in rows.order_by("employee_id", "date").values_list("employee_id", "date").iterator():
        by_employee.setdefault(employee_id, []).append(day)
    done = 0
    people = Employee.objects.filter(pk__in=rows.values("employee_id")).select_related("branch").order_by("pk")
    for employee in people.iterator(chunk_size=BATCH):
        with transaction.atomic():
            days.recompute(employee, by_employee.get(employee.pk, []))
        done += len(by_employee.get(employee.pk, []))
    return done

"""An employee's computed days (AttendanceDay): what was expected, what happened, and the numbers the reports sum.

Interface used by other modules (keep these signatures):
    recompute(employee, dates) -> None          rewrite the AttendanceDay rows of these local dates
    recompute_range(employee, start, end) -> None

Whatever the number of dates, one recompute reads a fixed number of queries (assignments, holidays, sessions,
their breaks, approved leave, the policy) and writes with one upsert and one delete.

A day's status, first match wins:
- `open`     a session of the day is still open (clocked in);
- `present`  there are sessions (a half day of leave can be present too: leave_fraction 0.5);
- `holiday`  a public holiday of the branch (never absent);
- `leave`    an approved leave request covers a day the employee was due to work (never absent);
- `off`      not a day to work: the assigned shift does not run that weekday, or without an assignment the
             branch does not work that weekday (work done on such a day is present, all of it overtime);
- `absent`   a day to work with none of the above, once it is over (its expected end has passed, or without
             one its local date); a day to work still to come, or today, with nothing, has no row.

Expected window: the shift's start and end on that date (clock.expected_window), or without a shift the
branch's work_starts..work_ends on its working days (09:00–17:00 without a branch), in the branch's zone.

Worked minutes are the sessions' minutes less their recorded breaks. A day with no recorded break whose shift
expects one (`break_minutes`) has that break deducted once work passed `break_after_minutes` (any work when it
is empty), as German law expects a break to be taken; break_minutes then shows the deducted break. Late and
early leave count against the expected window beyond the grace minutes; overtime is worked minus expected (the
window less the shift's break) when it reaches the policy's threshold.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from . import clock
from .calendar import days_between, zone_of
from .models import AttendanceDay, Break, Session
from .schedules import _applies, _assignments

FIELDS = ("department_id", "status", "shift_id", "expected_start", "expected_end", "first_in", "last_out",
          "worked_minutes", "break_minutes", "late_minutes", "early_leave_minutes", "overtime_minutes",
          "leave_type_id", "leave_fraction", "auto_closed", "outside_site", "corrected")
UPDATE_FIELDS = [name.removesuffix("_id") if name.endswith("_id") else name for name in FIELDS] + ["computed_at"]


def recompute(employee, dates) -> None:
    dates = sorted(set(dates))
    if not dates:
        return
    start, end = dates[0], dates[-1]
    zone = zone_of(employee)
    now = timezone.now()
    today = now.astimezone(zone).date()
    assignments = _assignments(employee, start, end)
    calendar = {d.date: d for d in days_between(employee, start, end)}
    sessions: dict[dt.date, list[Session]] = {}
    for session in (Session.objects.filter(employee_id=employee.pk, work_date__gte=start, work_date__lte=end)
                    .order_by("started_at", "pk")
                    .prefetch_related(Prefetch("breaks", queryset=Break.objects.order_by("started_at")))):
        sessions.setdefault(session.work_date, []).append(session)
    leave = _approved_leave(employee, start, end)
    threshold = clock.current_policy().overtime_threshold_minutes
    branch = getattr(employee, "branch", None)
    rows, gone = [], []
    for day in dates:
        values = compute_day(employee, day, zone=zone, now=now, today=today, assignments=assignments,
                             calendar_day=calendar.get(day), sessions=sessions.get(day, []),
                             leave=leave.get(day), threshold=threshold, branch=branch)
        if values is None:
            gone.append(day)
        else:
            rows.append(AttendanceDay(workspace_id=employee.workspace_id, employee_id=employee.pk, date=day,
                                      computed_at=now, **values))
    with transaction.atomic():
        if rows:
            AttendanceDay.objects.bulk_create(rows, update_conflicts=True,
                                              unique_fields=["workspace", "employee", "date"],
                                              update_fields=UPDATE_FIELDS)
        if gone:
            AttendanceDay.objects.filter(employee_id=employee.pk, date__in=gone).delete()


def recompute_range(employee, start: dt.date, end: dt.date) -> None:
    day, dates = start, []
    while day <= end:
        dates.append(day)
        day += dt.timedelta(days=1)
    recompute(employee, dates)


def _approved_leave(employee, start: dt.date, end: dt.date) -> dict:
    """{date: LeaveRequest} of the employee's approved leave over start..end (one query)."""
    from oorg.leave.models import LeaveRequest  # leave depends on attendance: imported here

    found = {}
    requests = (LeaveRequest.objects.filter(employee_id=employee.pk, status=LeaveRequest.Status.APPROVED,
                                            start_date__lte=end, end_date__gte=start)
                .order_by("start_date", "pk"))
    for request in requests:
        day = max(request.start_date, start)
        while day <= min(request.end_date, end):
            found.setdefault(day, request)
            day += dt.timedelta(days=1)
    return found


def _worked(sessions, now) -> tuple[int, int]:
    """(minutes in sessions, minutes of recorded breaks), open ones counted up to now."""
    total = breaks = 0
    for session in sessions:
        ends = session.ended_at or now
        total += clock.minutes_between(session.started_at, ends)
        for pause in session.breaks.all():
            pause_end = min(pause.ended_at or ends, ends)
            breaks += clock.minutes_between(max(pause.started_at, session.started_at), pause_end)
    return total, min(breaks, total)


def compute_day(employee, day: dt.date, *, zone, now, today, assignments, calendar_day, sessions, leave,
                threshold: int, branch=None) -> dict | None:
    """The AttendanceDay values of one date, or None when the day should have no row."""
    covering = next((a for a in assignments
                     if a.starts_on <= day and (a.ends_on is None or a.ends_on >= day)), None)
    shift = covering.shift if covering is not None and _applies(covering.shift, employee, day) else None
    holiday = calendar_day is not None and calendar_day.kind == "holiday"
    if covering is not None:
        due = shift is not None
    else:
        due = calendar_day is not None and calendar_day.kind == "working"
    expected_start = expected_end = None
    if shift is not None:
        expected_start, expected_end = clock.expected_window(shift, day, zone)
    elif due:
        starts = branch.work_starts if branch is not None else dt.time(9, 0)
        ends = branch.work_ends if branch is not None else dt.time(17, 0)
        expected_start, expected_end = clock.window(starts, ends, day, zone)
    grace = shift.grace_minutes if shift is not None else 0
    expected_break = shift.break_minutes if shift is not None else 0

    values = {name: None for name in ("first_in", "last_out", "leave_type_id")}
    values.update(department_id=employee.department_id, shift_id=shift.pk if shift is not None else None,
                  expected_start=expected_start if not holiday else None,
                  expected_end=expected_end if not holiday else None, worked_minutes=0, break_minutes=0,
                  late_minutes=0, early_leave_minutes=0, overtime_minutes=0, leave_fraction=Decimal("0"),
                  auto_closed=False, outside_site=False, corrected=False)
    on_leave = leave is not None and due and not holiday
    if on_leave:
        values["leave_type_id"] = leave.leave_type_id
        values["leave_fraction"] = Decimal("0.5") if leave.half_day else Decimal("1")

    if sessions:
        is_open = any(s.ended_at is None for s in sessions)
        total, breaks = _worked(sessions, now)
        worked = total - breaks
        if breaks == 0 and expected_break and worked > (shift.break_after_minutes or 0):
            breaks = min(expected_break, worked)
            worked -= breaks
        first_in = sessions[0].started_at
        last_out = None if is_open else max(s.ended_at for s in sessions)
        values.update(status=AttendanceDay.Status.OPEN if is_open else AttendanceDay.Status.PRESENT,
                      first_in=first_in, last_out=last_out, worked_minutes=worked, break_minutes=breaks,
                      auto_closed=any(s.auto_closed for s in sessions),
                      outside_site=any(s.outside_site for s in sessions),
                      corrected=any(s.corrected for s in sessions))
        if expected_start is not None and not holiday and not (on_leave and not leave.half_day):
            values["late_minutes"] = clock.late_minutes(expected_start, first_in, grace)
            if last_out is not None:
                values["early_leave_minutes"] = clock.early_leave_minutes(expected_end, last_out, grace)
        if not is_open:
            expected = 0
            if expected_start is not None and not holiday and not on_leave:
                expected = clock.expected_minutes(expected_start, expected_end, expected_break)
            elif on_leave and leave.half_day and expected_start is not None:
                expected = clock.expected_minutes(expected_start, expected_end, expected_break) // 2
            values["overtime_minutes"] = clock.overtime_minutes(worked, expected, threshold)
        return values
    if holiday:
        values["status"] = AttendanceDay.Status.HOLIDAY
        return values
    if on_leave:
        values["status"] = AttendanceDay.Status.LEAVE
        return values
    if not due:
        values["status"] = AttendanceDay.Status.OFF
        return values
    over = now >= expected_end if expected_end is not None else day < today
    if not over:
        return None
    values["status"] = AttendanceDay.Status.ABSENT
    return values


# --- reading ---------------------------------------------------------------------------------------------------

MAX_RANGE_DAYS = 366


def clean_range(start, end, *, default_end: dt.date) -> tuple[dt.date, dt.date]:
    """(from, to) of a records query: to defaults to `default_end`, from to the first of to's month; at most
    366 days, from on or before to (422 naming the field)."""
    from oorg.core.errors import Problems

    with Problems() as problems:
        end = end or default_end
        start = start or end.replace(day=1)
        if start > end:
            problems.add("from is on or before to.", field="from")
        elif (end - start).days + 1 > MAX_RANGE_DAYS:
            problems.add(f"Ask for at most {MAX_RANGE_DAYS} days at a time.", field="to")
    return start, end


def attach_sessions(days: list[AttendanceDay]) -> list[AttendanceDay]:
    """Give each day `.sessions_of_day` (with their breaks): two queries for any number of days."""
    if not days:
        return days
    employees = {d.employee_id for d in days}
    start, end = min(d.date for d in days), max(d.date for d in days)
    found: dict[tuple[int, dt.date], list[Session]] = {}
    query = Session.objects.filter(work_date__gte=start, work_date__lte=end)
    if len(employees) == 1:
        query = query.filter(employee_id=next(iter(employees)))
    else:  # a page of a team's days: the page's own rows bound it (at most a page of employees)
        query = query.filter(employee_id__in=sorted(employees))
    for session in query.order_by("started_at", "pk").prefetch_related(
            Prefetch("breaks", queryset=Break.objects.order_by("started_at"))):
        found.setdefault((session.employee_id, session.work_date), []).append(session)
    for day in days:
        day.sessions_of_day = found.get((day.employee_id, day.date), [])
    return days

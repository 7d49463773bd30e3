"""Which shift an employee works on a date, and the local day a clock-in counts for.

Interface used by other modules (keep these signatures):
    shift_for(employee, day) -> Shift | None
    work_date_for(employee, at: aware datetime) -> date   the local day a clock-in at `at` starts
    shifts_between(employee, start, end) -> {date: Shift | None}   the same for a range, in one query

The rule: among the assignments covering the date, the employee's own wins over their branch's; among several
of the same kind, the one starting latest (then the newest). The shift applies on the weekday when it is one of
the shift's `working_days`, or, when the shift names none, one of the branch's working days; otherwise there is
no shift that day (None).
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Q

from .calendar import weekday_key, working_weekdays, zone_of
from .clock import local_at
from .models import ShiftAssignment

# A clock-in this long before a shift that starts on the next local day counts for that day (23:30 before a
# 00:00 shift): early starters are not given a day of their own.
EARLY_CLOCK_IN = dt.timedelta(hours=3)


def _assignments(employee, start: dt.date, end: dt.date) -> list[ShiftAssignment]:
    """Every assignment of the employee or their branch overlapping start..end: one query, best first."""
    target = Q(employee_id=employee.pk)
    if getattr(employee, "branch_id", None):
        target |= Q(branch_id=employee.branch_id)
    rows = (ShiftAssignment.objects.filter(target, starts_on__lte=end)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start)).select_related("shift"))
    # own assignments first, then the latest start, then the newest row
    return sorted(rows, key=lambda a: (a.employee_id is None, -a.starts_on.toordinal(), -a.pk))


def _applies(shift, employee, day: dt.date) -> bool:
    days = shift.working_days or working_weekdays(employee)
    return weekday_key(day) in days


def _pick(assignments, employee, day: dt.date):
    for assignment in assignments:
        if assignment.starts_on <= day and (assignment.ends_on is None or assignment.ends_on >= day):
            return assignment.shift if _applies(assignment.shift, employee, day) else None
    return None


def shift_for(employee, day: dt.date):
    """The Shift the employee works on local date `day`, or None (no assignment, or not a day of the shift)."""
    return _pick(_assignments(employee, day, day), employee, day)


def shifts_between(employee, start: dt.date, end: dt.date) -> dict:
    """{date: Shift | None} for every date from start to end (inclusive), from one query."""
    assignments = _assignments(employee, start, end)
    out, day = {}, start
    while day <= end:
        out[day] = _pick(assignments, employee, day)
        day += dt.timedelta(days=1)
    return out


def work_date_for(employee, at: dt.datetime) -> dt.date:
    """The local day a clock-in at `at` counts for: its local date, except that a clock-in up to 3 hours
    before a shift starting on the next local day counts for that day (23:30 before a 00:00 shift). A session
    always stays on the day it started, so a night shift 22:00–06:00 is one day's work."""
    zone = zone_of(employee)
    local = at.astimezone(zone)
    day = local.date()
    if (local + EARLY_CLOCK_IN).date() == day:
        return day  # no shift of tomorrow can start within 3 hours: no query
    tomorrow = day + dt.timedelta(days=1)
    shift = shift_for(employee, tomorrow)
    if shift is not None:
        starts = local_at(tomorrow, shift.starts, zone)
        if dt.timedelta(0) <= starts - at <= EARLY_CLOCK_IN:
            return tomorrow
    return day

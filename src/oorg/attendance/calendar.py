"""Working days and public holidays: which dates count, for leave (a request's `working_days`) and for
attendance (a day with no shift, or a holiday, is never "absent").

A branch says which weekdays it works (`Branch.working_days`) and its holidays are `Holiday` rows for it
or for every branch. An employee without a branch works Monday to Friday and has only the holidays of
every branch. Every read is one query for the whole range, whatever its length.
"""
from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from .models import WEEKDAYS, Holiday

DEFAULT_WORKING_DAYS = ("mon", "tue", "wed", "thu", "fri")
MAX_RANGE_DAYS = 366 * 2  # a request or a calendar answer covers at most two years


def zone_of(employee) -> zoneinfo.ZoneInfo:
    """The employee's branch's time zone (UTC without a branch): every day of theirs is a date there."""
    branch = getattr(employee, "branch", None) if employee is not None else None
    try:
        return zoneinfo.ZoneInfo(branch.time_zone if branch and branch.time_zone else "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def today_for(employee, now: dt.datetime | None = None) -> dt.date:
    from django.utils import timezone

    return (now or timezone.now()).astimezone(zone_of(employee)).date()


def weekday_key(day: dt.date) -> str:
    return WEEKDAYS[day.weekday()]


def working_weekdays(employee) -> tuple[str, ...]:
    branch = getattr(employee, "branch", None)
    days = tuple(branch.working_days) if branch is not None and branch.working_days else DEFAULT_WORKING_DAYS
    return days


def holidays_between(branch_id: int | None, start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """{date: name} of the holidays of this branch (and of every branch) from start to end, inclusive."""
    where = Q(branch__isnull=True) if branch_id is None else Q(branch__isnull=True) | Q(branch_id=branch_id)
    rows = Holiday.objects.filter(where, date__gte=start, date__lte=end).order_by("date", "branch_id")
    found: dict[dt.date, str] = {}
    for day, name in rows.values_list("date", "name"):
        found.setdefault(day, name)
    return found


@dataclass(frozen=True)
class Day:
    date: dt.date
    kind: str  # "working" | "weekend" | "holiday"
    holiday: str = ""


def days_between(employee, start: dt.date, end: dt.date) -> list[Day]:
    """Each date from start to end with what it is for this employee. The caller bounds the range."""
    weekdays = set(working_weekdays(employee))
    holidays = holidays_between(getattr(employee, "branch_id", None), start, end)
    out, day = [], start
    while day <= end:
        if day in holidays:
            out.append(Day(day, "holiday", holidays[day]))
        elif weekday_key(day) in weekdays:
            out.append(Day(day, "working"))
        else:
            out.append(Day(day, "weekend"))
        day += dt.timedelta(days=1)
    return out


def working_days(employee, start: dt.date, end: dt.date, *, half_day: bool = False) -> Decimal:
    """How many working days from start to end (inclusive) for this employee: the branch's working weekdays,
    less its holidays. A half day counts 0.5 (when that day is a working day)."""
    count = sum(1 for d in days_between(employee, start, end) if d.kind == "working")
    if half_day:
        return Decimal("0.5") if count else Decimal("0")
    return Decimal(count)

"""An employee's computed days (AttendanceDay). TODO (helper A): the full computation.

Interface used by other modules (keep these signatures):
    recompute(employee, dates) -> None          rewrite the AttendanceDay rows of these local dates
    recompute_range(employee, start, end) -> None
"""
from __future__ import annotations

import datetime as dt


def recompute(employee, dates) -> None:
    return None


def recompute_range(employee, start: dt.date, end: dt.date) -> None:
    day, dates = start, []
    while day <= end:
        dates.append(day)
        day += dt.timedelta(days=1)
    recompute(employee, dates)

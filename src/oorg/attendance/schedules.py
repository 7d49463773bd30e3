"""Which shift an employee works on a date, and the local day a clock-in counts for. TODO (helper A).

Interface used by other modules (keep these signatures):
    shift_for(employee, day) -> Shift | None
    work_date_for(employee, at: aware datetime) -> date   the local day a clock-in at `at` starts
"""
from __future__ import annotations

import datetime as dt

from .calendar import zone_of


def shift_for(employee, day: dt.date):
    return None


def work_date_for(employee, at: dt.datetime) -> dt.date:
    return at.astimezone(zone_of(employee)).date()

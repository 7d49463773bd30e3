"""Time math of attendance: pure functions over aware datetimes, no database (except `current_policy`).

A shift's times are wall-clock times in the employee's branch's zone. `window(starts, ends, day, zone)` turns
them into aware UTC datetimes for one local date; a shift whose end is at or before its start ends on the next
local day (overnight). Because both ends are placed on the wall clock separately and then converted, a night
shift 22:00–06:00 lasts 7 hours on the night the clocks spring forward and 9 hours on the night they fall back,
and a 09:00 shift starts at 09:00 local time on both sides of a change.

Two wall times are special (zoneinfo, PEP 495):
- a time that does not exist (the spring-forward gap, 02:30 in Berlin on 2026-03-29) resolves *forward*: it
  is read with the offset before the change (fold=0), which lands after the gap (02:30 → 03:30 CEST);
- a time that happens twice (fall back, 02:30 in Berlin on 2026-10-25) is its *first* occurrence (fold=0,
  the summer-time offset).

Minutes are whole minutes, rounded down; nothing here is ever negative.
"""
from __future__ import annotations

import datetime as dt
import zoneinfo

UTC = dt.timezone.utc


def local_at(day: dt.date, time: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The aware UTC datetime of wall time `time` on local date `day` in `zone` (see the module docstring for
    gaps and repeated hours)."""
    wall = dt.datetime.combine(day, time.replace(tzinfo=None, fold=0)).replace(tzinfo=zone, fold=0)
    return wall.astimezone(UTC)


def window(starts: dt.time, ends: dt.time, day: dt.date, zone: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """(start, end) in UTC of a stretch from `starts` to `ends` beginning on local date `day`; it ends the next
    local day when `ends` is at or before `starts`."""
    start = local_at(day, starts, zone)
    end_day = day + dt.timedelta(days=1) if ends <= starts else day
    end = local_at(end_day, ends, zone)
    if end <= start:  # an end inside a gap that resolves before a start: never a negative shift
        end = start
    return start, end


def expected_window(shift, day: dt.date, zone: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The expected start and end of `shift` on local date `day`, as aware UTC datetimes."""
    return window(shift.starts, shift.ends, day, zone)


def minutes_between(start: dt.datetime | None, end: dt.datetime | None) -> int:
    """Whole minutes from start to end (0 if either is missing or end is not after start)."""
    if start is None or end is None or end <= start:
        return 0
    return int((end - start).total_seconds() // 60)


def late_minutes(expected_start: dt.datetime | None, first_in: dt.datetime | None, grace: int = 0) -> int:
    """Minutes after the expected start of the first clock-in; 0 within the grace minutes (a clock-in 7 minutes
    late with 5 minutes' grace is 7 minutes late, not 2)."""
    late = minutes_between(expected_start, first_in)
    return late if late > (grace or 0) else 0


def early_leave_minutes(expected_end: dt.datetime | None, last_out: dt.datetime | None, grace: int = 0) -> int:
    """Minutes before the expected end of the last clock-out; 0 within the grace minutes."""
    early = minutes_between(last_out, expected_end)
    return early if early > (grace or 0) else 0


def expected_minutes(start: dt.datetime | None, end: dt.datetime | None, break_minutes: int = 0) -> int:
    """How long the day is meant to be worked: its window less the expected break."""
    return max(0, minutes_between(start, end) - (break_minutes or 0))


def overtime_minutes(worked: int, expected: int, threshold: int = 0) -> int:
    """Worked minus expected, when that is at least `threshold` minutes (and more than nothing); else 0."""
    extra = (worked or 0) - (expected or 0)
    if extra <= 0 or extra < (threshold or 0):
        return 0
    return extra


def current_policy():
    """The workspace's AttendancePolicy in the current scope (services/policy.py creates it on first read)."""
    from oorg.core.tenancy import current_workspace_id

    from .services.policy import policy_for

    return policy_for(current_workspace_id())

"""Time math of attendance (attendance/clock.py): DST weeks in Berlin and New York, overnight shifts, leap day."""
import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from oorg.attendance import clock

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.timezone.utc


def shift(starts, ends, **kw):
    return SimpleNamespace(starts=dt.time(*starts), ends=dt.time(*ends), **kw)


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize("zone,day,before,after", [
    (BERLIN, dt.date(2026, 3, 29), 8, 7),     # CET → CEST
    (BERLIN, dt.date(2026, 10, 25), 7, 8),    # CEST → CET
    (NEW_YORK, dt.date(2026, 3, 8), 14, 13),  # EST → EDT
    (NEW_YORK, dt.date(2026, 11, 1), 13, 14),  # EDT → EST
])
def test_a_nine_oclock_shift_starts_at_nine_local_on_both_sides_of_the_change(zone, day, before, after):
    nine = shift((9, 0), (17, 0))
    start_before, end_before = clock.expected_window(nine, day - dt.timedelta(days=1), zone)
    start_after, end_after = clock.expected_window(nine, day + dt.timedelta(days=1), zone)
    assert start_before.hour == before and start_after.hour == after
    assert start_before.astimezone(zone).time() == dt.time(9) == start_after.astimezone(zone).time()
    assert clock.minutes_between(start_after, end_after) == 480
    # on the day of the change itself (the change is at night) it is still 09:00 local and 8 hours long
    start, end = clock.expected_window(nine, day, zone)
    assert start.astimezone(zone).time() == dt.time(9) and clock.minutes_between(start, end) == 480


@pytest.mark.parametrize("zone,night,hours", [
    (BERLIN, dt.date(2026, 3, 28), 7), (BERLIN, dt.date(2026, 10, 24), 9),
    (NEW_YORK, dt.date(2026, 3, 7), 7), (NEW_YORK, dt.date(2026, 10, 31), 9),
    (BERLIN, dt.date(2026, 3, 27), 8),
])
def test_an_overnight_shift_across_the_change_lasts_seven_or_nine_hours(zone, night, hours):
    night_shift = shift((22, 0), (6, 0))
    start, end = clock.expected_window(night_shift, night, zone)
    assert start.astimezone(zone) == dt.datetime.combine(night, dt.time(22), tzinfo=zone)
    assert end.astimezone(zone).date() == night + dt.timedelta(days=1)
    assert end.astimezone(zone).time() == dt.time(6)
    assert clock.minutes_between(start, end) == hours * 60


def test_overtime_and_lateness_on_the_short_and_long_nights():
    night_shift = shift((22, 0), (6, 0))
    # spring forward: 7 hours expected; worked 22:00–06:00 local is 7 hours: no overtime
    start, end = clock.expected_window(night_shift, dt.date(2026, 3, 28), BERLIN)
    expected = clock.expected_minutes(start, end, 0)
    assert expected == 420
    assert clock.overtime_minutes(clock.minutes_between(start, end), expected, 15) == 0
    # fall back: 9 hours expected; clocking in 22:10 local with 5 minutes' grace is 10 minutes late
    start, end = clock.expected_window(night_shift, dt.date(2026, 10, 24), BERLIN)
    assert clock.expected_minutes(start, end, 30) == 510
    assert clock.late_minutes(start, start + dt.timedelta(minutes=10), 5) == 10
    # worked until 07:00 local (one hour past the end): 60 minutes of overtime
    worked = clock.minutes_between(start, end + dt.timedelta(hours=1))
    assert clock.overtime_minutes(worked, clock.expected_minutes(start, end, 0), 15) == 60


def test_a_time_in_the_gap_resolves_forward_and_a_repeated_time_is_its_first_occurrence():
    gap = clock.local_at(dt.date(2026, 3, 29), dt.time(2, 30), BERLIN)
    assert gap == utc(2026, 3, 29, 1, 30)
    assert gap.astimezone(BERLIN).time() == dt.time(3, 30)
    twice = clock.local_at(dt.date(2026, 10, 25), dt.time(2, 30), BERLIN)
    assert twice == utc(2026, 10, 25, 0, 30)  # 02:30 CEST, the first time the clock shows 02:30
    ny_gap = clock.local_at(dt.date(2026, 3, 8), dt.time(2, 15), NEW_YORK)
    assert ny_gap.astimezone(NEW_YORK).time() == dt.time(3, 15)
    ny_twice = clock.local_at(dt.date(2026, 11, 1), dt.time(1, 30), NEW_YORK)
    assert ny_twice == utc(2026, 11, 1, 5, 30)


def test_leap_day():
    start, end = clock.expected_window(shift((22, 0), (6, 0)), dt.date(2028, 2, 28), BERLIN)
    assert end.astimezone(BERLIN).date() == dt.date(2028, 2, 29)
    start, end = clock.expected_window(shift((22, 0), (6, 0)), dt.date(2028, 2, 29), BERLIN)
    assert start.astimezone(BERLIN).date() == dt.date(2028, 2, 29)
    assert end.astimezone(BERLIN).date() == dt.date(2028, 3, 1)
    assert clock.minutes_between(start, end) == 480


def test_late_within_and_after_grace():
    start = utc(2026, 5, 4, 7, 0)
    assert clock.late_minutes(start, start + dt.timedelta(minutes=5), 5) == 0
    assert clock.late_minutes(start, start + dt.timedelta(minutes=7), 5) == 7
    assert clock.late_minutes(start, start - dt.timedelta(minutes=30), 5) == 0
    assert clock.late_minutes(start, None, 5) == 0
    assert clock.late_minutes(start, start + dt.timedelta(minutes=1), 0) == 1


def test_early_leave_and_overtime_threshold():
    end = utc(2026, 5, 4, 15, 0)
    assert clock.early_leave_minutes(end, end - dt.timedelta(minutes=3), 5) == 0
    assert clock.early_leave_minutes(end, end - dt.timedelta(minutes=20), 5) == 20
    assert clock.early_leave_minutes(end, end + dt.timedelta(minutes=20), 5) == 0
    assert clock.overtime_minutes(494, 480, 15) == 0
    assert clock.overtime_minutes(495, 480, 15) == 15
    assert clock.overtime_minutes(400, 480, 0) == 0
    assert clock.minutes_between(end, end - dt.timedelta(minutes=1)) == 0

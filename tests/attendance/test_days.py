"""The computed day (attendance/days.py): present, late within and after grace, absent, off, holiday, leave,
open; breaks; overnight shifts across DST; the branch's hours without a shift; a fixed number of queries."""
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from oorg.attendance.days import recompute, recompute_range
from oorg.attendance.models import AttendanceDay, Holiday
from oorg.core.tenancy import workspace_scope

from .helpers import BERLIN, local, make_session, make_shift

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 5, 4)


def day_of(staff, employee, date):
    with workspace_scope(staff["workspace"]):
        return AttendanceDay.objects.filter(employee=employee, date=date).first()


def compute(staff, employee, *dates):
    with workspace_scope(staff["workspace"]):
        recompute(employee, dates)


def approved_leave(staff, employee, start, end, half_day=False):
    from oorg.leave.defaults import ensure_types
    from oorg.leave.models import LeaveRequest, LeaveType

    ensure_types(staff["workspace"])
    with workspace_scope(staff["workspace"]):
        annual = LeaveType.objects.get(code="annual")
        return LeaveRequest.objects.create(workspace=staff["workspace"], employee=employee, leave_type=annual,
                                           start_date=start, end_date=end, half_day=half_day,
                                           working_days=Decimal("1"), status="approved", step="done")


def test_seven_minutes_late_with_five_minutes_grace(staff):
    ws, me = staff["workspace"], staff["employees"]["member"]
    make_shift(ws, employee=me, break_minutes=30, grace_minutes=5)
    make_session(ws, me, local(MONDAY, 9, 7), local(MONDAY, 17, 30),
                 breaks=[(local(MONDAY, 12), local(MONDAY, 12, 30))])
    compute(staff, me, MONDAY)
    day = day_of(staff, me, MONDAY)
    assert day.status == "present" and day.late_minutes == 7 and day.early_leave_minutes == 0
    assert day.worked_minutes == 8 * 60 + 23 - 30 and day.break_minutes == 30
    assert day.expected_start == local(MONDAY, 9) and day.department_id == me.department_id
    assert day.overtime_minutes == 23  # 9:07→17:30 less 30 is 473 worked; 450 expected; 23 ≥ 15


def test_within_grace_is_not_late_and_early_leave_counts(staff):
    ws, me = staff["workspace"], staff["employees"]["member"]
    make_shift(ws, employee=me, grace_minutes=5)
    make_session(ws, me, local(MONDAY, 9, 5), local(MONDAY, 16, 40))
    compute(staff, me, MONDAY)
    day = day_of(staff, me, MONDAY)
    assert day.late_minutes == 0 and day.early_leave_minutes == 20 and day.overtime_minutes == 0


def test_break_deducted_when_none_recorded(staff):
    ws, me = staff["workspace"], staff["employees"]["member"]
    make_shift(ws, employee=me, break_minutes=30, break_after_minutes=360)
    make_session(ws, me, local(MONDAY, 9), local(MONDAY, 17))
    make_session(ws, me, local(MONDAY + dt.timedelta(days=1), 9), local(MONDAY + dt.timedelta(days=1), 13))
    compute(staff, me, MONDAY, MONDAY + dt.timedelta(days=1))
    assert (day_of(staff, me, MONDAY).worked_minutes, day_of(staff, me, MONDAY).break_minutes) == (450, 30)
    short = day_of(staff, me, MONDAY + dt.timedelta(days=1))
    assert (short.worked_minutes, short.break_minutes) == (240, 0)


def test_overtime_reaches_the_policy_threshold(staff):
    ws, me = staff["workspace"], staff["employees"]["member"]
    make_shift(ws, employee=me)
    make_session(ws, me, local(MONDAY, 9), local(MONDAY, 17, 14))
    tuesday = MONDAY + dt.timedelta(days=1)
    make_session(ws, me, local(tuesday, 9), local(tuesday, 17, 45))
    compute(staff, me, MONDAY, tuesday)
    assert day_of(staff, me, MONDAY).overtime_minutes == 0
    assert day_of(staff, me, tuesday).overtime_minutes == 45


def test_absent_off_and_nothing_for_days_to_come(staff):
    ws, me = staff["workspace"], staff["employees"]["member"]
    make_shift(ws, employee=me)
    saturday = MONDAY + dt.timedelta(days=5)
    compute(staff, me, MONDAY, saturday)
    assert day_of(staff, me, MONDAY).status == "absent"
    assert day_of(staff, me, saturday).status == "off"
    future = timezone.now().astimezone(BERLIN).date() + dt.timedelta(days=7)
    while future.weekday() >= 5:
        future += dt.timedelta(days=1)
    compute(staff, me, future)
    assert day_of(staff, me, future) is None


def test_holiday_and_approved_leave_are_never_absent(staff):
    ws, me = staff["workspace"], staff["employees"]["member"]
    make_shift(ws, employee=me)
    with workspace_scope(ws):
        Holiday.objects.create(workspace=ws, branch=staff["berlin"], date=MONDAY, name="Tag der Arbeit")
    tuesday, wednesday = MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)
    approved_leave(staff, me, tuesday, tuesday)
    approved_leave(staff, me, wednesday, wednesday, half_day=True)
    make_session(ws, me, local(wednesday, 13), local(wednesday, 17))
    with workspace_scope(ws):
        recompute_range(me, MONDAY, wednesday)
    assert day_of(staff, me, MONDAY).status == "holiday"
    leave = day_of(staff, me, tuesday)
    assert leave.status == "leave" and leave.leave_fraction == 1 and leave.leave_type_id is not None
    half = day_of(staff, me, wednesday)
    assert half.status == "present" and half.leave_fraction == Decimal("0.5")


def test_open_session_today(staff):
    ws, me = staff["workspace"], staff["employees"]["member"]
    now = timezone.now()
    session = make_session(ws, me, now - dt.timedelta(hours=1))
    compute(staff, me, session.work_date)
    day = day_of(staff, me, session.work_date)
    assert day.status == "open" and day.last_out is None and day.worked_minutes in (59, 60)


def test_without_a_shift_the_branch_hours_count(staff):
    ws, me = staff["workspace"], staff["employees"]["member"]
    make_session(ws, me, local(MONDAY, 9, 20), local(MONDAY, 17))
    compute(staff, me, MONDAY)
    day = day_of(staff, me, MONDAY)
    assert day.shift_id is None and day.expected_start == local(MONDAY, 9) and day.late_minutes == 20


@pytest.mark.parametrize("night,hours", [(dt.date(2026, 3, 28), 7), (dt.date(2026, 10, 24), 9)])
def test_a_night_shift_across_the_change(staff, night, hours):
    ws, me = staff["workspace"], staff["employees"]["member"]
    make_shift(ws, name="Night", starts=(22, 0), ends=(6, 0), employee=me,
               working_days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
    morning = night + dt.timedelta(days=1)
    make_session(ws, me, local(night, 22, 10), local(morning, 7), work_date=night)
    compute(staff, me, night)
    day = day_of(staff, me, night)
    assert day.status == "present" and day.late_minutes == 10
    assert day.worked_minutes == hours * 60 + 50  # 22:10 → 07:00 local
    assert day.overtime_minutes == 50 and day.early_leave_minutes == 0


def test_leap_day_is_a_day_like_any_other(staff):
    ws, me = staff["workspace"], staff["employees"]["member"]
    leap = dt.date(2028, 2, 29)  # a Tuesday
    make_session(ws, me, local(leap, 9), local(leap, 17))
    compute(staff, me, leap)
    assert day_of(staff, me, leap).worked_minutes == 480


def test_a_month_costs_a_fixed_number_of_queries(staff):
    ws, me = staff["workspace"], staff["employees"]["member"]
    make_shift(ws, employee=me)
    for offset in range(3):
        day = MONDAY + dt.timedelta(days=offset)
        make_session(ws, me, local(day, 9), local(day, 17))
    with workspace_scope(ws):
        recompute_range(me, dt.date(2026, 4, 1), dt.date(2026, 4, 3))
        with CaptureQueriesContext(connection) as small:
            recompute_range(me, dt.date(2026, 5, 4), dt.date(2026, 5, 6))
        with CaptureQueriesContext(connection) as month:
            recompute_range(me, dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert len(month) == len(small) <= 12


def test_new_york_dst_weeks(other_staff):
    from zoneinfo import ZoneInfo

    ny = ZoneInfo("America/New_York")
    ws, gus = other_staff["workspace"], other_staff["employee"]
    make_shift(ws, name="Night", starts=(22, 0), ends=(6, 0), employee=gus, starts_on=dt.date(2026, 10, 1),
               working_days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
    make_shift(ws, name="Day", employee=gus, starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 9, 30))
    night = dt.date(2026, 10, 31)  # the clocks fall back on 1 November at 02:00
    make_session(ws, gus, local(night, 22, 0, ny), local(night + dt.timedelta(days=1), 6, 0, ny), work_date=night)
    monday = dt.date(2026, 3, 9)  # the day after spring forward
    make_session(ws, gus, local(monday, 9, 0, ny), local(monday, 17, 0, ny), work_date=monday)
    friday = dt.date(2026, 3, 6)  # before it
    make_session(ws, gus, local(friday, 9, 3, ny), local(friday, 17, 0, ny), work_date=friday)
    with workspace_scope(ws):
        recompute(gus, [night, monday, friday])
        days = {d.date: d for d in AttendanceDay.objects.filter(employee=gus)}
    assert days[night].worked_minutes == 540 and days[night].late_minutes == 0 and days[night].overtime_minutes == 0
    assert days[monday].expected_start == local(monday, 9, 0, ny) and days[monday].late_minutes == 0
    assert days[friday].late_minutes == 3 and days[friday].expected_start.astimezone(ny).hour == 9

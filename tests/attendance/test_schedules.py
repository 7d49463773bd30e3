"""Which shift applies on a date, and which day a clock-in counts for (attendance/schedules.py)."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oorg.attendance.models import ShiftAssignment
from oorg.attendance.schedules import shift_for, shifts_between, work_date_for
from oorg.core.tenancy import workspace_scope

from .helpers import local, make_shift

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 5, 4)


def test_employee_assignment_wins_over_branch_and_latest_start_wins(staff):
    ws, me = staff["workspace"], staff["employees"]["member"]
    branch_shift = make_shift(ws, name="Branch", branch=staff["berlin"], starts_on=dt.date(2026, 1, 1))
    own = make_shift(ws, name="Own", starts=(7, 0), ends=(15, 0), employee=me, starts_on=dt.date(2026, 5, 1),
                     ends_on=dt.date(2026, 5, 31))
    with workspace_scope(ws):
        assert shift_for(me, MONDAY) == own
        assert shift_for(me, dt.date(2026, 6, 1)) == branch_shift  # own assignment ended
        assert shift_for(me, dt.date(2025, 12, 31)) is None
        later = make_shift(ws, name="Later", branch=None)
        ShiftAssignment.objects.create(workspace=ws, shift=later, branch=staff["berlin"], starts_on=dt.date(2026, 3, 1))
        assert shift_for(staff["employees"]["hr"], MONDAY) == later
        assert shift_for(staff["employees"]["hr"], dt.date(2026, 2, 2)) == branch_shift


def test_working_days_of_the_shift_or_the_branch(staff):
    ws, me = staff["workspace"], staff["employees"]["member"]
    make_shift(ws, name="Weekend", employee=me, working_days=["sat", "sun"])
    with workspace_scope(ws):
        assert shift_for(me, MONDAY) is None
        assert shift_for(me, dt.date(2026, 5, 9)).name == "Weekend"
    hr = staff["employees"]["hr"]
    make_shift(ws, name="Branch days", employee=hr)  # no working days: the branch's (Mon–Fri)
    with workspace_scope(ws):
        assert shift_for(hr, MONDAY).name == "Branch days"
        assert shift_for(hr, dt.date(2026, 5, 9)) is None


def test_a_month_of_shifts_is_one_query(staff):
    ws, me = staff["workspace"], staff["employees"]["member"]
    make_shift(ws, branch=staff["berlin"])
    with workspace_scope(ws), CaptureQueriesContext(connection) as queries:
        found = shifts_between(me, dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert len(queries) == 1 and len(found) == 31
    assert sum(1 for s in found.values() if s is not None) == 21


def test_work_date_for_an_early_clock_in_before_a_midnight_shift(staff):
    ws, me = staff["workspace"], staff["employees"]["member"]
    make_shift(ws, name="Midnight", starts=(0, 0), ends=(8, 0), employee=me, working_days=list(
        ("mon", "tue", "wed", "thu", "fri", "sat", "sun")))
    with workspace_scope(ws):
        assert work_date_for(me, local(MONDAY, 23, 30)) == MONDAY + dt.timedelta(days=1)
        assert work_date_for(me, local(MONDAY, 20, 0)) == MONDAY
        assert work_date_for(me, local(MONDAY, 0, 5)) == MONDAY


def test_work_date_is_the_local_date_in_the_branch_zone(staff):
    ws, me = staff["workspace"], staff["employees"]["member"]
    with workspace_scope(ws):
        # 23:30 UTC on 3 May is 01:30 on 4 May in Berlin (summer time)
        assert work_date_for(me, dt.datetime(2026, 5, 3, 23, 30, tzinfo=dt.timezone.utc)) == MONDAY

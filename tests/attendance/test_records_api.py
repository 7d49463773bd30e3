"""GET /attendance/records: one's own days by default, a report's for their manager, 404 outside the scope,
bounded ranges, sessions and breaks with the branch's offset, a fixed number of queries."""
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oorg.attendance.days import recompute_range
from oorg.core.tenancy import workspace_scope

from .helpers import local, make_session, make_shift

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 5, 4)


def week(staff, employee):
    ws = staff["workspace"]
    make_shift(ws, employee=employee, grace_minutes=5)
    for offset in range(3):
        day = DAY + dt.timedelta(days=offset)
        make_session(ws, employee, local(day, 9, 7), local(day, 17),
                     breaks=[(local(day, 12), local(day, 12, 30))])
    with workspace_scope(ws):
        recompute_range(employee, DAY, DAY + dt.timedelta(days=4))


def test_my_records_with_sessions_and_offsets(staff):
    week(staff, staff["employees"]["member"])
    response = staff["clients"]["member"].get("/attendance/records?from=2026-05-04&to=2026-05-08")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 5
    first = body["items"][0]
    assert first["date"] == "2026-05-04" and first["status"] == "present" and first["late_minutes"] == 7
    assert first["first_in"] == "2026-05-04T09:07:00+02:00"
    assert first["sessions"][0]["breaks"][0]["started_at"] == "2026-05-04T12:00:00+02:00"
    assert [d["status"] for d in body["items"]][3:] == ["absent", "absent"]
    absent = staff["clients"]["member"].get("/attendance/records?from=2026-05-04&to=2026-05-08&status=absent")
    assert absent.json()["count"] == 2


def test_a_page_of_records_is_a_fixed_number_of_queries(staff):
    week(staff, staff["employees"]["member"])
    api = staff["clients"]["member"]
    api.get("/attendance/records?from=2026-05-05&to=2026-05-05")  # the first request of a token writes its use
    with CaptureQueriesContext(connection) as one:
        api.get("/attendance/records?from=2026-05-04&to=2026-05-04")
    with CaptureQueriesContext(connection) as five:
        api.get("/attendance/records?from=2026-05-04&to=2026-05-08")
    assert len(one) == len(five)


def test_scope_manager_hr_and_outsiders(staff, other_staff):
    remy = staff["employees"]["member"]
    week(staff, remy)
    query = f"/attendance/records?employee_id={remy.pk}&from=2026-05-04&to=2026-05-08"
    assert staff["clients"]["manager"].get(query).json()["count"] == 5
    assert staff["clients"]["hr"].get(query).json()["count"] == 5
    hana = staff["employees"]["hr"]
    assert staff["clients"]["manager"].get(f"/attendance/records?employee_id={hana.pk}").status_code == 404
    assert staff["clients"]["member"].get(
        f"/attendance/records?employee_id={staff['employees']['manager'].pk}").status_code == 404
    assert other_staff["client"].get(query).status_code == 404
    assert staff["clients"]["admin"].get("/attendance/records").status_code == 409


def test_ranges_are_bounded_and_named(staff):
    api = staff["clients"]["member"]
    too_long = api.get("/attendance/records?from=2025-01-01&to=2026-03-01")
    assert too_long.status_code == 422 and too_long.json()["field"] == "to"
    backwards = api.get("/attendance/records?from=2026-05-08&to=2026-05-01")
    assert backwards.status_code == 422 and backwards.json()["field"] == "from"
    assert api.get("/attendance/records?from=nonsense").status_code == 422
    assert api.get("/attendance/records?status=sleeping").json()["field"] == "status"

"""The monthly attendance and leave report: numbers equal hand-computed sums, scope, CSV and XLSX."""
import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from oorg.attendance.models import AttendanceDay
from oorg.core.models import AuditEvent
from oorg.core.tenancy import workspace_scope
from oorg.leave.defaults import ensure_types
from oorg.leave.models import LeaveType

pytestmark = pytest.mark.django_db

D = dt.date
URL = "/attendance/reports/monthly"


def day(ws, employee, date, status, **numbers):
    return AttendanceDay.objects.create(workspace=ws, employee=employee, department_id=employee.department_id,
                                        date=date, status=status, **numbers)


@pytest.fixture
def month(staff, other_staff):
    ws, e = staff["workspace"], staff["employees"]
    with workspace_scope(ws):
        ensure_types(ws)
        annual, sick = LeaveType.objects.get(code="annual"), LeaveType.objects.get(code="sick")
        remy = e["member"]
        day(ws, remy, D(2026, 3, 2), "present", late_minutes=7, worked_minutes=473)
        day(ws, remy, D(2026, 3, 3), "present", late_minutes=3, overtime_minutes=30, worked_minutes=510)
        day(ws, remy, D(2026, 3, 4), "present", early_leave_minutes=20, worked_minutes=460)
        day(ws, remy, D(2026, 3, 5), "absent")
        day(ws, remy, D(2026, 3, 6), "leave", leave_type=sick, leave_fraction=Decimal("1"))
        day(ws, remy, D(2026, 3, 9), "present", leave_type=annual, leave_fraction=Decimal("0.5"), worked_minutes=240)
        day(ws, remy, D(2026, 2, 27), "absent")  # another month
        day(ws, remy, D(2026, 4, 1), "absent")
        mia = e["manager"]
        day(ws, mia, D(2026, 3, 2), "present", overtime_minutes=45, worked_minutes=525)
        day(ws, mia, D(2026, 3, 3), "leave", leave_type=annual, leave_fraction=Decimal("1"))
        ines = staff["indirect"]
        day(ws, ines, D(2026, 3, 2), "present", late_minutes=60, worked_minutes=420)
        hana = e["hr"]
        day(ws, hana, D(2026, 3, 2), "absent")
        sam = staff["sales_rep"]
        day(ws, sam, D(2026, 3, 31), "present", worked_minutes=480)
    other = other_staff["workspace"]
    with workspace_scope(other):
        day(other, other_staff["employee"], D(2026, 3, 2), "absent")
    return staff


def by_name(data):
    return {i["employee"]["name"]: i for i in data["items"]}


def test_per_employee_numbers_equal_hand_sums(month):
    r = month["clients"]["hr"].get(f"{URL}?month=2026-03")
    assert r.status_code == 200, r.json()
    data = r.json()
    assert data["count"] == 5
    assert [t["code"] for t in data["leave_types"]][:3] == ["annual", "sick", "unpaid"] or \
        {"annual", "sick", "unpaid"} <= {t["code"] for t in data["leave_types"]}
    remy = by_name(data)["Remy Report"]
    assert remy["employee"]["code"] == "E003" and remy["department"] == "Backend"
    assert (remy["days_present"], remy["late_count"], remy["late_minutes"]) == (4, 2, 10)
    assert (remy["early_leaves"], remy["early_leave_minutes"], remy["overtime_minutes"]) == (1, 20, 30)
    assert remy["absences"] == 1 and remy["worked_minutes"] == 473 + 510 + 460 + 240
    assert remy["leave"]["sick"] == 1 and remy["leave"]["annual"] == 0.5 and remy["leave"]["unpaid"] == 0
    assert remy["leave_days"] == 1.5
    assert [i["employee"]["name"] for i in data["items"]] == sorted(i["employee"]["name"] for i in data["items"])
    assert "Gus Globex" not in str(data)


def test_per_department(month):
    data = month["clients"]["hr"].get(f"{URL}?month=2026-03&group=department").json()
    rows = {i["department"]["name"]: i for i in data["items"]}
    assert set(rows) == {"Backend", "Engineering", "Sales", "No department"}
    assert rows["Backend"]["employees"] == 2 and rows["Backend"]["late_minutes"] == 70
    assert rows["Backend"]["late_count"] == 3 and rows["Backend"]["days_present"] == 5
    assert rows["Engineering"]["leave"]["annual"] == 1 and rows["No department"]["absences"] == 1


def test_manager_sees_their_reports_member_is_refused(month):
    data = month["clients"]["manager"].get(f"{URL}?month=2026-03").json()
    assert sorted(by_name(data)) == ["Ines Indirect", "Mia Manager", "Remy Report"]
    r = month["clients"]["member"].get(f"{URL}?month=2026-03")
    assert r.status_code == 403
    assert month["clients"]["member"].get(f"{URL}/export?month=2026-03").status_code == 403


def test_filters_pages_and_bad_input(month):
    hr = month["clients"]["hr"]
    data = hr.get(f"{URL}?month=2026-03&department_id={month['backend'].pk}").json()
    assert sorted(by_name(data)) == ["Ines Indirect", "Remy Report"]
    data = hr.get(f"{URL}?month=2026-03&branch_id={month['remote'].pk}").json()
    assert sorted(by_name(data)) == ["Ines Indirect", "Sam Sales"]
    first = hr.get(f"{URL}?month=2026-03&limit=2").json()
    second = hr.get(f"{URL}?month=2026-03&limit=2&offset=2").json()
    assert first["count"] == second["count"] == 5 and len(first["items"]) == 2
    assert not set(by_name(first)) & set(by_name(second))
    r = hr.get(f"{URL}?month=March")
    assert r.status_code == 422 and r.json()["field"] == "month"
    assert hr.get(f"{URL}?month=2026-03&group=team").status_code == 422
    assert hr.get(f"{URL}/export?month=2026-03&format=pdf").status_code == 422
    assert hr.get(f"{URL}?month=2026-03&department_id=999999").status_code == 404


def test_csv_export(month):
    r = month["clients"]["hr"].get(f"{URL}/export?month=2026-03&format=csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert 'filename="attendance-2026-03-by-employee.csv"' in r["Content-Disposition"]
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    remy = next(row for row in rows if row["employee"] == "Remy Report")
    assert remy["late_minutes"] == "10" and remy["absences"] == "1" and remy["leave_sick"] == "1.0"
    assert remy["leave_annual"] == "0.5" and len(rows) == 5
    with workspace_scope(month["workspace"]):
        audit = AuditEvent.objects.get(action="attendance.report.exported")
    assert audit.data["month"] == "2026-03" and audit.data["format"] == "csv" and audit.data["group"] == "employee"


def test_xlsx_export_by_department(month):
    r = month["clients"]["hr"].get(f"{URL}/export?month=2026-03&format=xlsx&group=department")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    rows = list(sheet.values)
    head = list(rows[0])
    assert head[:3] == ["department", "employees", "days_present"]
    backend = dict(zip(head, next(row for row in rows[1:] if row[0] == "Backend"), strict=True))
    assert backend["late_minutes"] == 70 and backend["leave_sick"] == 1 and backend["employees"] == 2


def test_other_workspace_sees_only_its_own(month, other_staff):
    data = other_staff["client"].get(f"{URL}?month=2026-03").json()
    assert [i["employee"]["name"] for i in data["items"]] == ["Gus Globex"]


# --- the report page --------------------------------------------------------------------------------------------

def report_page(staff, role, query=""):
    from tests.web.pages import signed_in_client

    client = signed_in_client(staff["users"][role])
    return client, client.get(f"/w/{staff['workspace'].slug}/attendance/reports/monthly/{query}")


def test_report_page_for_hr(month):
    _client, r = report_page(month, "hr", "?month=2026-03")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Attendance and leave, March 2026" in html and "5 employees" in html and "Remy Report" in html
    assert "format=csv" in html and "format=xlsx" in html
    _client, r = report_page(month, "hr", "?month=2026-03&group=department")
    assert "Backend" in r.content.decode() and "4 departments" in r.content.decode()


def test_report_page_refuses_a_member_and_exports_for_a_manager(month):
    _client, r = report_page(month, "member", "?month=2026-03")
    assert r.status_code == 403
    client, r = report_page(month, "manager", "?month=2026-03")
    assert "Hana HR" not in r.content.decode() and "Mia Manager" in r.content.decode()
    r = client.get(f"/w/{month['workspace'].slug}/attendance/reports/monthly/export?month=2026-03&format=csv")
    assert r.status_code == 200
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    assert "Mia Manager" in text and "Hana HR" not in text


def test_report_page_bad_month(month):
    _client, r = report_page(month, "hr", "?month=13-2026")
    assert r.status_code == 200 and "Give a month as YYYY-MM" in r.content.decode()


def test_the_month_is_one_grouped_query(month, django_assert_num_queries):
    from oorg.attendance import reports

    with workspace_scope(month["workspace"]):
        actor = month["actors"]["hr"]
        types = reports.leave_types()
        with django_assert_num_queries(1):
            rows = list(reports.grouped(actor, reports.parse_month("2026-03"), types=types))
    assert len(rows) == 5

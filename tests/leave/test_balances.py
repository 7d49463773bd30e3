"""Balances as the sum of a ledger; adjustments by HR with a reason; the employee is told."""
import datetime as dt
from decimal import Decimal

from oorg.core.models import AuditEvent
from oorg.core.tenancy import workspace_scope
from oorg.leave import ledger
from oorg.leave.models import LeaveType, LedgerEntry

from ..conftest import _run_pending_on_commit


def _type(workspace, code="annual"):
    with workspace_scope(workspace):
        return LeaveType.objects.get(code=code)


def _balance_of(client, code="annual", **query):
    params = "&".join(f"{k}={v}" for k, v in query.items())
    answer = client.get(f"/leave/balances?{params}")
    assert answer.status_code == 200, answer.json()
    return next(row for row in answer.json()["items"] if row["leave_type"]["code"] == code)


def test_my_balance_is_the_sum_of_my_entries(staff):
    annual = _type(staff["workspace"])
    with workspace_scope(staff["workspace"]):
        me = staff["report"]
        ledger.post(me, annual, "grant", Decimal(25), effective_on=dt.date(2026, 1, 1), period="2026")
        ledger.post(me, annual, "taken", Decimal(-3), effective_on=dt.date(2026, 3, 2))
        ledger.post(me, annual, "cancelled", Decimal(1), effective_on=dt.date(2026, 3, 2))
    row = _balance_of(staff["clients"]["member"], year=2026)
    assert row == {"leave_type": {"id": annual.pk, "code": "annual", "name": "Annual leave"}, "balance": 23.0,
                   "pending": 0.0, "available": 23.0, "granted": 25.0, "taken": 2.0}
    codes = {r["leave_type"]["code"] for r in staff["clients"]["member"].get("/leave/balances").json()["items"]}
    assert "sick" not in codes  # no balance kept for sick leave
    entries = staff["clients"]["member"].get("/leave/ledger").json()
    assert [e["kind"] for e in entries["items"]] == ["cancelled", "taken", "grant"]


def test_hr_adjusts_a_balance_with_a_reason_and_the_employee_is_told(staff):
    from oorg.notifications.models import Notification

    annual = _type(staff["workspace"])
    answer = staff["clients"]["hr"].post("/leave/adjustments", {
        "employee_id": staff["report"].pk, "leave_type_id": annual.pk, "days": 2, "reason": "Overtime in March"})
    assert answer.status_code == 201, answer.json()
    assert answer.json()["days"] == 2 and answer.json()["kind"] == "adjustment"
    assert _balance_of(staff["clients"]["member"])["balance"] == 2
    with workspace_scope(staff["workspace"]):
        assert AuditEvent.objects.filter(action="leave.balance.adjusted").exists()
    _run_pending_on_commit()
    titles = list(Notification.objects.filter(user=staff["users"]["member"]).values_list("title", flat=True))
    assert "Your annual leave balance changed by +2 days: Overtime in March" in titles


def test_an_adjustment_needs_a_reason_half_days_and_a_sane_size(staff):
    annual = _type(staff["workspace"])
    client = staff["clients"]["hr"]
    base = {"employee_id": staff["report"].pk, "leave_type_id": annual.pk}
    answer = client.post("/leave/adjustments", {**base, "days": 0.25, "reason": " "})
    assert answer.status_code == 422
    assert {e["field"] for e in answer.json()["errors"]} == {"days", "reason"}
    assert client.post("/leave/adjustments", {**base, "days": 0, "reason": "x"}).json()["field"] == "days"
    assert client.post("/leave/adjustments", {**base, "days": 400, "reason": "x"}).json()["field"] == "days"
    assert client.post("/leave/adjustments", {**base, "days": -1.5, "reason": "x"}).status_code == 201
    sick = _type(staff["workspace"], "sick")
    answer = client.post("/leave/adjustments", {**base, "leave_type_id": sick.pk, "days": 1, "reason": "x"})
    assert answer.status_code == 422 and answer.json()["field"] == "leave_type_id"


def test_an_adjustment_above_the_maximum_balance_is_refused(staff):
    annual = _type(staff["workspace"])
    client = staff["clients"]["hr"]
    client.patch(f"/leave/types/{annual.pk}", {"max_balance": 10})
    base = {"employee_id": staff["report"].pk, "leave_type_id": annual.pk, "reason": "Bonus"}
    assert client.post("/leave/adjustments", {**base, "days": 8}).status_code == 201
    answer = client.post("/leave/adjustments", {**base, "days": 2.5})
    assert answer.status_code == 422 and answer.json()["field"] == "days"
    assert "at most 2 more" in answer.json()["detail"]
    assert client.post("/leave/adjustments", {**base, "days": 2}).status_code == 201


def test_who_sees_whose_balance(staff):
    report, hana = staff["report"], staff["employees"]["hr"]
    assert staff["clients"]["manager"].get(f"/leave/balances?employee_id={report.pk}").status_code == 200
    assert staff["clients"]["manager"].get(f"/leave/balances?employee_id={hana.pk}").status_code == 404
    assert staff["clients"]["member"].get(f"/leave/balances?employee_id={staff['boss'].pk}").status_code == 404
    assert staff["clients"]["member"].get(f"/leave/ledger?employee_id={staff['boss'].pk}").status_code == 404
    assert staff["clients"]["hr"].get(f"/leave/ledger?employee_id={report.pk}").status_code == 200
    answer = staff["clients"]["admin"].get("/leave/balances")
    assert answer.status_code == 409 and answer.json()["code"] == "no_employee_record"


def test_wrong_role_and_other_workspace(staff, other_staff):
    annual = _type(staff["workspace"])
    refused = staff["clients"]["manager"].post("/leave/adjustments", {
        "employee_id": staff["report"].pk, "leave_type_id": annual.pk, "days": 1, "reason": "x"})
    assert refused.status_code == 403
    theirs = _type(other_staff["workspace"])
    answer = staff["clients"]["hr"].post("/leave/adjustments", {
        "employee_id": other_staff["employee"].pk, "leave_type_id": theirs.pk, "days": 1, "reason": "x"})
    assert answer.status_code == 422
    assert {e["field"] for e in answer.json()["errors"]} == {"employee_id", "leave_type_id"}
    assert staff["clients"]["hr"].get(f"/leave/balances?employee_id={other_staff['employee'].pk}").status_code == 404
    with workspace_scope(other_staff["workspace"]):
        assert not LedgerEntry.objects.exists()


def test_the_balances_page_shows_the_ledger_and_hr_adjusts(staff):
    from tests.web.pages import signed_in_client, text

    annual = _type(staff["workspace"])
    with workspace_scope(staff["workspace"]):
        ledger.post(staff["report"], annual, "grant", Decimal(25), effective_on=dt.date(2026, 1, 1), period="2026")
    base = f"/w/{staff['workspace'].slug}/leave/balances/"
    mine = text(signed_in_client(staff["users"]["member"]).get(base + "?year=2026"))
    assert "My leave balances" in mine and "Yearly grant" in mine and "Adjust a balance" not in mine
    hr = signed_in_client(staff["users"]["hr"])
    theirs = text(hr.get(f"{base}?employee={staff['report'].pk}&year=2026"))
    assert "Leave balances of Remy Report" in theirs and "Adjust a balance" in theirs
    bad = hr.post(base + "adjust", {"employee_id": staff["report"].pk, "leave_type_id": annual.pk, "days": "0.3",
                                    "reason": ""})
    assert bad.status_code == 422
    done = hr.post(base + "adjust", {"employee_id": staff["report"].pk, "leave_type_id": annual.pk, "days": "1.5",
                                     "reason": "Worked a Saturday"})
    assert done.status_code == 302
    assert "Worked a Saturday" in text(hr.get(done["Location"]))
    manager = signed_in_client(staff["users"]["manager"])
    assert manager.get(f"{base}?employee={staff['employees']['hr'].pk}").status_code == 404
    assert manager.post(base + "adjust", {"employee_id": staff["report"].pk}).status_code == 403


def test_an_admin_without_an_employee_record_picks_someone_on_the_balances_page(staff):
    from tests.web.pages import signed_in_client, text

    page = signed_in_client(staff["users"]["admin"]).get(f"/w/{staff['workspace'].slug}/leave/balances/")
    assert page.status_code == 200
    assert "Leave balances of" in text(page) and 'id="pick-employee"' in text(page)

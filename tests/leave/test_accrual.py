"""The accrual job: yearly grants (pro-rated), monthly accruals (catching up), carry-over with its cap and
expiry, the maximum balance, and idempotency (running twice grants once)."""
import datetime as dt
from decimal import Decimal

from oorg.core.tenancy import workspace_scope
from oorg.leave import ledger
from oorg.leave.models import LeaveType, LedgerEntry
from oorg.leave.services import accrual
from oorg.leave.services import types as type_services
from oorg.org import services as org_services


def _hire(staff, code, start, **fields):
    with workspace_scope(staff["workspace"]):
        return org_services.create_employee(staff["system"], code=code, full_name=f"New {code}", start_date=start,
                                            branch=staff["berlin"], **fields)


def _type(workspace, code="annual"):
    with workspace_scope(workspace):
        return LeaveType.objects.get(code=code)


def _balance(staff, employee, code="annual", on=None):
    with workspace_scope(staff["workspace"]):
        return ledger.balance(employee, _type(staff["workspace"], code), on=on)


def _entries(staff, employee, code="annual"):
    with workspace_scope(staff["workspace"]):
        return list(LedgerEntry.objects.filter(employee=employee, leave_type__code=code)
                    .order_by("effective_on", "id").values_list("kind", "days", "period"))


def _monthly(staff, **policy):
    with workspace_scope(staff["workspace"]):
        return type_services.create_type(staff["actors"]["hr"], code="flex", name="Flex time", accrual="monthly",
                                         days_per_year=12, **policy)


def test_the_yearly_grant_is_written_once_however_often_the_job_runs(staff, other_staff):
    first = accrual.run_accruals(dt.date(2026, 3, 1))
    second = accrual.run_accruals(dt.date(2026, 3, 1))
    third = accrual.run_accruals(dt.date(2026, 3, 2))
    assert first["granted"] >= 6 and second["granted"] == 0 and third["granted"] == 0
    assert _entries(staff, staff["report"]) == [("grant", Decimal("25.00"), "2026")]
    assert _balance(staff, staff["report"]) == 25
    with workspace_scope(other_staff["workspace"]):  # every workspace, each in its own scope
        assert LedgerEntry.objects.filter(employee=other_staff["employee"], kind="grant").count() == 1


def test_a_lost_race_grants_once(staff):
    """Two runs that both saw no grant: the unique constraint keeps one."""
    annual = _type(staff["workspace"])
    with workspace_scope(staff["workspace"]):
        assert ledger.post_once(staff["report"], annual, "grant", Decimal(25), effective_on=dt.date(2026, 1, 1),
                                period="2026")
        assert not ledger.post_once(staff["report"], annual, "grant", Decimal(25),
                                    effective_on=dt.date(2026, 1, 1), period="2026")
        people = list(accrual._employees(dt.date(2026, 3, 1)).values("pk", "start_date", "end_date"))
        accrual._batch(staff["workspace"].pk, dt.date(2026, 3, 1), [annual], people)
        # A batch that still believes no grant exists writes nothing twice either.
        LedgerEntry.objects.bulk_create([LedgerEntry(workspace=staff["workspace"], employee=staff["report"],
                                                     leave_type=annual, kind="grant", days=25,
                                                     effective_on=dt.date(2026, 1, 1), period="2026")],
                                        ignore_conflicts=True)
    assert _balance(staff, staff["report"]) == 25


def test_a_first_year_is_pro_rated_by_months_left_in_a_leap_year(staff):
    leap_day = _hire(staff, "L001", dt.date(2028, 2, 29))
    march = _hire(staff, "L002", dt.date(2028, 3, 10))
    not_yet = _hire(staff, "L003", dt.date(2028, 6, 1))
    accrual.run_accruals(dt.date(2028, 3, 15))
    assert _entries(staff, leap_day) == [("grant", Decimal("23.00"), "2028")]  # 25 × 11/12 = 22.92 → 23
    assert _entries(staff, march) == [("grant", Decimal("21.00"), "2028")]  # 25 × 10/12 = 20.83 → 21
    assert _entries(staff, not_yet) == []
    with workspace_scope(staff["workspace"]):
        assert LedgerEntry.objects.get(employee=leap_day).effective_on == dt.date(2028, 2, 29)


def test_monthly_accrual_catches_up_missed_months(staff):
    _monthly(staff)
    accrual.run_accruals(dt.date(2026, 4, 10))
    assert [e[2] for e in _entries(staff, staff["report"], "flex")] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert _balance(staff, staff["report"], "flex") == 4
    accrual.run_accruals(dt.date(2026, 4, 30))
    accrual.run_accruals(dt.date(2026, 5, 2))
    assert len(_entries(staff, staff["report"], "flex")) == 5
    accrual.run_accruals(dt.date(2026, 12, 31))
    assert _balance(staff, staff["report"], "flex") == 12


def test_monthly_accrual_pro_rates_the_first_month_by_days(staff):
    _monthly(staff)
    leap_day = _hire(staff, "L010", dt.date(2028, 2, 29))
    accrual.run_accruals(dt.date(2028, 3, 1))
    entries = _entries(staff, leap_day, "flex")
    assert entries == [("accrual", Decimal("0.03"), "2028-02"), ("accrual", Decimal("1.00"), "2028-03")]  # 1 × 1/29


def test_carry_over_is_capped_and_the_rest_expires_at_year_end(staff):
    report = staff["report"]
    accrual.run_accruals(dt.date(2026, 1, 5))
    annual = _type(staff["workspace"])
    with workspace_scope(staff["workspace"]):
        ledger.post(report, annual, "taken", Decimal(-17), effective_on=dt.date(2026, 8, 3))
    assert _balance(staff, report) == 8
    accrual.run_accruals(dt.date(2027, 1, 2))
    accrual.run_accruals(dt.date(2027, 1, 3))
    entries = _entries(staff, report)
    assert ("carry_over", Decimal("-5.00"), "2026-OUT") in entries
    assert ("expiry", Decimal("-3.00"), "2026") in entries
    assert ("carry_over", Decimal("5.00"), "2027") in entries
    assert ("grant", Decimal("25.00"), "2027") in entries
    assert _balance(staff, report, on=dt.date(2026, 12, 31)) == 0
    assert _balance(staff, report) == 30  # 5 carried + 25 granted


def test_carried_days_not_taken_in_time_expire(staff):
    report = staff["report"]
    annual = _type(staff["workspace"])
    with workspace_scope(staff["workspace"]):
        ledger.post(report, annual, "adjustment", Decimal(5), effective_on=dt.date(2026, 6, 1), reason="test")
    accrual.run_accruals(dt.date(2027, 1, 2))
    with workspace_scope(staff["workspace"]):
        ledger.post(report, annual, "taken", Decimal(-2), effective_on=dt.date(2027, 2, 10))
    accrual.run_accruals(dt.date(2027, 3, 31))  # annual: carried days expire after 3 months, on 1 April
    assert not [e for e in _entries(staff, report) if e[2] == "2027-CO"]
    accrual.run_accruals(dt.date(2027, 4, 1))
    accrual.run_accruals(dt.date(2027, 4, 2))
    expired = [e for e in _entries(staff, report) if e[2] == "2027-CO"]
    assert expired == [("expiry", Decimal("-3.00"), "2027-CO")]  # 5 carried, 2 taken first from them
    assert _balance(staff, report) == 5 + 25 - 2 - 3


def test_the_maximum_balance_caps_grants(staff):
    _monthly(staff, max_balance=Decimal(2))
    accrual.run_accruals(dt.date(2026, 6, 1))
    assert _balance(staff, staff["report"], "flex") == 2
    assert len(_entries(staff, staff["report"], "flex")) == 6  # every month is done, even when nothing fits


def test_people_who_left_get_nothing_and_archived_types_accrue_nothing(staff):
    gone = _hire(staff, "G001", dt.date(2020, 1, 1), end_date=dt.date(2025, 6, 30))
    study = _monthly(staff)
    with workspace_scope(staff["workspace"]):
        type_services.update_type(staff["actors"]["hr"], study, active=False)
    accrual.run_accruals(dt.date(2026, 3, 1))
    assert _entries(staff, gone) == []
    assert _entries(staff, staff["report"], "flex") == []


def test_the_celery_task_runs_the_job(staff):
    from oorg.leave.tasks import run_accruals_task

    result = run_accruals_task.delay().get()
    assert result["workspaces"] >= 1
    assert _balance(staff, staff["report"]) == 25


def test_the_command_line_runs_the_job_for_a_date(staff, capsys):
    from oorg import cli

    assert cli.main(["leave", "accrue", "--date", "2026-02-01"]) == 0
    assert "yearly grants" in capsys.readouterr().out
    assert cli.main(["leave", "accrue", "--date", "2026-02-01"]) == 0
    assert _entries(staff, staff["report"]) == [("grant", Decimal("25.00"), "2026")]
    assert cli.main(["leave", "accrue", "--date", "2026-02-30"]) == 2

"""Shared bits of the leave request tests: dates ahead of today, a balance, a holiday."""
import datetime as dt
from decimal import Decimal

from oorg.attendance.models import Holiday
from oorg.core.tenancy import workspace_scope
from oorg.leave import ledger
from oorg.leave.models import LeaveType


def weekday_ahead(weekday: int, weeks: int = 4) -> dt.date:
    """A date `weeks` weeks ahead falling on `weekday` (0 Monday .. 4 Friday)."""
    day = dt.date.today() + dt.timedelta(weeks=weeks)
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def leave_type(workspace, code="annual", **changes) -> LeaveType:
    with workspace_scope(workspace):
        t = LeaveType.objects.get(code=code)
        for name, value in changes.items():
            setattr(t, name, value)
        if changes:
            t.save()
        return t


def grant(workspace, employee, days=10, code="annual"):
    with workspace_scope(workspace):
        t = LeaveType.objects.get(code=code)
        ledger.post(employee, t, "adjustment", Decimal(days), effective_on=dt.date.today(), reason="test")


def balance(workspace, employee, code="annual"):
    with workspace_scope(workspace):
        return ledger.balance(employee, LeaveType.objects.get(code=code))


def holiday(workspace, branch, date, name="Holiday"):
    with workspace_scope(workspace):
        Holiday.objects.create(workspace=workspace, branch=branch, date=date, name=name)


def ask(client, workspace, start, end, code="annual", **extra):
    t = leave_type(workspace, code)
    return client.post("/leave/requests", {"leave_type_id": t.pk, "start_date": str(start), "end_date": str(end),
                                           **extra})

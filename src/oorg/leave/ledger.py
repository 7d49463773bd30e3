"""The balance ledger: every change of a balance is an entry, a balance is their sum.

`post` writes one entry; job entries (grant, accrual, carry-over, expiry) carry a `period` and the unique
constraint `ledger_job_entry_once`, so `post_once` answers False instead of granting twice, whoever runs
the job and however often. Nothing here checks permissions: callers (services, jobs) do.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum

from .models import LeaveRequest, LeaveType, LedgerEntry

ZERO = Decimal("0")


def balance(employee, leave_type: LeaveType, *, on: dt.date | None = None) -> Decimal:
    """The sum of the employee's entries for this type (up to and including `on`, when given)."""
    entries = LedgerEntry.objects.filter(employee=employee, leave_type=leave_type)
    if on is not None:
        entries = entries.filter(effective_on__lte=on)
    return entries.aggregate(total=Sum("days"))["total"] or ZERO


def balances(employee, leave_types) -> dict[int, Decimal]:
    """{leave_type_id: balance} for several types in one query."""
    rows = (LedgerEntry.objects.filter(employee=employee, leave_type__in=leave_types)
            .values("leave_type_id").annotate(total=Sum("days")).order_by())
    found = {row["leave_type_id"]: row["total"] for row in rows}
    return {t.pk: found.get(t.pk, ZERO) for t in leave_types}


def pending_days(employee, leave_type: LeaveType, *, excluding: int | None = None) -> Decimal:
    """Days asked for in requests still waiting for a decision (they are not taken yet, but spoken for)."""
    waiting = LeaveRequest.objects.filter(employee=employee, leave_type=leave_type,
                                          status=LeaveRequest.Status.PENDING)
    if excluding is not None:
        waiting = waiting.exclude(pk=excluding)
    return waiting.aggregate(total=Sum("working_days"))["total"] or ZERO


def post(employee, leave_type: LeaveType, kind: str, days: Decimal, *, effective_on: dt.date, reason: str = "",
         request=None, created_by=None, period: str = "") -> LedgerEntry:
    return LedgerEntry.objects.create(workspace_id=employee.workspace_id, employee=employee, leave_type=leave_type,
                                      kind=kind, days=days, effective_on=effective_on, reason=reason,
                                      request=request, created_by=created_by, period=period)


def post_once(employee, leave_type: LeaveType, kind: str, days: Decimal, *, effective_on: dt.date, period: str,
              reason: str = "") -> bool:
    """A job's entry for `period`: written once; False when it already was (this run or any other)."""
    assert kind in ("grant", "accrual", "carry_over", "expiry") and period
    try:
        with transaction.atomic():
            post(employee, leave_type, kind, days, effective_on=effective_on, reason=reason, period=period)
    except IntegrityError:
        return False
    return True

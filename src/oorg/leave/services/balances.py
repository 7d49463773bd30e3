"""Balances, the ledger behind them, and adjustments by HR.

A balance is the sum of the employee's ledger entries for a type (leave/ledger.py). For a `year`, the answer
counts the entries effective up to the end of that year (leave approved for later in the year is already
taken), and says what was `granted` (grants, accruals, carry-overs and positive adjustments of that year) and
`taken` (leave taken less leave cancelled, that year). `pending`: days in requests still waiting;
`available` = balance − pending. Days are JSON numbers with at most 2 decimals.

Whose balances one sees follows leave/scopes.py (own, team, all); another employee outside it answers 404.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q, Sum

from oorg.attendance.calendar import today_for
from oorg.core import audit
from oorg.core.errors import Problems, ValidationFailed
from oorg.core.permissions import require
from oorg.org.models import Employee

from .. import ledger
from ..models import LeaveRequest, LeaveType, LedgerEntry
from ..permissions import MANAGE
from ..scopes import LEAVE, require_own_employee
from .types import type_list

ZERO = Decimal("0")
HALF = Decimal("0.5")
MAX_ADJUSTMENT = Decimal("365")
GRANTING = ("grant", "accrual", "carry_over")


def show_days(days: Decimal, *, sign: bool = False) -> str:
    """2.00 -> "2", 1.50 -> "1.5" (with sign: "+2", "-1.5")."""
    text = f"{Decimal(days).normalize():f}"
    return f"+{text}" if sign and days > 0 else text


def employee_for(actor, employee_id=None) -> Employee:
    """The employee named (within the actor's leave scope, else 404), or the actor's own (409 without one)."""
    if employee_id in (None, ""):
        LEAVE.filter(actor)  # a role without any leave right is refused (403) before "no employee record"
        return require_own_employee(actor)
    return LEAVE.get_employee(actor, employee_id)


def balance_rows(actor, employee: Employee, *, year: int | None = None) -> list[dict]:
    """One row per active type that tracks a balance: balance, pending, available, granted, taken. Two queries
    for every type together (entries by type and kind, waiting requests by type)."""
    year = year or today_for(employee).year
    if not 1900 <= year <= 2200:
        raise ValidationFailed("A year from 1900 to 2200.", field="year")
    types = [t for t in type_list(actor, active=True) if t.tracks_balance]
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    sums = (LedgerEntry.objects.filter(employee=employee, effective_on__lte=end)
            .values("leave_type_id").order_by()
            .annotate(balance=Sum("days"),
                      granted=Sum("days", filter=Q(effective_on__gte=start)
                                  & (Q(kind__in=GRANTING) | Q(kind="adjustment", days__gt=0))),
                      taken=Sum("days", filter=Q(effective_on__gte=start, kind__in=("taken", "cancelled")))))
    by_type = {row["leave_type_id"]: row for row in sums}
    waiting = (LeaveRequest.objects.filter(employee=employee, status=LeaveRequest.Status.PENDING)
               .values("leave_type_id").order_by().annotate(days=Sum("working_days")))
    pending = {row["leave_type_id"]: row["days"] or ZERO for row in waiting}
    rows = []
    for leave_type in types:
        found = by_type.get(leave_type.pk, {})
        balance = found.get("balance") or ZERO
        rows.append({"leave_type": leave_type, "balance": balance, "pending": pending.get(leave_type.pk, ZERO),
                     "available": balance - pending.get(leave_type.pk, ZERO),
                     "granted": found.get("granted") or ZERO, "taken": -(found.get("taken") or ZERO)})
    return rows


def ledger_entries(actor, employee: Employee, *, leave_type_id=None):
    """The employee's entries, newest first (by date, then by when they were written)."""
    entries = LedgerEntry.objects.filter(employee=employee).select_related("leave_type")
    if leave_type_id is not None:
        entries = entries.filter(leave_type_id=leave_type_id)
    return entries.order_by("-effective_on", "-id")


# --- adjustments -------------------------------------------------------------------------------------------------


def clean_days(value) -> Decimal:
    if value is None or value == "" or isinstance(value, bool):
        raise ValidationFailed("Give the days to add (negative to take away).", field="days", code="required")
    try:
        days = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed("days is a number, like 2 or -1.5.", field="days") from None
    if not days.is_finite():
        raise ValidationFailed("days is a number, like 2 or -1.5.", field="days")
    if days == 0:
        raise ValidationFailed("An adjustment changes the balance: days is not 0.", field="days")
    if abs(days) > MAX_ADJUSTMENT:
        raise ValidationFailed(f"An adjustment is at most {MAX_ADJUSTMENT} days either way.", field="days")
    if days % HALF != 0:
        raise ValidationFailed("Days are whole or half days (like 1.5).", field="days")
    return days.quantize(Decimal("0.01"))


def check_adjustment(actor, *, employee_id=None, leave_type_id=None, days=None, reason=None, unchecked=()):
    """(values, problems): the cleaned adjustment and every problem with it."""
    problems = Problems(unchecked=unchecked)
    clean = {}
    if "employee_id" not in unchecked:
        with problems.check():
            if employee_id in (None, ""):
                raise ValidationFailed("Choose the employee.", field="employee_id", code="required")
            try:
                clean["employee"] = LEAVE.get_employee(actor, employee_id)
            except Exception as exc:  # NotFound: one outside the scope is not a choice
                if getattr(exc, "status", None) != 404:
                    raise
                raise ValidationFailed("No such employee.", field="employee_id", code="not_found") from None
    if "leave_type_id" not in unchecked:
        with problems.check():
            try:
                pk = int(leave_type_id)
            except (TypeError, ValueError):
                pk = None
            leave_type = LeaveType.objects.filter(pk=pk).first() if pk else None
            if leave_type is None:
                raise ValidationFailed("No such leave type.", field="leave_type_id", code="not_found")
            if not leave_type.tracks_balance:
                raise ValidationFailed(f"{leave_type.name} keeps no balance to adjust.", field="leave_type_id")
            clean["leave_type"] = leave_type
    if "days" not in unchecked:
        with problems.check():
            clean["days"] = clean_days(days)
    if "reason" not in unchecked:
        text = " ".join(str(reason or "").split())
        if not text:
            problems.add(ValidationFailed("Say why the balance changes.", field="reason"))
        elif len(text) > 300:
            problems.add("A reason has at most 300 characters.", field="reason")
        clean["reason"] = text
    return clean, problems


def adjust_balance(actor, *, employee_id=None, leave_type_id=None, days=None, reason=None) -> LedgerEntry:
    """Add (or take away) days by hand, with a reason. Refused (422) when it would take the balance above the
    type's maximum."""
    require(actor, MANAGE)
    clean, problems = check_adjustment(actor, employee_id=employee_id, leave_type_id=leave_type_id, days=days,
                                       reason=reason)
    problems.raise_if_any()
    employee, leave_type, days = clean["employee"], clean["leave_type"], clean["days"]
    with transaction.atomic():
        # One adjustment of this employee's balances at a time, so the maximum holds.
        Employee.objects.select_for_update().filter(pk=employee.pk).first()
        current = ledger.balance(employee, leave_type)
        if days > 0 and leave_type.max_balance is not None and current + days > leave_type.max_balance:
            raise ValidationFailed(f"{leave_type.name} has a maximum balance of {show_days(leave_type.max_balance)} "
                                   f"days; the balance is {show_days(current)}, so at most "
                                   f"{show_days(max(leave_type.max_balance - current, ZERO))} more may be added.",
                                   field="days", code="above_max_balance")
        entry = ledger.post(employee, leave_type, LedgerEntry.Kind.ADJUSTMENT, days,
                            effective_on=today_for(employee), reason=clean["reason"], created_by=actor.membership)
        audit.record(actor, "leave.balance.adjusted", entry,
                     target_label=f"{employee.full_name}: {leave_type.name} {show_days(days, sign=True)}",
                     employee_id=employee.pk, leave_type_id=leave_type.pk, days=str(days), reason=clean["reason"])
    return entry

"""The accrual job: yearly grants, monthly accruals, carry-over into a new year and its expiry.

`run_accruals(today)` visits every workspace (inside its scope), every employee employed on `today` (started
on or before it, or with no start date; not ended before the year) and every active type that accrues
(`yearly` or `monthly`). Every entry it writes is a job entry with a `period`, protected by the unique
constraint `ledger_job_entry_once` (leave/ledger.py): it knows which periods exist already (one query for a
batch of employees) and writes the missing ones with bulk_create(ignore_conflicts=True), so running it twice,
or twice at once, grants once. Its cost is employees × types, in a few queries per batch of BATCH employees.

The rules:
- yearly: one grant per year (period "2026"), effective 1 January (or the start date). A first year started
  after January, with `prorate`, gets the months left counting the start month (started 10 March: 10/12),
  rounded to half days.
- monthly: one accrual per month (period "2026-03"), effective the 1st (or the start date), catching up every
  missed month of the year up to today's. Month m brings round(y·m/12) − round(y·(m−1)/12) (2 decimals), so a
  year adds up to exactly `days_per_year`. The start month, with `prorate`, counts its days from the start date.
- carry-over, on the first run of a year Y (types with a balance), from the balance B at 31 December of Y−1
  when B > 0: C = min(B, carry_over_max) (no cap when it is null). Three entries keep the balance the sum of
  the ledger and each year's story readable: `carry_over` −C on 31 December Y−1 (period "Y−1-OUT": carried out),
  `expiry` −(B − C) the same day (period "Y−1": forfeited), and `carry_over` +C on 1 January Y (period "Y").
  A negative balance simply continues (no entries).
- carry-over expiry, with `carry_over_expires_months` M: from 1 January Y + M months on, what of C was not
  used goes (`expiry`, period "Y-CO"). Leave taken in the year before that date counts first against the
  carried days (taken less cancelled); nothing more than the balance expires.
- max_balance caps grants and accruals: the entry is written with what fits (0 when nothing does, which still
  marks its period done).
- Someone who left during the year gets no monthly accruals after the month they left. "Today" is the UTC date
  of the run.
"""
from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Q, Sum

from oorg.core import audit
from oorg.core.models import Workspace
from oorg.core.permissions import Actor
from oorg.core.tenancy import workspace_scope
from oorg.org.models import Employee

from ..models import LeaveType, LedgerEntry

BATCH = 2000
ZERO = Decimal("0")
CENT = Decimal("0.01")
JOB_KINDS = ("grant", "accrual", "carry_over", "expiry")


@dataclass
class Counts:
    granted: int = 0
    accrued: int = 0
    carried: int = 0
    expired: int = 0

    def add(self, other: Counts) -> None:
        for name in ("granted", "accrued", "carried", "expired"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        return {"granted": self.granted, "accrued": self.accrued, "carried": self.carried, "expired": self.expired}


def round_half(days: Decimal) -> Decimal:
    return (days * 2).quantize(Decimal("1"), rounding=ROUND_HALF_UP) / 2


def cents(days: Decimal) -> Decimal:
    return days.quantize(CENT, rounding=ROUND_HALF_UP)


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def yearly_grant(leave_type: LeaveType, start: dt.date | None, year: int) -> tuple[Decimal, dt.date]:
    """(days, effective date) of the year's grant for someone who started on `start`."""
    first = dt.date(year, 1, 1)
    if start is None or start <= first:
        return Decimal(leave_type.days_per_year), first
    if not leave_type.prorate:
        return Decimal(leave_type.days_per_year), start
    months = 13 - start.month
    return round_half(Decimal(leave_type.days_per_year) * months / 12), start


def monthly_accrual(leave_type: LeaveType, start: dt.date | None, year: int, month: int) -> tuple[Decimal, dt.date]:
    per_year = Decimal(leave_type.days_per_year)
    days = cents(per_year * month / 12) - cents(per_year * (month - 1) / 12)
    first = dt.date(year, month, 1)
    if start is None or start <= first:
        return days, first
    if leave_type.prorate:
        length = calendar.monthrange(year, month)[1]
        days = cents(days * (length - start.day + 1) / length)
    return days, start


def expiry_date(leave_type: LeaveType, year: int) -> dt.date | None:
    if not leave_type.carry_over_expires_months:
        return None
    return add_months(dt.date(year, 1, 1), leave_type.carry_over_expires_months)


# --- one workspace ---------------------------------------------------------------------------------------------


def _employees(today: dt.date):
    year_start = dt.date(today.year, 1, 1)
    return (Employee.objects.filter(Q(start_date__isnull=True) | Q(start_date__lte=today))
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=year_start))
            .exclude(status=Employee.Status.TERMINATED, end_date__isnull=True)
            .order_by("pk"))


def _sums(entries, key=("employee_id", "leave_type_id")) -> dict:
    return {tuple(row[k] for k in key): row["total"] or ZERO
            for row in entries.values(*key).order_by().annotate(total=Sum("days"))}


def _batch(workspace_id: int, today: dt.date, types: list[LeaveType], people: list[dict]) -> Counts:
    """Every entry due for this batch of employees (ids from people[0] to people[-1])."""
    year = today.year
    low, high = people[0]["pk"], people[-1]["pk"]
    in_batch = LedgerEntry.objects.filter(employee_id__gte=low, employee_id__lte=high, leave_type__in=types)
    periods = [str(year - 1), f"{year - 1}-OUT", str(year), f"{year}-CO", *(f"{year}-{m:02d}" for m in range(1, 13))]
    have = set(in_batch.filter(kind__in=JOB_KINDS, period__in=periods)
               .values_list("employee_id", "leave_type_id", "kind", "period"))
    end_of_last_year = dt.date(year - 1, 12, 31)
    closing = _sums(in_batch.filter(effective_on__lte=end_of_last_year))
    balance = defaultdict(lambda: ZERO, _sums(in_batch))  # running: what is written below is added to it
    counts, new = Counts(), []

    def write(person, leave_type, kind, days, on, period, reason=""):
        key = (person["pk"], leave_type.pk)
        new.append(LedgerEntry(workspace_id=workspace_id, employee_id=person["pk"], leave_type=leave_type,
                               kind=kind, days=days, effective_on=on, period=period, reason=reason))
        have.add((person["pk"], leave_type.pk, kind, period))
        balance[key] += days

    def capped(person, leave_type, days) -> tuple[Decimal, str]:
        if leave_type.max_balance is None or days <= 0:
            return days, ""
        room = max(Decimal(leave_type.max_balance) - balance[(person["pk"], leave_type.pk)], ZERO)
        if days > room:
            return room, f"capped at the maximum balance of {Decimal(leave_type.max_balance).normalize():f} days"
        return days, ""

    carried_in: dict[tuple[int, int], Decimal] = {}
    for leave_type in types:
        for person in people:
            key = (person["pk"], leave_type.pk)
            # Carry-over from last year, once.
            if (person["pk"], leave_type.pk, "carry_over", str(year)) in have:
                pass
            elif closing.get(key, ZERO) > 0:
                left = closing[key]
                cap = leave_type.carry_over_max
                carried = left if cap is None else min(left, Decimal(cap))
                write(person, leave_type, "carry_over", -carried, end_of_last_year, f"{year - 1}-OUT",
                      f"carried over to {year}")
                if left > carried and (person["pk"], leave_type.pk, "expiry", str(year - 1)) not in have:
                    write(person, leave_type, "expiry", -(left - carried), end_of_last_year, str(year - 1),
                          f"not carried over (at most {Decimal(cap).normalize():f} days)")
                write(person, leave_type, "carry_over", carried, dt.date(year, 1, 1), str(year),
                      f"carried over from {year - 1}")
                counts.carried += 1
            start = person["start_date"]
            if leave_type.accrual == LeaveType.Accrual.YEARLY:
                if (person["pk"], leave_type.pk, "grant", str(year)) not in have:
                    days, on = yearly_grant(leave_type, start, year)
                    days, reason = capped(person, leave_type, days)
                    write(person, leave_type, "grant", days, on, str(year), reason)
                    counts.granted += 1
            else:
                first_month = start.month if start is not None and start.year == year else 1
                end = person["end_date"]
                last_month = min(today.month, end.month) if end is not None and end.year == year else today.month
                for month in range(first_month, last_month + 1):
                    period = f"{year}-{month:02d}"
                    if (person["pk"], leave_type.pk, "accrual", period) in have:
                        continue
                    days, on = monthly_accrual(leave_type, start, year, month)
                    days, reason = capped(person, leave_type, days)
                    write(person, leave_type, "accrual", days, on, period, reason)
                    counts.accrued += 1
        # Expiry of what was carried into this year and not used in time.
        expires = expiry_date(leave_type, year)
        if expires is None or today < expires:
            continue
        todo = [p for p in people if (p["pk"], leave_type.pk, "expiry", f"{year}-CO") not in have]
        if not todo:
            continue
        carried_in = _sums(LedgerEntry.objects.filter(employee_id__gte=low, employee_id__lte=high,
                                                      leave_type=leave_type, kind="carry_over", period=str(year)))
        for entry in new:  # written in this run, not yet in the database
            if entry.leave_type_id == leave_type.pk and entry.kind == "carry_over" and entry.period == str(year):
                carried_in[(entry.employee_id, leave_type.pk)] = entry.days
        used = _sums(LedgerEntry.objects.filter(employee_id__gte=low, employee_id__lte=high, leave_type=leave_type,
                                                kind__in=("taken", "cancelled"),
                                                effective_on__gte=dt.date(year, 1, 1), effective_on__lt=expires))
        for person in todo:
            key = (person["pk"], leave_type.pk)
            carried = carried_in.get(key, ZERO)
            if carried <= 0:
                continue
            unused = min(max(carried + used.get(key, ZERO), ZERO), max(balance[key], ZERO))
            if unused > 0:
                write(person, leave_type, "expiry", -unused, expires, f"{year}-CO",
                      f"carried-over days from {year - 1} not taken by {expires.isoformat()}")
                counts.expired += 1
    if new:
        LedgerEntry.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return counts


def accrue_workspace(workspace, today: dt.date) -> Counts:
    """Every due entry of one workspace (inside its scope), audited as one action when anything was written."""
    total = Counts()
    with workspace_scope(workspace):
        types = list(LeaveType.objects.filter(active=True, accrual__in=(LeaveType.Accrual.YEARLY,
                                                                        LeaveType.Accrual.MONTHLY)))
        if not types:
            return total
        last = 0
        while True:
            people = list(_employees(today).filter(pk__gt=last).values("pk", "start_date", "end_date")[:BATCH])
            if not people:
                break
            with transaction.atomic():
                total.add(_batch(workspace.pk, today, types, people))
            last = people[-1]["pk"]
        # One audit record per kind of change and run (not one per entry: the ledger itself is the detail).
        actor, counts = Actor.system(workspace), total.as_dict()
        if total.granted or total.carried:
            audit.record(actor, "leave.balance.granted", None, target_label=f"{total.granted} grants, "
                         f"{total.carried} carry-overs", on=today.isoformat(), **counts)
        if total.accrued:
            audit.record(actor, "leave.balance.accrued", None, target_label=f"{total.accrued} monthly accruals",
                         on=today.isoformat(), **counts)
        if total.expired:
            audit.record(actor, "leave.balance.expired", None, target_label=f"{total.expired} expiries",
                         on=today.isoformat(), **counts)
    return total


def run_accruals(today: dt.date | None = None, *, progress=None) -> dict:
    """Run the job for every workspace. `progress(done, total)` is called after each workspace."""
    from django.utils import timezone

    today = today or timezone.now().date()
    ids = list(Workspace.objects.values_list("pk", flat=True).order_by("pk"))
    total = Counts()
    for done, workspace_id in enumerate(ids, start=1):
        workspace = Workspace.objects.filter(pk=workspace_id).first()
        if workspace is not None:
            total.add(accrue_workspace(workspace, today))
        if progress is not None:
            progress(done, len(ids))
    return {"workspaces": len(ids), **total.as_dict()}

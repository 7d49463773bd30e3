"""The monthly attendance and leave report: per employee or per department, the month's numbers summed from
the computed days (AttendanceDay, attendance/days.py).

One GROUP BY over the month's days: days present, late count and minutes, early leaves and their minutes,
overtime, absences, worked minutes, and the leave days of each leave type as one conditional sum per type
(leave_fraction where leave_type = that type), so "leave by type" costs no second query. The rows are those of
the ATTENDANCE scope (managers: their reports and themselves; HR and admins: everyone), read on the
`attendance_day_by_date` index. A page is a slice of the grouped rows; an export streams all of them.

Who may read it: those who see more than their own days (attendance.team.view or attendance.view_all).

Departments: a row per department counts the days by the department the employee was in on that day
(AttendanceDay.department), so a move mid-month splits a person's days between the two; the `department_id`
filter reads it the same way (with the departments below). A row per employee names their current department.
Employees with no computed day in the month have no row.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from oorg.core import audit
from oorg.core.errors import NotFound, PermissionDenied, ValidationFailed
from oorg.core.permissions import Actor
from oorg.core.tabular import stream_table
from oorg.core.tenancy import workspace_scope
from oorg.leave.models import LeaveType
from oorg.org import hierarchy
from oorg.org.models import Branch, Department

from .models import AttendanceDay
from .permissions import TEAM_VIEW, VIEW_ALL
from .scopes import ATTENDANCE

GROUPS = ("employee", "department")
FORMATS = ("csv", "xlsx")
PRESENT = (AttendanceDay.Status.PRESENT, AttendanceDay.Status.OPEN)
NUMBERS = ("days_present", "late_count", "late_minutes", "early_leaves", "early_leave_minutes", "overtime_minutes",
           "absences", "worked_minutes", "leave_days")
EXPORT_BATCH = 2000
DAYS = DecimalField(max_digits=8, decimal_places=2)


@dataclass(frozen=True)
class Month:
    first: dt.date
    last: dt.date

    @property
    def label(self) -> str:
        return self.first.strftime("%Y-%m")


def parse_month(text: str | None, *, today: dt.date | None = None, field: str = "month") -> Month:
    """'YYYY-MM' (this month when empty) as its first and last day; 422 naming the field otherwise."""
    if not text:
        first = (today or timezone.now().date()).replace(day=1)
    else:
        try:
            first = dt.datetime.strptime(str(text).strip(), "%Y-%m").date()
        except ValueError:
            raise ValidationFailed("Give a month as YYYY-MM, e.g. 2026-03.", field=field) from None
        if not 2000 <= first.year <= 2100:
            raise ValidationFailed("Give a month between 2000 and 2100.", field=field)
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return Month(first, following - dt.timedelta(days=1))


def require_reader(actor: Actor) -> None:
    if not (actor.can(TEAM_VIEW) or actor.can(VIEW_ALL)):
        raise PermissionDenied("Your role does not let you see attendance reports.")


def check_group(group: str) -> str:
    if group not in GROUPS:
        raise ValidationFailed("Group by employee or department.", field="group")
    return group


def check_filters(*, department_id: int | None = None, branch_id: int | None = None) -> None:
    if department_id is not None and not Department.objects.filter(pk=department_id).exists():
        raise NotFound("No such department.")
    if branch_id is not None and not Branch.objects.filter(pk=branch_id).exists():
        raise NotFound("No such branch.")


def leave_types() -> list[LeaveType]:
    """Every leave type of the workspace, in their order: one column each (a handful per workspace)."""
    return list(LeaveType.objects.order_by("position", "code", "pk"))


def days(actor: Actor, month: Month, *, department_id: int | None = None, branch_id: int | None = None) -> QuerySet:
    """The month's computed days the actor may see, filtered by department (and those below) and branch."""
    queryset = AttendanceDay.objects.filter(date__gte=month.first, date__lte=month.last)
    queryset = ATTENDANCE.rows(actor, queryset)
    if department_id is not None:
        queryset = queryset.filter(Q(department_id=department_id)
                                   | Q(department_id__in=hierarchy.departments_below(department_id)))
    if branch_id is not None:
        queryset = queryset.filter(employee__branch_id=branch_id)
    return queryset


def _zero(expression, output_field=None):
    if output_field is not None:
        return Coalesce(expression, Value(Decimal("0")), output_field=output_field)
    return Coalesce(expression, Value(0))


def aggregates(types: list[LeaveType]) -> dict:
    """The report's numbers as aggregate expressions over AttendanceDay rows."""
    numbers = {
        "days_present": Count("pk", filter=Q(status__in=PRESENT)),
        "late_count": Count("pk", filter=Q(late_minutes__gt=0)),
        "late_minutes": _zero(Sum("late_minutes")),
        "early_leaves": Count("pk", filter=Q(early_leave_minutes__gt=0)),
        "early_leave_minutes": _zero(Sum("early_leave_minutes")),
        "overtime_minutes": _zero(Sum("overtime_minutes")),
        "absences": Count("pk", filter=Q(status=AttendanceDay.Status.ABSENT)),
        "worked_minutes": _zero(Sum("worked_minutes")),
        "leave_days": _zero(Sum("leave_fraction", filter=Q(leave_type__isnull=False)), DAYS),
    }
    for kind in types:
        numbers[f"leave_{kind.pk}"] = _zero(Sum("leave_fraction", filter=Q(leave_type_id=kind.pk)), DAYS)
    return numbers


def grouped(actor: Actor, month: Month, *, group: str = "employee", department_id: int | None = None,
            branch_id: int | None = None, types: list[LeaveType] | None = None) -> QuerySet:
    """One GROUP BY: a row (dict) per employee or per department, ordered by name."""
    require_reader(actor)
    check_group(group)
    types = leave_types() if types is None else types
    queryset = days(actor, month, department_id=department_id, branch_id=branch_id)
    if group == "employee":
        keys = {"employee_code": F("employee__code"), "employee_name": F("employee__full_name"),
                "department_name": F("employee__department__name")}
        key, order = "employee_id", ("employee_name", "employee_id")
    else:
        keys = {"department_name": F("department__name")}
        key, order = "department_id", ("department_name", "department_id")
    extra = {"employees": Count("employee_id", distinct=True)} if group == "department" else {}
    return queryset.order_by().values(key, **keys).annotate(**aggregates(types), **extra).order_by(*order)


def _number(value):
    if isinstance(value, Decimal):
        return float(value)
    return value or 0


def item(row: dict, group: str, types: list[LeaveType]) -> dict:
    """One grouped row as the API answers it."""
    if group == "employee":
        head = {"employee": {"id": row["employee_id"], "code": row["employee_code"], "name": row["employee_name"]},
                "department": row["department_name"] or ""}
    else:
        head = {"department": {"id": row["department_id"], "name": row["department_name"] or "No department"},
                "employees": row["employees"]}
    return {**head, **{name: _number(row[name]) for name in NUMBERS},
            "leave": {kind.code: _number(row[f"leave_{kind.pk}"]) for kind in types}}


def monthly(actor: Actor, month: Month, *, group: str = "employee", department_id: int | None = None,
            branch_id: int | None = None, limit: int = 50, offset: int = 0) -> dict:
    """A page of the report: {"items", "count", "leave_types", "month"}."""
    require_reader(actor)
    check_group(group)
    if not 1 <= limit <= 200:
        raise ValidationFailed("limit must be between 1 and 200.", field="limit")
    if offset < 0:
        raise ValidationFailed("offset must be 0 or more.", field="offset")
    check_filters(department_id=department_id, branch_id=branch_id)
    types = leave_types()
    queryset = grouped(actor, month, group=group, department_id=department_id, branch_id=branch_id, types=types)
    rows = list(queryset[offset: offset + limit])
    if offset or len(rows) == limit:  # the groups, counted without their sums
        key = "employee_id" if group == "employee" else "department_id"
        count = (days(actor, month, department_id=department_id, branch_id=branch_id)
                 .order_by().values(key).distinct().count())
    else:
        count = offset + len(rows)
    return {"month": month.label, "group": group, "count": count,
            "items": [item(row, group, types) for row in rows],
            "leave_types": [{"code": t.code, "name": t.name, "color": t.color} for t in types]}


def headers(group: str, types: list[LeaveType]) -> list[str]:
    head = ["employee_code", "employee", "department"] if group == "employee" else ["department", "employees"]
    return [*head, *NUMBERS, *(f"leave_{kind.code}" for kind in types)]


def _rows(queryset: QuerySet, group: str, types: list[LeaveType]):
    for row in queryset.iterator(chunk_size=EXPORT_BATCH):
        data = item(row, group, types)
        if group == "employee":
            head = [data["employee"]["code"], data["employee"]["name"], data["department"]]
        else:
            head = [data["department"]["name"], data["employees"]]
        yield [*head, *(data[name] for name in NUMBERS), *(data["leave"][kind.code] for kind in types)]


def export(actor: Actor, month: Month, *, group: str = "employee", fmt: str = "csv", department_id: int | None = None,
           branch_id: int | None = None):
    """The whole report as CSV or XLSX bytes, streamed while the grouped rows are read; audited."""
    require_reader(actor)
    check_group(group)
    if fmt not in FORMATS:
        raise ValidationFailed("Export as csv or xlsx.", field="format")
    check_filters(department_id=department_id, branch_id=branch_id)
    types = leave_types()
    queryset = grouped(actor, month, group=group, department_id=department_id, branch_id=branch_id, types=types)
    filters = {k: v for k, v in (("department_id", department_id), ("branch_id", branch_id)) if v is not None}
    audit.record(actor, "attendance.report.exported", actor.workspace, month=month.label, group=group, format=fmt,
                 **filters)
    chunks = stream_table(fmt, headers(group, types), _rows(queryset, group, types))
    return _in_scope(actor.workspace.pk, chunks)


def filename_for(month: Month, group: str) -> str:
    return f"attendance-{month.label}-by-{group}"


def _in_scope(workspace_id: int, chunks):
    """A response streams after the request's workspace scope has closed: read the rows inside it again."""
    with workspace_scope(workspace_id):
        yield from chunks

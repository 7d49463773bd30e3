"""Who is away: leave requests overlapping a range of dates, as the viewer may see them, with the holidays of
that range. Used by the calendar API, the team calendar page and the iCal feeds.

Whose leave shows follows the LEAVE scope (leave/scopes.py), like every other leave read: a member sees
their own, a manager their reports at any depth (and themself), HR everyone's, each with its type of leave.
The calendar (API and page, not the feeds) also shows the approved absences of the viewer's colleagues in
their own department, as "away" only: knowing who is out is what a team calendar is for, while the type of
leave (sick leave) is sensitive (LeaveRequest.PersonalData) and stays with the employee, their managers and
HR. Each row says which it is (`type_shown`), decided by the database in the same query.

One query per page: the requests' range read on the `leave_request_by_dates` index (start_date <= to and
end_date >= from), narrowed by the scope's subquery, with the employee and the type joined.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone

from oorg.attendance.models import Holiday
from oorg.core.errors import NotFound, Problems, ValidationFailed
from oorg.org import hierarchy
from oorg.org.models import Branch, Department, Employee

from .models import LeaveRequest
from .scopes import LEAVE, own_employee

MAX_DAYS = 92  # a calendar answer covers at most about a quarter
SHOWN = (LeaveRequest.Status.APPROVED, LeaveRequest.Status.CANCEL_REQUESTED)  # still away until cancelled


@dataclass(frozen=True)
class Range:
    start: dt.date
    end: dt.date


def check_range(start: dt.date | None, end: dt.date | None, *, max_days: int = MAX_DAYS,
                start_field: str = "from", end_field: str = "to") -> Range:
    """Both dates given, in order, and at most `max_days` days apart (422 naming the field). Neither given:
    this month."""
    if start is None and end is None:
        return month_range(None, timezone.now().date())
    with Problems() as problems:
        if start is None:
            problems.add("Give the first date (YYYY-MM-DD).", field=start_field)
        if end is None:
            problems.add("Give the last date (YYYY-MM-DD).", field=end_field)
        if start is not None and end is not None:
            if end < start:
                problems.add(f"'{end_field}' is on or after '{start_field}'.", field=end_field)
            elif (end - start).days + 1 > max_days:
                problems.add(f"Ask for at most {max_days} days at a time.", field=end_field)
    return Range(start, end)


def check_filters(*, department_id: int | None = None, branch_id: int | None = None) -> None:
    """A department or branch of another workspace (or none) answers 404, like any other id."""
    if department_id is not None and not Department.objects.filter(pk=department_id).exists():
        raise NotFound("No such department.")
    if branch_id is not None and not Branch.objects.filter(pk=branch_id).exists():
        raise NotFound("No such branch.")


def people_filter(*, department_id: int | None = None, branch_id: int | None = None, prefix: str = "") -> Q:
    """Employees of a department (and the departments below it) and/or a branch."""
    where = Q()
    if department_id is not None:
        where &= (Q(**{f"{prefix}department_id": department_id})
                  | Q(**{f"{prefix}department_id__in": hierarchy.departments_below(department_id)}))
    if branch_id is not None:
        where &= Q(**{f"{prefix}branch_id": branch_id})
    return where


def colleagues(actor, *, key: str = "employee__") -> Q | None:
    """The viewer's colleagues in their own department (not its sub-departments), or None when they have no
    employee record or no department. `key`: the path to the employee ("employee__" for requests, "" for
    employees)."""
    me = own_employee(actor)
    if me is None or me.department_id is None:
        return None
    return Q(**{f"{key}department_id": me.department_id})


def absences(actor, start: dt.date, end: dt.date, *, department_id: int | None = None,
             branch_id: int | None = None, include_pending: bool = False, with_colleagues: bool = False) -> QuerySet:
    """The leave requests overlapping start..end that the actor sees, ordered for keyset pages. Each carries
    `type_shown`: False for a colleague's absence seen only as "away" (`with_colleagues`; approved only)."""
    statuses = [*SHOWN, LeaveRequest.Status.PENDING] if include_pending else list(SHOWN)
    queryset = LeaveRequest.objects.filter(start_date__lte=end, end_date__gte=start, status__in=statuses)
    scope = LEAVE.filter(actor)
    if scope is None:
        queryset = queryset.annotate(type_shown=Value(True, output_field=BooleanField()))
    else:
        others = colleagues(actor) if with_colleagues else None
        if others is not None:
            queryset = queryset.filter(scope | (others & Q(status__in=SHOWN)))
        else:
            queryset = queryset.filter(scope)
        queryset = queryset.annotate(type_shown=Case(When(scope, then=Value(True)), default=Value(False),
                                                     output_field=BooleanField()))
    queryset = queryset.filter(people_filter(department_id=department_id, branch_id=branch_id, prefix="employee__"))
    return (queryset.select_related("employee", "leave_type")
            .order_by("start_date", "id"))


def people(actor, *, with_colleagues: bool = True) -> QuerySet:
    """The employees whose row the calendar page shows: those in the viewer's scope, and their department's."""
    scope = LEAVE.filter(actor, key="pk")
    if scope is None:
        return Employee.objects.all()
    others = colleagues(actor, key="") if with_colleagues else None
    return Employee.objects.filter(scope | others if others is not None else scope)


def holidays(start: dt.date, end: dt.date, *, branch_id: int | None = None) -> list[dict]:
    """The workspace's holidays in the range (of one branch and of every branch, when a branch is given)."""
    queryset = Holiday.objects.filter(date__gte=start, date__lte=end)
    if branch_id is not None:
        queryset = queryset.filter(Q(branch__isnull=True) | Q(branch_id=branch_id))
    return [{"date": day, "name": name, "branch_id": branch}
            for day, name, branch in queryset.order_by("date", "branch_id", "pk").values_list("date", "name",
                                                                                          "branch_id")[:1000]]


def status_of(request: LeaveRequest) -> str:
    return "pending" if request.status == LeaveRequest.Status.PENDING else "approved"


def item(request: LeaveRequest) -> dict:
    """One absence as the API answers it: a colleague's (`type_shown` False) without its type of leave."""
    kind = request.leave_type if getattr(request, "type_shown", True) else None
    return {"id": request.pk,
            "employee": {"id": request.employee_id, "name": request.employee.full_name},
            "start_date": request.start_date, "end_date": request.end_date, "half_day": request.half_day,
            "status": status_of(request),
            "leave_type": {"code": kind.code, "name": kind.name, "color": kind.color} if kind else None}


def require_viewer(actor) -> None:
    """Anyone with a leave scope may read the calendar (PermissionDenied otherwise)."""
    LEAVE.filter(actor)


def month_range(text: str | None, today: dt.date, *, field: str = "month") -> Range:
    """'YYYY-MM' (this month when empty) as its first and last day; 422 naming the field for garbage."""
    if not text:
        first = today.replace(day=1)
    else:
        try:
            first = dt.datetime.strptime(text, "%Y-%m").date()
        except ValueError:
            raise ValidationFailed("Give a month as YYYY-MM.", field=field) from None
        if not 2000 <= first.year <= 2100:
            raise ValidationFailed("Give a month between 2000 and 2100.", field=field)
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return Range(first, following - dt.timedelta(days=1))

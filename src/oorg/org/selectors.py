"""Who may see which employee, and how much of them.

Access levels, from least to most: the directory (work contact fields), the team view (a manager's
direct and indirect reports: the work profile) and the full profile (HR, admins, and the employee
themself). Personal fields need `org.employee.view_personal`, or being that employee.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass
from enum import IntEnum
from functools import cached_property, reduce

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from oorg.core import db
from oorg.core.errors import NotFound
from oorg.core.permissions import Actor, require

from . import hierarchy
from .models import Branch, Department, Employee, OrgSettings
from .permissions import (
    BRANCH_MANAGE,
    DEPARTMENT_MANAGE,
    DIRECTORY_VIEW,
    EMPLOYEE_VIEW_ALL,
    EMPLOYEE_VIEW_PERSONAL,
    TEAM_VIEW,
)

DIRECTORY_FIELDS = ("code", "full_name", "job_title", "department", "branch", "work_email", "phone", "status",
                    "manager", "has_photo")
WORK_FIELDS = DIRECTORY_FIELDS + ("employment_type", "start_date", "end_date", "member")
PERSONAL_FIELDS = ("birth_date", "home_address", "emergency_contact_name", "emergency_contact_phone")


class Access(IntEnum):
    NONE = 0
    DIRECTORY = 1
    TEAM = 2
    FULL = 3


@dataclass
class Viewer:
    """An actor plus what the org area needs to know about them; built once per request."""

    actor: Actor

    def __post_init__(self):
        self._in_team: dict[int, bool] = {}

    @cached_property
    def employee(self) -> Employee | None:
        if self.actor.membership is None:
            return None
        # [:1] rather than .first(): one member has at most one employee, and .first() adds an ORDER BY to compile
        return next(iter(Employee.objects.filter(member=self.actor.membership)[:1]), None)

    @cached_property
    def leads_team(self) -> bool:
        """May this viewer see a team at all (their reports, at any depth)?"""
        return self.employee is not None and self.actor.can(TEAM_VIEW)

    def team(self, *, in_or: bool = False):
        """Their direct and indirect reports, as a subquery for `filter(pk__in=...)`."""
        if not self.leads_team:
            return Employee.objects.none().values("pk")
        return hierarchy.reports_below(self.employee.pk, in_or=in_or)

    def in_team(self, employee: Employee) -> bool:
        """Is `employee` below this viewer? Walks up the employee's manager chain: O(depth)."""
        if not self.leads_team or employee.manager_id is None or employee.pk == self.employee.pk:
            return False
        if employee.pk not in self._in_team:
            self._in_team[employee.pk] = (employee.manager_id == self.employee.pk or self.employee.pk
                                          in hierarchy.managers_above(employee.manager_id))
        return self._in_team[employee.pk]

    def learn_team(self, employees) -> None:
        """Answer `in_team` for a page of rows with one query instead of one per row."""
        if not self.leads_team or self.actor.can(EMPLOYEE_VIEW_ALL):
            return
        unknown = [e.pk for e in employees if e.pk not in self._in_team and e.manager_id is not None]
        below = db.having_above(Employee, "manager", unknown, self.employee.pk)
        self._in_team.update({pk: pk in below for pk in unknown})

    def access_to(self, employee: Employee) -> Access:
        if self.actor.can(EMPLOYEE_VIEW_ALL) or (self.employee and self.employee.pk == employee.pk):
            return Access.FULL
        if self.in_team(employee):
            return Access.TEAM
        if self.actor.can(DIRECTORY_VIEW) and not employee.is_terminated:
            return Access.DIRECTORY
        return Access.NONE

    def sees_personal(self, employee: Employee) -> bool:
        return self.actor.can(EMPLOYEE_VIEW_PERSONAL) or bool(self.employee and self.employee.pk == employee.pk)


def viewer_for(actor: Actor) -> Viewer:
    return Viewer(actor)


def _ref(obj, label: str = "name"):
    return None if obj is None else {"id": obj.pk, "name": getattr(obj, label)}


def profile_of(viewer: Viewer, employee: Employee) -> dict:
    """The fields of `employee` this viewer may see (absent keys are hidden), plus `access`."""
    access = viewer.access_to(employee)
    names = DIRECTORY_FIELDS if access == Access.DIRECTORY else WORK_FIELDS
    if access >= Access.FULL and viewer.sees_personal(employee):
        names += PERSONAL_FIELDS
    values = {"department": _ref(employee.department), "branch": _ref(employee.branch),
              "manager": _ref(employee.manager, "full_name"), "has_photo": bool(employee.photo)}
    if "member" in names:  # the account that signs in as this employee
        member = employee.member
        values["member"] = None if member is None else {"id": member.pk, "name": member.user.email}
    data = {"id": employee.pk, "access": access.name.lower()}
    for name in names:
        data[name] = values[name] if name in values else getattr(employee, name)
    return data


OWN_COLUMNS = tuple(f.name for f in Employee._meta.concrete_fields)
# Of the rows joined to an employee, only what a profile shows: building the whole related rows (a user has
# twenty columns) was a third of a directory page's time.
RELATED_COLUMNS = ("department__name", "branch__name", "branch__country", "manager__full_name", "manager__status",
                   "member__is_active", "member__user__email")


def _base():
    return (Employee.objects.select_related("department", "branch", "manager", "member__user")
            .only(*OWN_COLUMNS, *RELATED_COLUMNS))


CURRENT = (Employee.Status.ACTIVE, Employee.Status.ON_LEAVE)


def _visible(viewer: Viewer, employees, *, current_only: bool):
    """Narrow `employees` to those the viewer may see at all."""
    actor = viewer.actor
    if actor.can(EMPLOYEE_VIEW_ALL):
        return employees
    if actor.can(DIRECTORY_VIEW) and current_only:
        return employees  # every current employee is in the directory: no need to walk the team
    clauses = []
    if viewer.employee is not None:
        clauses.append(Q(pk=viewer.employee.pk))
    if viewer.leads_team:
        clauses.append(Q(pk__in=viewer.team(in_or=True)))
    if actor.can(DIRECTORY_VIEW):
        clauses.append(~Q(status=Employee.Status.TERMINATED))
    if not clauses:
        return employees.none()
    return employees.filter(reduce(operator.or_, clauses))


def employees_visible_to(viewer: Viewer, *, department: int | None = None, include_subdepartments: bool = False,
                         branch: int | None = None, manager: int | None = None, status: str | None = None,
                         q: str | None = None):
    employees = _base()
    if not status:  # the directory shows current staff; ask for `terminated` (or `any`) to see leavers
        employees = employees.exclude(status=Employee.Status.TERMINATED)
    elif status != "any":
        employees = employees.filter(status=status)
    employees = _visible(viewer, employees, current_only=not status or status in CURRENT)
    if department is not None:
        in_department = Q(department_id=department)
        if include_subdepartments:
            in_department |= Q(department_id__in=hierarchy.departments_below(department))
        employees = employees.filter(in_department)
    if branch is not None:
        employees = employees.filter(branch_id=branch)
    if manager is not None:
        employees = employees.filter(manager_id=manager)
    if q:
        for word in q.split()[:5]:
            employees = employees.filter(Q(full_name__icontains=word) | Q(code__iexact=word)
                                         | Q(work_email__icontains=word) | Q(job_title__icontains=word))
    return employees.order_by("full_name", "pk")


def headcounts(viewer: Viewer, column: str) -> dict[int, int]:
    """Current employees per department_id or branch_id, as far as the viewer can see them."""
    people = employees_visible_to(viewer).order_by()
    return {row[column]: row["n"] for row in people.values(column).annotate(n=Count("pk"))}


def get_employee(viewer: Viewer, employee_id: int) -> Employee:
    """The employee, or NotFound both when absent and when the viewer may not see them."""
    employee = next(iter(_base().filter(pk=employee_id)), None)  # by primary key: no ORDER BY to compile
    if employee is None or viewer.access_to(employee) == Access.NONE:
        raise NotFound()
    return employee


def reports_of(viewer: Viewer, employee: Employee, *, all_levels: bool):
    """Direct reports (one indexed query), or everyone below at any depth (a subtree the database walks),
    as far as the viewer can see them: an ordered queryset, read a page at a time."""
    below = Q(pk__in=hierarchy.reports_below(employee.pk)) if all_levels else Q(manager_id=employee.pk)
    return employees_visible_to(viewer).filter(below)


# --- the org chart, one level at a time --------------------------------------------------------------------


CHART_COLUMNS = ("full_name", "job_title", "photo", "updated_at", "manager_id", "status", "department__name")


def _with_report_counts(employees):
    """Chart nodes: only the columns a node shows, and how many current people report to each."""
    employees = employees.select_related(None).select_related("department").only(*CHART_COLUMNS)
    current_reports = (Employee.objects.filter(manager_id=OuterRef("pk")).exclude(status=Employee.Status.TERMINATED)
                       .order_by().values("manager_id").annotate(n=Count("pk")).values("n"))
    return employees.annotate(report_count=Coalesce(Subquery(current_reports, output_field=IntegerField()),
                                                    Value(0)))


def chart_level(viewer: Viewer, parent: Employee | None = None):
    """One level of the chart (current staff), each with the number of their current direct reports.
    Without a parent: the top (no manager); for someone who sees only their own team, themself."""
    people = employees_visible_to(viewer)
    if parent is not None:
        people = people.filter(manager_id=parent.pk).exclude(pk=parent.pk)
    elif viewer.actor.can(EMPLOYEE_VIEW_ALL) or viewer.actor.can(DIRECTORY_VIEW):
        # No manager. (A current employee never reports to a leaver: terminating someone moves their reports
        # up, and the services and the import refuse a manager who has left.) One range of employee_by_manager.
        people = people.filter(manager__isnull=True)
    elif viewer.employee is not None:
        people = people.filter(pk=viewer.employee.pk)
    else:
        people = people.none()
    return _with_report_counts(people)


def chart_search(viewer: Viewer, q: str):
    """People matching a search, as chart nodes: where the chart's search jumps to."""
    return _with_report_counts(employees_visible_to(viewer, q=q))


def chart_path(viewer: Viewer, employee: Employee) -> list[Employee]:
    """From the top of what the viewer sees down to `employee`, each with report_count: the path the chart
    opens to show someone. O(depth)."""
    chain = list(reversed(hierarchy.managers_above(employee.pk))) + [employee.pk]
    found = {e.pk: e for e in _with_report_counts(employees_visible_to(viewer).filter(pk__in=chain))}
    path = []
    for pk in reversed(chain):  # from the person upwards, until someone the viewer cannot see
        if pk not in found:
            break
        path.append(found[pk])
    return list(reversed(path))


# --- departments, branches, settings ---------------------------------------------------------------


def departments_visible_to(actor: Actor):
    if not (actor.can(DIRECTORY_VIEW) or actor.can(DEPARTMENT_MANAGE)):
        require(actor, DIRECTORY_VIEW)
    return Department.objects.select_related("parent", "head").order_by("name", "pk")


def get_department(actor: Actor, department_id: int) -> Department:
    department = departments_visible_to(actor).filter(pk=department_id).first()
    if department is None:
        raise NotFound()
    return department


def department_tree(actor: Actor) -> list[tuple[Department, int]]:
    departments = list(departments_visible_to(actor))
    by_id = {d.pk: d for d in departments}
    parents = {d.pk: d.parent_id for d in departments}
    roots = [d.pk for d in departments if d.parent_id is None]
    return [(by_id[pk], depth) for pk, depth in hierarchy.depth_first(parents, roots)]


def branches_visible_to(actor: Actor):
    if not (actor.can(DIRECTORY_VIEW) or actor.can(BRANCH_MANAGE)):
        require(actor, DIRECTORY_VIEW)
    return Branch.objects.order_by("name", "pk")


def get_branch(actor: Actor, branch_id: int) -> Branch:
    branch = branches_visible_to(actor).filter(pk=branch_id).first()
    if branch is None:
        raise NotFound()
    return branch


DEFAULT_SELF_SERVICE = ["phone", "photo", "emergency_contact_name", "emergency_contact_phone"]


def org_settings(actor: Actor) -> OrgSettings:
    """The workspace's settings; until someone saves them, the defaults (unsaved: reading never writes)."""
    return OrgSettings.objects.first() or OrgSettings(workspace=actor.workspace,
                                                      self_service_fields=list(DEFAULT_SELF_SERVICE))

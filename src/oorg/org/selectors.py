"""Who may see which employee, and how much of them.

Access levels, from least to most: the directory (work contact fields), the team view (a manager's
direct and indirect reports: the work profile) and the full profile (HR, admins, and the employee
themself). Personal fields need `org.employee.view_personal`, or being that employee.
"""
from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass
from enum import IntEnum
from functools import cached_property, reduce

from django.db.models import Case, CharField, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from oorg.core import db
from oorg.core.errors import NotFound, PermissionDenied, ValidationFailed
from oorg.core.pagination import Segment
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


def _with_report_counts(employees, *, within: Q | None = None):
    """Chart nodes: only the columns a node shows, and how many current people report to each (of those
    matching `within`, when the chart is focused on a department)."""
    employees = employees.select_related(None).select_related("department").only(*CHART_COLUMNS)
    current_reports = Employee.objects.filter(manager_id=OuterRef("pk")).exclude(status=Employee.Status.TERMINATED)
    if within is not None:
        current_reports = current_reports.filter(within)
    current_reports = current_reports.order_by().values("manager_id").annotate(n=Count("pk")).values("n")
    return employees.annotate(report_count=Coalesce(Subquery(current_reports, output_field=IntegerField()),
                                                    Value(0)))


def in_department(department: Department, prefix: str = "") -> Q:
    """People of a department or of any department below it (a subtree the database walks). One IN over the
    departments (hundreds) rather than an OR: the planners then read each department's index range."""
    departments = Department.objects.filter(Q(pk=department.pk)
                                            | Q(pk__in=hierarchy.departments_below(department.pk))).values("pk")
    return Q(**{f"{prefix}department_id__in": departments})


def chart_level(viewer: Viewer, parent: Employee | None = None, *, department: Department | None = None):
    """One level of the chart (current staff), each with the number of their current direct reports.
    Without a parent: the top (no manager); for someone who sees only their own team, themself.
    With a department: only its people (sub-departments included); its top is those of its people whose
    manager is not in it (`department_roots`)."""
    if department is not None:
        if parent is None:
            return department_roots(viewer, department)
        people = employees_visible_to(viewer).filter(in_department(department))
        return _with_report_counts(people.filter(manager_id=parent.pk).exclude(pk=parent.pk),
                                   within=in_department(department))
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


def department_roots(viewer: Viewer, department: Department):
    """The top of a department's part of the chart: its people (sub-departments included) who have no manager
    or whose manager is not in it, with their report counts inside it. Reads the department's rows only."""
    inside = in_department(department)
    # Spelled out, not exclude(): NOT over a NULL (no manager, or a manager with no department) is NULL.
    outside = Q(manager__isnull=True) | Q(manager__department__isnull=True) | ~in_department(department, "manager__")
    people = employees_visible_to(viewer).filter(inside).filter(outside)
    return _with_report_counts(people, within=inside)


def department_chain(viewer: Viewer, department: Department) -> list[Employee]:
    """The line from the top down to where a department hangs: the managers above its head (or, without a
    head, above its first person at the top of its part). O(depth)."""
    anchor = department.head if department.head_id and not department.head.is_terminated else None
    if anchor is None:
        anchor = next(iter(department_roots(viewer, department)[:1]), None)
    if anchor is None or anchor.manager_id is None:
        return []
    try:
        manager = get_employee(viewer, anchor.manager_id)
    except NotFound:
        return []
    return chart_path(viewer, manager)


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


def department_headcounts(viewer: Viewer, *, within: Department | None = None) -> dict[int, int]:
    """Current employees per department, sub-departments included, as far as the viewer can see them: one
    query (the department tree's closure joined to the visible people's counts per department). `within`:
    only that department and those below it, reading only their people."""
    people = employees_visible_to(viewer)
    if within is not None:
        people = employees_visible_to(viewer, department=within.pk, include_subdepartments=True)
    return db.subtree_counts(Department, "parent", people, "department_id")


def department_members(viewer: Viewer, department: Department, *, subdepartments: bool = True):
    return employees_visible_to(viewer, department=department.pk, include_subdepartments=subdepartments)


def department_path(actor: Actor, department: Department) -> list[Department]:
    """From the top department down to this one: O(depth)."""
    above = hierarchy.departments_above(department.pk)
    found = {d.pk: d for d in departments_visible_to(actor).filter(pk__in=above)}
    return [found[pk] for pk in reversed(above) if pk in found] + [department]


def subdepartments(actor: Actor, department: Department):
    return departments_visible_to(actor).filter(parent=department)


# --- the directory's sorts and groups ------------------------------------------------------------------------
#
# Each order is read a page at a time by an index range, or by walking groups each read by one:
#   name, job title: one range (employee_directory, employee_by_title);
#   start date: the dated (employee_by_start), then the undated, so the undated come last both ways;
#   department, branch: their groups in tree or name order (hundreds), each an employee_by_<fk> range;
#   manager: managers in id order, found one at a time (one index probe each): there may be thousands.
# Within a group any sort is allowed: it reads that group's rows, not the workspace's.

SORTS = {"name": "Name", "title": "Job title", "start": "Start date", "department": "Department",
         "branch": "Branch"}
GROUPS = {"department": "Department", "branch": "Branch", "manager": "Manager"}


@dataclass(frozen=True)
class Group:
    """What a directory group header shows. `id` None: the people with no department/branch/manager."""

    kind: str
    id: int | None
    name: str = ""
    depth: int = 0


def _signed(descending: bool, *names: str) -> list[str]:
    return [f"-{n}" if descending else n for n in names]


def _within(people, sort: str, descending: bool):
    """One group's order. Not served by an index for every sort, but bounded by the group."""
    if sort == "title":
        return people.order_by(*_signed(descending, "job_title", "full_name", "pk"))
    if sort == "start":  # the undated last in both directions
        people = people.annotate(
            start_missing=Case(When(start_date__isnull=True, then=Value(1)), default=Value(0),
                               output_field=IntegerField()),
            start_key=Coalesce("start_date", Value(dt.date(1, 1, 1))))
        return people.order_by("start_missing", *_signed(descending, "start_key", "full_name", "pk"))
    if sort in ("department", "branch"):
        people = people.annotate(sort_name=Coalesce(f"{sort}__name", Value(""), output_field=CharField()),
                                 sort_id=Coalesce(f"{sort}_id", Value(0)))
        return people.order_by(*_signed(descending, "sort_name", "sort_id", "full_name", "pk"))
    return people.order_by(*_signed(descending, "full_name", "pk"))


def _listed_walk(keys: list[str], make):
    """A walk over segments known in advance by key; `make(i)` builds the i-th when the walk reaches it."""
    def walk(key, backwards):
        if key is not None and key not in keys:
            raise ValidationFailed("This cursor belongs to another list; start from the first page.", field="cursor")
        start = keys.index(key) if key is not None else (len(keys) - 1 if backwards else 0)
        for i in (range(start, -1, -1) if backwards else range(start, len(keys))):
            yield make(i)
    return walk


def _flat_walk(segments: list[Segment]):
    return _listed_walk([s.key for s in segments], segments.__getitem__)


def _listed_groups(viewer: Viewer, kind: str) -> list[Group] | None:
    """Departments in tree order (each named by its path) or branches by name; None if the viewer may not list
    them (a custom role): the groups are then found from the rows, like managers."""
    actor = viewer.actor
    try:
        if kind == "department":
            groups, path = [], []
            for department, depth in department_tree(actor):
                path = path[:depth] + [department.name]
                groups.append(Group(kind, department.pk, " › ".join(path), depth))
            return groups
        return [Group(kind, b.pk, b.name) for b in branches_visible_to(actor)]
    except PermissionDenied:
        return None


NO_GROUP = {"department": "No department", "branch": "No branch", "manager": "No manager"}


def _group_walk(viewer: Viewer, people, kind: str, *, reverse_groups: bool, sort: str, descending: bool):
    column = f"{kind}_id"

    def key_of(group: Group) -> str:
        return f"{kind[0]}{'-' if group.id is None else group.id}"

    def segment(group: Group) -> Segment:
        members = people.filter(**{f"{kind}__isnull": True} if group.id is None else {column: group.id})
        return Segment(key_of(group), _within(members, sort, descending), group)

    none = Group(kind, None, NO_GROUP[kind])
    listed = None if kind == "manager" else _listed_groups(viewer, kind)
    if listed is not None:
        groups = (list(reversed(listed)) if reverse_groups else listed) + [none]
        return _listed_walk([key_of(g) for g in groups], lambda i: segment(groups[i]))

    # Groups found one at a time from the rows, in id order: one indexed probe for the next id.
    having = people.filter(**{f"{kind}__isnull": False}).order_by()
    prefix = kind[0]

    def next_id(after: int | None, backwards: bool) -> int | None:
        rows = having
        if after is not None:
            rows = rows.filter(**{f"{column}__{'lt' if backwards else 'gt'}": after})
        return next(iter(rows.order_by(f"-{column}" if backwards else column).values_list(column, flat=True)[:1]),
                    None)

    def walk(key, backwards):
        if key is None:
            current = "none" if backwards else next_id(None, False)
        elif key == f"{prefix}-":
            current = "none"
        elif key[:1] == prefix and key[1:].isdigit():
            current = int(key[1:])
        else:
            raise ValidationFailed("This cursor belongs to another list; start from the first page.", field="cursor")
        if current == "none":
            yield segment(none)
            if not backwards:
                return
            current = next_id(None, True)
        while current is not None:
            yield segment(Group(kind, current))
            current = next_id(current, backwards)
        if not backwards:
            yield segment(none)

    return walk


def directory_walk(viewer: Viewer, people, *, sort: str = "name", descending: bool = False,
                   group: str | None = None):
    """How to read `people` (employees_visible_to) a page at a time in this order: a walk for
    core.pagination.segmented_page. Each row's label is its Group (None when not grouped)."""
    if sort not in SORTS:
        sort = "name"
    if group is None and sort in GROUPS:  # sorting by department or branch walks their groups
        return _group_walk(viewer, people, sort, reverse_groups=descending, sort="name", descending=False)
    if group in GROUPS:
        if sort == group:  # the direction orders the groups; names inside them
            return _group_walk(viewer, people, group, reverse_groups=descending, sort="name", descending=False)
        return _group_walk(viewer, people, group, reverse_groups=False, sort=sort, descending=descending)
    if sort == "start":
        dated = people.filter(start_date__isnull=False).order_by(*_signed(descending, "start_date", "full_name",
                                                                           "pk"))
        undated = people.filter(start_date__isnull=True).order_by("full_name", "pk")
        return _flat_walk([Segment("dated", dated), Segment("undated", undated)])
    if sort == "title":
        return _flat_walk([Segment("all", people.order_by(*_signed(descending, "job_title", "full_name", "pk")))])
    return _flat_walk([Segment("all", people.order_by(*_signed(descending, "full_name", "pk")))])


# --- bulk actions -------------------------------------------------------------------------------------------

BULK_LIMIT = 500  # people per bulk action: what one confirmation can name and one request can write


def check_bulk_size(count: int) -> None:
    if count == 0:
        raise ValidationFailed("Select at least one person.", field="employee_ids")
    if count > BULK_LIMIT:
        raise ValidationFailed(f"Select at most {BULK_LIMIT} people at a time; {count} are selected.",
                               field="employee_ids")


def employees_for_bulk(viewer: Viewer, ids) -> list[Employee]:
    """The selected people, by name, if the viewer may see every one of them. Ids come from a form or a JSON
    body, so one that is absent, of another workspace or hidden from the viewer is a 422 naming
    `employee_ids` (as any id in a body is), and nothing is read past the cap."""
    ids = list(dict.fromkeys(ids))
    check_bulk_size(len(ids))
    found = list(_base().filter(pk__in=ids))
    viewer.learn_team(found)
    visible = [e for e in found if viewer.access_to(e) != Access.NONE]
    if len(visible) != len(ids):
        missing = len(ids) - len(visible)
        raise ValidationFailed(f"{missing} of the selected people were not found, or you may not see them.",
                               field="employee_ids")
    return sorted(visible, key=lambda e: (e.full_name, e.pk))

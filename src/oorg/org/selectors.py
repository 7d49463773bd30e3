"""Who may see which employee, and how much of them.

Access levels, from least to most: the directory (work contact fields), the team view (a manager's
direct and indirect reports: the work profile) and the full profile (HR, admins, and the employee
themself). Personal fields need `org.employee.view_personal`, or being that employee.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from functools import cached_property

from django.db.models import Count, Q

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

    @cached_property
    def employee(self) -> Employee | None:
        if self.actor.membership is None:
            return None
        return Employee.objects.filter(member=self.actor.membership).first()

    @cached_property
    def team_ids(self) -> set[int]:
        """Direct and indirect reports, if the actor may see a team at all."""
        if self.employee is None or not self.actor.can(TEAM_VIEW):
            return set()
        return set(hierarchy.descendants(hierarchy.manager_of(), self.employee.pk))

    def access_to(self, employee: Employee) -> Access:
        if self.actor.can(EMPLOYEE_VIEW_ALL) or (self.employee and self.employee.pk == employee.pk):
            return Access.FULL
        if employee.pk in self.team_ids:
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


def _base():
    return Employee.objects.select_related("department", "branch", "manager", "member__user")


def employees_visible_to(viewer: Viewer, *, department: int | None = None, include_subdepartments: bool = False,
                         branch: int | None = None, manager: int | None = None, status: str | None = None,
                         q: str | None = None):
    actor = viewer.actor
    employees = _base()
    if not actor.can(EMPLOYEE_VIEW_ALL):
        visible = Q(pk__in=viewer.team_ids)
        if viewer.employee is not None:
            visible |= Q(pk=viewer.employee.pk)
        if actor.can(DIRECTORY_VIEW):
            visible |= ~Q(status=Employee.Status.TERMINATED)
        employees = employees.filter(visible)
    if not status:  # the directory shows current staff; ask for `terminated` (or `any`) to see leavers
        employees = employees.exclude(status=Employee.Status.TERMINATED)
    elif status != "any":
        employees = employees.filter(status=status)
    if department is not None:
        ids = [department]
        if include_subdepartments:
            ids += hierarchy.descendants(hierarchy.parent_of(), department)
        employees = employees.filter(department_id__in=ids)
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
    employee = _base().filter(pk=employee_id).first()
    if employee is None or viewer.access_to(employee) == Access.NONE:
        raise NotFound()
    return employee


def reports_of(viewer: Viewer, employee: Employee, *, all_levels: bool) -> list[Employee]:
    ids = hierarchy.descendants(hierarchy.manager_of(), employee.pk, all_levels=all_levels)
    order = {pk: i for i, pk in enumerate(ids)}
    found = [e for e in employees_visible_to(viewer).filter(pk__in=ids)]
    return sorted(found, key=lambda e: order[e.pk])


def org_chart(viewer: Viewer) -> list[dict]:
    """Nested nodes of the people the viewer can see: roots are those without a visible manager."""
    people = list(employees_visible_to(viewer))
    by_id = {e.pk: {"id": e.pk, "full_name": e.full_name, "job_title": e.job_title,
                    "department": _ref(e.department), "has_photo": bool(e.photo), "reports": []} for e in people}
    roots = []
    for e in people:
        parent = by_id.get(e.manager_id)
        (parent["reports"] if parent and e.manager_id != e.pk else roots).append(by_id[e.pk])
    return roots


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

"""Every write of the people-and-organization area: branches, departments, employees, settings.

Create and update report every problem of a request at once (core.errors.Problems), and each has a
`check_*` twin that returns those problems without saving: a page form runs it on the fields that passed
its own shape checks, so shape and rule errors are shown together (core.forms.ServiceForm).
"""
from __future__ import annotations

import copy
import datetime as dt
from contextlib import suppress
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from oorg.core import audit, images
from oorg.core.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    Problems,
    ValidationFailed,
    describe_choices,
    unchanged_on_refusal,
)
from oorg.core.permissions import Actor, require
from oorg.workspaces.selectors import get_member
from oorg.workspaces.services import end_membership

from . import hierarchy
from . import validation as v
from .models import Branch, Department, Employee, OrgSettings
from .permissions import (
    BRANCH_MANAGE,
    DEPARTMENT_MANAGE,
    EMPLOYEE_EDIT,
    EMPLOYEE_VIEW_PERSONAL,
    SETTINGS_MANAGE,
    TEAM_EDIT,
)
from .selectors import PERSONAL_FIELDS, Viewer, check_bulk_size, get_branch, get_department, org_settings


class HierarchyLoop(DomainError):
    status = 400
    code = "hierarchy_loop"


# --- branches ------------------------------------------------------------------------------------------

BRANCH_FIELDS = ("name", "address", "country", "time_zone", "working_days", "work_starts", "work_ends",
                 "holiday_calendar")


def _apply_branch(branch: Branch, changes: dict, *, unchecked=()) -> Problems:
    """Set `changes` on `branch` (unsaved); returns every problem found, for the caller to raise or report."""
    problems = Problems(unchecked=unchecked)
    for name, value in changes.items():
        with problems.check():
            if name not in BRANCH_FIELDS:
                raise ValidationFailed(f"Unknown field {name!r}.", field=name)
            if name == "name":
                value = v.clean_text(value, "name", max_length=120, required=True)
                if Branch.objects.filter(name__iexact=value).exclude(pk=branch.pk).exists():
                    raise Conflict(f"There is already a branch called {value!r}.", field="name")
            elif name == "address":
                value = v.clean_text(value, "address", max_length=500)
            elif name in ("country", "time_zone") and value == getattr(branch, name):
                pass  # kept as stored, even a value the picker no longer offers (a legacy zone alias)
            elif name == "country":
                value = v.clean_country(value)
            elif name == "time_zone":
                value = v.clean_time_zone(value)
            elif name == "working_days":
                value = v.clean_working_days(value)
            elif name == "holiday_calendar":
                value = v.clean_text(value, "holiday_calendar", max_length=60)
            setattr(branch, name, value)
    if not problems.about("work_starts", "work_ends"):
        with problems.check():
            v.clean_hours(branch.work_starts, branch.work_ends)
    return problems


def _new_branch(actor: Actor) -> Branch:
    # The workspace's zone as it is: a default is not the caller's input, so it is not judged as one.
    return Branch(workspace=actor.workspace, working_days=["mon", "tue", "wed", "thu", "fri"],
                  time_zone=actor.workspace.time_zone or "UTC")


def check_branch(actor: Actor, branch: Branch | None, fields: dict, *, unchecked=()) -> list[DomainError]:
    """Every problem create_branch (`branch` None) or update_branch would refuse `fields` for, without saving.
    `unchecked`: fields the caller could not read (rules that need them are skipped)."""
    require(actor, BRANCH_MANAGE, branch)
    target = _new_branch(actor) if branch is None else copy.copy(branch)
    return list(_apply_branch(target, fields, unchecked=unchecked))


def create_branch(actor: Actor, **fields) -> Branch:
    require(actor, BRANCH_MANAGE)
    branch = _new_branch(actor)
    with transaction.atomic():
        _apply_branch(branch, fields).raise_if_any()
        branch.save()
        audit.record(actor, "org.branch.created", branch, name=branch.name)
    return branch


def update_branch(actor: Actor, branch: Branch, **changes) -> Branch:
    require(actor, BRANCH_MANAGE, branch)
    with unchanged_on_refusal(branch), transaction.atomic():
        _apply_branch(branch, changes).raise_if_any()
        branch.save()
        audit.record(actor, "org.branch.updated", branch, fields=sorted(changes))
    return branch


def delete_branch(actor: Actor, branch: Branch) -> None:
    require(actor, BRANCH_MANAGE, branch)
    with transaction.atomic():
        _refuse_if_staffed(Employee.objects.filter(branch=branch), f"work at {branch.name}", "branch")
        audit.record(actor, "org.branch.deleted", branch, name=branch.name)
        branch.delete()


def _refuse_if_staffed(employees, where: str, field: str) -> None:
    """Former employees count too: their records keep pointing here (retention), so move them as well."""
    current = employees.exclude(status=Employee.Status.TERMINATED).count()
    former = employees.filter(status=Employee.Status.TERMINATED).count()
    if current or former:
        raise Conflict(f"{current} current and {former} former employee(s) {where}; move them first "
                       "(former employees' records keep their last assignment until you change it).", field=field)


# --- departments -----------------------------------------------------------------------------------------


def _resolve_department(actor: Actor, department_id, field: str) -> Department | None:
    if department_id is None:
        return None
    try:
        return get_department(actor, int(department_id))
    except (NotFound, TypeError, ValueError):
        raise ValidationFailed("No such department.", field=field) from None


def _resolve_employee(employee_id, field: str) -> Employee | None:
    if employee_id is None:
        return None
    try:
        employee = Employee.objects.filter(pk=int(employee_id)).first()
    except (TypeError, ValueError):
        employee = None
    if employee is None:
        raise ValidationFailed("No such employee.", field=field)
    return employee


def _apply_department(actor: Actor, department: Department, changes: dict, *, unchecked=()) -> Problems:
    """Set `changes` on `department` (unsaved); returns every problem found."""
    problems = Problems(unchecked=unchecked)
    if department.pk is None and "name" not in changes and not problems.about("name"):
        problems.add("Name is required.", field="name")
    for name, value in changes.items():
        with problems.check():
            if name == "name":
                department.name = v.clean_text(value, "name", max_length=120, required=True)
            elif name == "parent":
                parent = _resolve_department(actor, value, "parent")
                if parent is not None and department.pk is not None and hierarchy.would_loop_stored(
                        Department, "parent", department.pk, parent.pk):
                    raise HierarchyLoop(f"{department.name} can't sit under {parent.name}: that would make a "
                                        "loop.", field="parent")
                department.parent = parent
            elif name == "head":
                head = _resolve_employee(value, "head")
                if head is not None and head.is_terminated:
                    raise ValidationFailed(f"{head.full_name} has left; choose a current employee.", field="head")
                department.head = head
            else:
                raise ValidationFailed(f"Unknown field {name!r}.", field=name)
    if not problems.about("name", "parent"):
        siblings = Department.objects.filter(parent=department.parent, name__iexact=department.name)
        if siblings.exclude(pk=department.pk).exists():
            problems.add(Conflict(f"There is already a department called {department.name!r} here.", field="name"))
    return problems


def check_department(actor: Actor, department: Department | None, fields: dict, *,
                     unchecked=()) -> list[DomainError]:
    """Every problem create_department (`department` None) or update_department would refuse `fields` for,
    without saving."""
    require(actor, DEPARTMENT_MANAGE, department)
    target = Department(workspace=actor.workspace) if department is None else copy.copy(department)
    return list(_apply_department(actor, target, fields, unchecked=unchecked))


def create_department(actor: Actor, **fields) -> Department:
    require(actor, DEPARTMENT_MANAGE)
    department = Department(workspace=actor.workspace)
    with transaction.atomic():
        _apply_department(actor, department, fields).raise_if_any()
        department.save()
        audit.record(actor, "org.department.created", department, name=department.name,
                     parent_id=department.parent_id)
    return department


def update_department(actor: Actor, department: Department, **changes) -> Department:
    require(actor, DEPARTMENT_MANAGE, department)
    with unchanged_on_refusal(department), transaction.atomic():
        _apply_department(actor, department, changes).raise_if_any()
        department.save()
        audit.record(actor, "org.department.updated", department, fields=sorted(changes),
                     parent_id=department.parent_id)
    return department


def delete_department(actor: Actor, department: Department) -> None:
    require(actor, DEPARTMENT_MANAGE, department)
    with transaction.atomic():
        children = Department.objects.filter(parent=department).count()
        if children:
            raise Conflict(f"{department.name} still has {children} sub-department(s); move or delete them first.",
                           field="department")
        _refuse_if_staffed(Employee.objects.filter(department=department), f"are in {department.name}", "department")
        audit.record(actor, "org.department.deleted", department, name=department.name)
        department.delete()


# --- employees -----------------------------------------------------------------------------------------

WORK_EDIT_FIELDS = ("code", "full_name", "work_email", "phone", "job_title", "department", "branch", "manager",
                    "employment_type", "start_date", "end_date", "status", "member")
MANAGER_EDIT_FIELDS = ("job_title", "department", "branch", "employment_type")


def editable_fields(viewer: Viewer, employee: Employee | None) -> set[str]:
    """What this viewer may change on `employee` (None: a new employee)."""
    actor = viewer.actor
    allowed: set[str] = set()
    if actor.can(EMPLOYEE_EDIT):
        allowed |= set(WORK_EDIT_FIELDS) | {"photo"}
        if actor.can(EMPLOYEE_VIEW_PERSONAL):
            allowed |= set(PERSONAL_FIELDS)
    if employee is None:
        return allowed
    if actor.can(TEAM_EDIT) and viewer.in_team(employee):
        allowed |= set(MANAGER_EDIT_FIELDS)
    if viewer.employee is not None and viewer.employee.pk == employee.pk:
        allowed |= set(org_settings(actor).self_service_fields)
    return allowed


PHONE_FIELDS = ("phone", "emergency_contact_phone")


def clean_employee_fields(actor: Actor, employee: Employee, changes: dict) -> dict:
    """Validate and apply `changes` to `employee` (unsaved). Returns {field: (old, new)} for what changed;
    refuses with every problem at once. Department, branch and manager may come as ids or as rows already
    resolved in this workspace (the importer's, which checks managers itself, by code, against the file and
    the records together)."""
    problems = Problems()
    changed = _clean_employee(actor, employee, changes, problems)
    problems.raise_if_any()
    return changed


def _clean_employee(actor: Actor, employee: Employee, changes: dict, problems: Problems) -> dict:
    changed = {}
    # Phones last: a number without a country prefix is read in the (possibly new) branch's country.
    for name in sorted(changes, key=lambda n: n in PHONE_FIELDS):
        with problems.check():
            value = _clean_employee_value(actor, employee, name, changes[name])
            old = getattr(employee, name)
            if old != value:
                changed[name] = (old, value)
                setattr(employee, name, value)
    # A date the request got wrong is not known: it is not compared with the others.
    known = {name: None if problems.about(name) else getattr(employee, name)
             for name in ("start_date", "end_date", "birth_date")}
    with problems.check():
        v.clean_dates(known["start_date"], known["end_date"], known["birth_date"])
    if "manager" in changed and employee.manager is not None:
        if employee.manager.pk == employee.pk or hierarchy.would_loop_stored(
                Employee, "manager", employee.pk, employee.manager.pk):
            problems.add(HierarchyLoop(f"{employee.full_name or 'This employee'} can't report to "
                                       f"{employee.manager.full_name}: that would make a loop in the reporting "
                                       "line.", field="manager"))
    return changed


def _clean_employee_value(actor: Actor, employee: Employee, name: str, value):
    if name == "code":
        return v.clean_code(value)
    if name in v.EMPLOYEE_TEXT_LIMITS:
        return v.clean_text(value, name, max_length=v.EMPLOYEE_TEXT_LIMITS[name], required=name == "full_name")
    if name == "work_email":
        return v.clean_email(value)
    if name in PHONE_FIELDS:
        return v.clean_phone(value, name, country=employee.branch.country if employee.branch else "")
    if name in ("start_date", "end_date", "birth_date"):
        return v.clean_date(value, name)
    if name == "employment_type":
        return v.clean_choice(value, name, v.EMPLOYMENT_TYPE)
    if name == "status":
        return v.clean_choice(value, name, v.STATUS)
    if name == "department":
        return value if isinstance(value, Department | None) else _resolve_department(actor, value, name)
    if name == "branch":
        return value if isinstance(value, Branch | None) else _resolve_branch(actor, value)
    if name == "manager":
        value = value if isinstance(value, Employee | None) else _resolve_employee(value, name)
        if value is not None and value.is_terminated:
            raise ValidationFailed(f"{value.full_name} has left; choose a current manager.", field="manager")
        return value
    if name == "member":
        return _resolve_member(actor, employee, value)
    raise ValidationFailed(f"Unknown field {name!r}.", field=name)


def _employee_problems(actor: Actor, employee: Employee, changes: dict, *, unchecked=()) -> tuple[Problems, dict]:
    """Apply `changes` to `employee` (unsaved, new or stored) and find every problem: the field rules, what a
    new employee needs, a code already taken. Returns (problems, changed)."""
    problems = Problems(unchecked=unchecked)
    is_new = employee.pk is None
    if is_new:
        for name in ("code", "full_name"):
            if name not in changes and not problems.about(name):
                problems.add(f"{name.replace('_', ' ').capitalize()} is required.", field=name)
    changed = _clean_employee(actor, employee, changes, problems)
    if (is_new or "code" in changed) and employee.code and not problems.about("code"):
        with problems.check():
            _check_code_free(employee)
    if is_new and employee.is_terminated and not problems.about("status"):
        problems.add("A new employee can't start as terminated.", field="status")
    return problems, changed


def check_employee(actor: Actor, employee: Employee | None, changes: dict, *, unchecked=()) -> list[DomainError]:
    """Every problem create_employee (`employee` None) or update_employee would refuse `changes` for, without
    saving. Fields the actor may not change are refused outright (PermissionDenied), as the services do."""
    if employee is None:
        require(actor, EMPLOYEE_EDIT)
    _check_allowed(Viewer(actor), employee, changes)
    target = Employee(workspace=actor.workspace) if employee is None else copy.copy(employee)
    return list(_employee_problems(actor, target, changes, unchecked=unchecked)[0])


def _resolve_branch(actor: Actor, branch_id) -> Branch:
    try:
        return get_branch(actor, int(branch_id))
    except (NotFound, TypeError, ValueError):
        raise ValidationFailed("No such branch.", field="branch") from None


def _resolve_member(actor: Actor, employee: Employee, member_id):
    if member_id is None:
        return None
    try:
        membership = get_member(actor, int(member_id))
    except (NotFound, TypeError, ValueError):
        raise ValidationFailed("No such member.", field="member") from None
    if Employee.objects.filter(member=membership).exclude(pk=employee.pk).exists():
        raise Conflict("That member is already linked to another employee.", field="member")
    return membership


def _check_code_free(employee: Employee) -> None:
    if Employee.objects.filter(code=employee.code).exclude(pk=employee.pk).exists():
        raise Conflict(f"Employee code {employee.code!r} is already taken.", field="code")


def create_employee(actor: Actor, **fields) -> Employee:
    require(actor, EMPLOYEE_EDIT)
    _check_allowed(Viewer(actor), None, fields)
    employee = Employee(workspace=actor.workspace)
    with transaction.atomic():
        problems, changed = _employee_problems(actor, employee, fields)
        problems.raise_if_any()
        _save(employee)
        audit.record(actor, "org.employee.created", employee, code=employee.code, fields=sorted(changed))
    return employee


def _check_allowed(viewer: Viewer, employee: Employee | None, changes: dict) -> None:
    allowed = editable_fields(viewer, employee)
    refused = sorted(set(changes) - allowed)
    if refused:
        named = describe_choices((name, v.FIELD_LABELS.get(name, name)) for name in refused)
        raise PermissionDenied(f"You may not change: {named}.", field=refused[0])


def _save(employee: Employee) -> None:
    try:
        with transaction.atomic():
            employee.save()
    except IntegrityError:  # a concurrent request took the code or the member link first
        raise Conflict("That employee code or member link was just taken; reload and try again.",
                       field="code") from None


def update_employee(actor: Actor, employee: Employee, **changes) -> Employee:
    _check_allowed(Viewer(actor), employee, changes)
    if "status" in changes:
        with suppress(ValidationFailed):  # "Terminated" or " TERMINATED" terminates too; a bad value is refused below
            changes["status"] = v.clean_choice(changes["status"], "status", v.STATUS)
    if changes.get("status") == Employee.Status.TERMINATED and not employee.is_terminated:
        # Terminating has its own door; every problem of the other changes and the end date is reported first.
        rest = {name: value for name, value in changes.items() if name != "status"}
        _employee_problems(actor, copy.copy(employee), rest)[0].raise_if_any()
        end = rest.pop("end_date", None)
        employee = update_employee(actor, employee, **rest) if rest else employee
        return terminate_employee(actor, employee, end_date=v.clean_date(end, "end_date"))
    with unchanged_on_refusal(employee), transaction.atomic():
        problems, changed = _employee_problems(actor, employee, changes)
        problems.raise_if_any()
        if not changed:
            return employee
        _save(employee)
        audit.record(actor, "org.employee.updated", employee, code=employee.code, fields=sorted(changed))
    return employee


def terminate_employee(actor: Actor, employee: Employee, *, end_date: dt.date | None = None) -> Employee:
    """The record stays (retention); access ends, and their reports move up to their manager."""
    require(actor, EMPLOYEE_EDIT, employee)
    if employee.is_terminated:
        raise Conflict(f"{employee.full_name} is already terminated.", field="status")
    end_date = end_date or timezone.localdate()
    v.clean_dates(employee.start_date, end_date)
    with transaction.atomic():
        reports = Employee.objects.filter(manager=employee)  # one UPDATE, whatever the team's size
        moved_sample = list(reports.order_by("pk").values_list("pk", flat=True)[:100])
        moved = reports.update(manager=employee.manager)
        Department.objects.filter(head=employee).update(head=None)
        if employee.member is not None and employee.member.is_active:
            end_membership(actor, employee.member)
        employee.status, employee.end_date = Employee.Status.TERMINATED, end_date
        employee.save(update_fields=["status", "end_date", "updated_at"])
        audit.record(actor, "org.employee.terminated", employee, code=employee.code, end_date=end_date.isoformat(),
                     reports_moved_to=employee.manager_id, reports_moved=moved,
                     first_reports_moved=moved_sample)
    return employee


def set_employee_photo(actor: Actor, employee: Employee, data: bytes | None) -> Employee:
    """Store a cleaned copy (resized, metadata stripped), or remove the photo when `data` is None."""
    _check_allowed(Viewer(actor), employee, {"photo": None})

    def write(name: str) -> None:
        employee.photo = name
        employee.save(update_fields=["photo", "updated_at"])
        audit.record(actor, "org.employee.photo_changed", employee, code=employee.code, removed=data is None)

    images.replace_stored_photo(data, folder=f"workspaces/{actor.workspace.pk}/employee-photos", old=employee.photo,
                                write=write)
    return employee


# --- settings --------------------------------------------------------------------------------------------


def update_org_settings(actor: Actor, *, self_service_fields: list[str]) -> OrgSettings:
    require(actor, SETTINGS_MANAGE)
    unknown = sorted(set(self_service_fields) - set(OrgSettings.SELF_SERVICE_CHOICES))
    if unknown:
        offered = [(name, v.SELF_SERVICE_LABELS.get(name, name)) for name in OrgSettings.SELF_SERVICE_CHOICES]
        raise ValidationFailed(f"Employees can't edit {', '.join(unknown)} themselves; choose among "
                               f"{describe_choices(offered)}.", field="self_service_fields")
    settings = org_settings(actor)
    settings.self_service_fields = [f for f in OrgSettings.SELF_SERVICE_CHOICES if f in self_service_fields]
    settings.save()
    audit.record(actor, "org.settings.updated", settings, fields=["self_service_fields"],
                 self_service_fields=settings.self_service_fields)
    return settings


# --- bulk actions: many employees, the same rules as one ---------------------------------------------------
#
# The directory's bulk actions and POST /employees/bulk. Each checks every selected row by the rules of the
# one-employee path, and refuses the whole action, naming every refused row, if any fails: nothing changes.
# Then it writes in bulk (one UPDATE per kind of change) and records the usual event per employee changed.


class BulkRefused(DomainError):
    """Some selected rows can't take the change: each is named with its reason; nothing was changed."""

    code = "bulk_refused"

    def __init__(self, refused: list[tuple[Employee, DomainError]], *, selected: int):
        statuses = {error.status for _employee, error in refused}
        self.status = statuses.pop() if len(statuses) == 1 else 422  # 403 when all are refused for permission
        self.refused = [{"id": e.pk, "name": e.full_name, "code": e.code, "message": error.message}
                        for e, error in refused]
        people = "person" if selected == 1 else "people"
        super().__init__(f"{len(refused)} of the {selected} selected {people} can't be changed, so nothing was "
                         "changed.", field="employee_ids")

    def as_json(self) -> dict:
        body = super().as_json()
        body["errors"] = [{"field": "employee_ids", "id": r["id"],
                           "message": f"{r['name']} ({r['code']}): {r['message']}"} for r in self.refused]
        return body


@dataclass
class BulkResult:
    selected: int
    changed: list[Employee]  # those the action changed; the rest already were as asked


def _selection(employees) -> list[Employee]:
    employees = list({e.pk: e for e in employees}.values())
    check_bulk_size(len(employees))
    return employees


def _refuse(refused: list, selected: int) -> None:
    if refused:
        raise BulkRefused(refused, selected=selected)


def bulk_move_employees(actor: Actor, employees, *, department=None, branch=None) -> BulkResult:
    """Move people to a department and/or a branch. HR may move anyone; a manager, their own team (the fields
    they may change on one report)."""
    if not (actor.can(EMPLOYEE_EDIT) or actor.can(TEAM_EDIT)):
        raise PermissionDenied("You may not move employees.")
    employees = _selection(employees)
    changes = {}
    if department is not None:
        changes["department"] = (department if isinstance(department, Department)
                                 else _resolve_department(actor, department, "department"))
    if branch is not None:
        changes["branch"] = branch if isinstance(branch, Branch) else _resolve_branch(actor, branch)
    if not changes:
        raise ValidationFailed("Choose the department or the branch to move them to.", field="department")
    viewer = Viewer(actor)
    viewer.learn_team(employees)
    refused = []
    for employee in employees:
        try:
            _check_allowed(viewer, employee, changes)
        except DomainError as exc:
            refused.append((employee, exc))
    _refuse(refused, len(employees))
    moving = {e.pk: sorted(name for name, value in changes.items() if getattr(e, f"{name}_id") != value.pk)
              for e in employees}
    moving = {pk: fields for pk, fields in moving.items() if fields}
    changed = [e for e in employees if e.pk in moving]
    with transaction.atomic():
        if changed:
            Employee.objects.filter(pk__in=list(moving)).update(**changes, updated_at=timezone.now())
        for employee in changed:
            for name, value in changes.items():
                setattr(employee, name, value)  # as stored now, which its event tells
            audit.record(actor, "org.employee.updated", employee, code=employee.code, fields=moving[employee.pk],
                         bulk=True)
    return BulkResult(len(employees), changed)


def bulk_change_manager(actor: Actor, employees, *, manager) -> BulkResult:
    """Make them report to `manager` (an Employee or an id; None: to no one). Refuses a manager who has
    left, and anyone the manager is below (a loop): one walk up from the new manager answers for all."""
    require(actor, EMPLOYEE_EDIT)
    employees = _selection(employees)
    if manager is not None and not isinstance(manager, Employee):
        manager = _resolve_employee(manager, "manager")
    if manager is not None and manager.is_terminated:
        raise ValidationFailed(f"{manager.full_name} has left; choose a current manager.", field="manager")
    above = set(hierarchy.managers_above(manager.pk)) if manager is not None else set()
    refused = []
    for employee in employees if manager is not None else ():
        if employee.pk == manager.pk:
            refused.append((employee, HierarchyLoop(f"{employee.full_name} can't report to themself.",
                                                    field="manager")))
        elif employee.pk in above:
            refused.append((employee, HierarchyLoop(
                f"{employee.full_name} can't report to {manager.full_name}, who is in {employee.full_name}'s "
                "team: that would make a loop in the reporting line.", field="manager")))
    _refuse(refused, len(employees))
    new_id = manager.pk if manager is not None else None
    changed = [e for e in employees if e.manager_id != new_id]
    with transaction.atomic():
        if changed:
            Employee.objects.filter(pk__in=[e.pk for e in changed]).update(manager=manager,
                                                                          updated_at=timezone.now())
        for employee in changed:
            employee.manager = manager  # as stored now, which its event tells
            audit.record(actor, "org.employee.updated", employee, code=employee.code, fields=["manager"],
                         manager_id=new_id, bulk=True)
    return BulkResult(len(employees), changed)


def bulk_terminate(actor: Actor, employees, *, end_date: dt.date | None = None) -> BulkResult:
    """Terminate them all as of `end_date` (today by default). As for one: the records stay, their workspace
    access ends, department heads they were are cleared, and everyone who reported to one of them moves up to
    the nearest manager who is not leaving (one UPDATE per such manager)."""
    require(actor, EMPLOYEE_EDIT)
    employees = _selection(employees)
    end_date = end_date or timezone.localdate()
    refused = []
    for employee in employees:
        try:
            if employee.is_terminated:
                raise Conflict(f"{employee.full_name} is already terminated.", field="status")
            v.clean_dates(employee.start_date, end_date)
        except DomainError as exc:
            refused.append((employee, exc))
    _refuse(refused, len(employees))
    leaving = {e.pk: e for e in employees}

    def survivor(employee: Employee) -> int | None:
        """The nearest manager above who is not leaving (the data's loop guard: each hop seen once)."""
        manager_id, seen = employee.manager_id, set()
        while manager_id in leaving and manager_id not in seen:
            seen.add(manager_id)
            manager_id = leaving[manager_id].manager_id
        return None if manager_id in leaving else manager_id

    moves: dict[int | None, list[int]] = {}
    for employee in employees:
        moves.setdefault(survivor(employee), []).append(employee.pk)
    with transaction.atomic():
        for employee in employees:  # ending access has its own rules (the last owner stays): refused rows too
            if employee.member is not None and employee.member.is_active:
                try:
                    with transaction.atomic():
                        end_membership(actor, employee.member)
                except DomainError as exc:
                    refused.append((employee, exc))
        _refuse(refused, len(employees))  # inside the transaction: the access already ended is restored
        reports = dict(Employee.objects.filter(manager_id__in=list(leaving)).order_by().values("manager_id")
                       .annotate(n=Count("pk")).values_list("manager_id", "n"))
        for target, ids in moves.items():
            Employee.objects.filter(manager_id__in=ids).update(manager_id=target)
        Department.objects.filter(head_id__in=list(leaving)).update(head=None)
        Employee.objects.filter(pk__in=list(leaving)).update(status=Employee.Status.TERMINATED, end_date=end_date,
                                                             updated_at=timezone.now())
        survivors = {employee.pk: survivor(employee) for employee in employees}
        for employee in employees:  # as stored now, which its event tells
            if employee.manager_id in leaving:  # they reported to someone who left with them
                employee.manager_id = survivors[employee.pk]
            employee.status, employee.end_date = Employee.Status.TERMINATED, end_date
            audit.record(actor, "org.employee.terminated", employee, code=employee.code,
                         end_date=end_date.isoformat(), reports_moved_to=survivors[employee.pk],
                         reports_moved=reports.get(employee.pk, 0), bulk=True)
    return BulkResult(len(employees), employees)

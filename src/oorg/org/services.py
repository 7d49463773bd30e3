"""Every write of the people-and-organization area: branches, departments, employees, settings."""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from oorg.core import audit, files, images
from oorg.core.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    unchanged_on_refusal,
)
from oorg.core.permissions import Actor, require
from oorg.core.selectors import get_member
from oorg.core.services import end_membership

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
from .selectors import PERSONAL_FIELDS, Viewer, get_branch, get_department, org_settings


class HierarchyLoop(DomainError):
    status = 400
    code = "hierarchy_loop"


# --- branches ------------------------------------------------------------------------------------------

BRANCH_FIELDS = ("name", "address", "country", "time_zone", "working_days", "work_starts", "work_ends",
                 "holiday_calendar")


def _apply_branch(branch: Branch, changes: dict) -> None:
    for name, value in changes.items():
        if name not in BRANCH_FIELDS:
            raise ValidationFailed(f"Unknown field {name!r}.", field=name)
        if name == "name":
            value = v.clean_text(value, "name", max_length=120, required=True)
            if Branch.objects.filter(name__iexact=value).exclude(pk=branch.pk).exists():
                raise Conflict(f"There is already a branch called {value!r}.", field="name")
        elif name == "address":
            value = v.clean_text(value, "address", max_length=500)
        elif name == "country":
            value = v.clean_country(value)
        elif name == "time_zone":
            value = v.clean_time_zone(value)
        elif name == "working_days":
            value = v.clean_working_days(value)
        elif name == "holiday_calendar":
            value = v.clean_text(value, "holiday_calendar", max_length=60)
        setattr(branch, name, value)
    v.clean_hours(branch.work_starts, branch.work_ends)


def create_branch(actor: Actor, **fields) -> Branch:
    require(actor, BRANCH_MANAGE)
    branch = Branch(workspace=actor.workspace, working_days=["mon", "tue", "wed", "thu", "fri"])
    fields.setdefault("time_zone", actor.workspace.time_zone)
    with transaction.atomic():
        _apply_branch(branch, fields)
        branch.save()
        audit.record(actor, "org.branch.created", branch, name=branch.name)
    return branch


def update_branch(actor: Actor, branch: Branch, **changes) -> Branch:
    require(actor, BRANCH_MANAGE, branch)
    with unchanged_on_refusal(branch), transaction.atomic():
        _apply_branch(branch, changes)
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


def _apply_department(actor: Actor, department: Department, changes: dict) -> None:
    for name, value in changes.items():
        if name == "name":
            department.name = v.clean_text(value, "name", max_length=120, required=True)
        elif name == "parent":
            parent = _resolve_department(actor, value, "parent")
            if parent is not None and department.pk is not None and hierarchy.would_loop_stored(
                    Department, "parent", department.pk, parent.pk):
                raise HierarchyLoop(f"{department.name} can't sit under {parent.name}: that would make a loop.",
                                    field="parent")
            department.parent = parent
        elif name == "head":
            head = _resolve_employee(value, "head")
            if head is not None and head.is_terminated:
                raise ValidationFailed(f"{head.full_name} has left; choose a current employee.", field="head")
            department.head = head
        else:
            raise ValidationFailed(f"Unknown field {name!r}.", field=name)
    siblings = Department.objects.filter(parent=department.parent, name__iexact=department.name)
    if siblings.exclude(pk=department.pk).exists():
        raise Conflict(f"There is already a department called {department.name!r} here.", field="name")


def create_department(actor: Actor, **fields) -> Department:
    require(actor, DEPARTMENT_MANAGE)
    department = Department(workspace=actor.workspace)
    with transaction.atomic():
        _apply_department(actor, department, fields)
        department.save()
        audit.record(actor, "org.department.created", department, name=department.name,
                     parent_id=department.parent_id)
    return department


def update_department(actor: Actor, department: Department, **changes) -> Department:
    require(actor, DEPARTMENT_MANAGE, department)
    with unchanged_on_refusal(department), transaction.atomic():
        _apply_department(actor, department, changes)
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
    """Validate and apply `changes` to `employee` (unsaved). Returns {field: (old, new)} for what changed.
    Department, branch and manager may come as ids or as rows already resolved in this workspace (the
    importer's, which checks managers itself, by code, against the file and the records together)."""
    changed = {}
    # Phones last: a number without a country prefix is read in the (possibly new) branch's country.
    for name in sorted(changes, key=lambda n: n in PHONE_FIELDS):
        value = changes[name]
        if name == "code":
            value = v.clean_code(value)
        elif name in v.EMPLOYEE_TEXT_LIMITS:
            value = v.clean_text(value, name, max_length=v.EMPLOYEE_TEXT_LIMITS[name], required=name == "full_name")
        elif name == "work_email":
            value = v.clean_email(value)
        elif name in PHONE_FIELDS:
            value = v.clean_phone(value, name, country=employee.branch.country if employee.branch else "")
        elif name in ("start_date", "end_date", "birth_date"):
            value = v.clean_date(value, name)
        elif name == "employment_type":
            value = v.clean_choice(value, name, v.EMPLOYMENT_TYPE)
        elif name == "status":
            value = v.clean_choice(value, name, v.STATUS)
        elif name == "department":
            value = value if isinstance(value, Department | None) else _resolve_department(actor, value, name)
        elif name == "branch":
            value = value if isinstance(value, Branch | None) else _resolve_branch(actor, value)
        elif name == "manager":
            value = value if isinstance(value, Employee | None) else _resolve_employee(value, name)
            if value is not None and value.is_terminated:
                raise ValidationFailed(f"{value.full_name} has left; choose a current manager.", field="manager")
        elif name == "member":
            value = _resolve_member(actor, employee, value)
        else:
            raise ValidationFailed(f"Unknown field {name!r}.", field=name)
        old = getattr(employee, name)
        if old != value:
            changed[name] = (old, value)
            setattr(employee, name, value)
    v.clean_dates(employee.start_date, employee.end_date, employee.birth_date)
    if "manager" in changed and employee.manager is not None:
        if employee.manager.pk == employee.pk or hierarchy.would_loop_stored(
                Employee, "manager", employee.pk, employee.manager.pk):
            raise HierarchyLoop(f"{employee.full_name} can't report to {employee.manager.full_name}: "
                                "that would make a loop in the reporting line.", field="manager")
    return changed


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
    if "full_name" not in fields or "code" not in fields:
        missing = "code" if "code" not in fields else "full_name"
        raise ValidationFailed(f"{missing.replace('_', ' ').capitalize()} is required.", field=missing)
    with transaction.atomic():
        changed = clean_employee_fields(actor, employee, fields)
        _check_code_free(employee)
        if employee.is_terminated:
            raise ValidationFailed("A new employee can't start as terminated.", field="status")
        _save(employee)
        audit.record(actor, "org.employee.created", employee, code=employee.code, fields=sorted(changed))
    return employee


def _check_allowed(viewer: Viewer, employee: Employee | None, changes: dict) -> None:
    allowed = editable_fields(viewer, employee)
    refused = sorted(set(changes) - allowed)
    if refused:
        raise PermissionDenied(f"You may not change: {', '.join(refused)}.", field=refused[0])


def _save(employee: Employee) -> None:
    try:
        with transaction.atomic():
            employee.save()
    except IntegrityError:  # a concurrent request took the code or the member link first
        raise Conflict("That employee code or member link was just taken; reload and try again.",
                       field="code") from None


def update_employee(actor: Actor, employee: Employee, **changes) -> Employee:
    _check_allowed(Viewer(actor), employee, changes)
    if changes.get("status") == Employee.Status.TERMINATED and not employee.is_terminated:
        end = changes.pop("end_date", None)
        changes.pop("status")
        employee = update_employee(actor, employee, **changes) if changes else employee
        return terminate_employee(actor, employee, end_date=v.clean_date(end, "end_date"))
    with unchanged_on_refusal(employee), transaction.atomic():
        changed = clean_employee_fields(actor, employee, changes)
        if not changed:
            return employee
        _check_code_free(employee)
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
    old = employee.photo
    new = ""
    if data is not None:
        cleaned, _content_type = images.normalise_photo(data)
        new = files.save_private(f"workspaces/{actor.workspace.pk}/employee-photos", cleaned, suffix=".jpg")
    try:
        with transaction.atomic():
            employee.photo = new
            employee.save(update_fields=["photo", "updated_at"])
            audit.record(actor, "org.employee.photo_changed", employee, code=employee.code, removed=data is None)
    except Exception:
        if new:
            files.delete(new)
        raise
    if old:
        transaction.on_commit(lambda: files.delete(old))
    return employee


# --- settings --------------------------------------------------------------------------------------------


def update_org_settings(actor: Actor, *, self_service_fields: list[str]) -> OrgSettings:
    require(actor, SETTINGS_MANAGE)
    unknown = sorted(set(self_service_fields) - set(OrgSettings.SELF_SERVICE_CHOICES))
    if unknown:
        raise ValidationFailed(f"Employees can't edit {', '.join(unknown)} themselves; choose among "
                               f"{', '.join(OrgSettings.SELF_SERVICE_CHOICES)}.", field="self_service_fields")
    settings = org_settings(actor)
    settings.self_service_fields = [f for f in OrgSettings.SELF_SERVICE_CHOICES if f in self_service_fields]
    settings.save()
    audit.record(actor, "org.settings.updated", settings, self_service_fields=settings.self_service_fields)
    return settings

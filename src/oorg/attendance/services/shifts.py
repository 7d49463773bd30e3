"""Shift templates and who works them (assignments per employee or per branch, with date ranges).

Writes need `attendance.manage`; reads anyone with attendance rights (own, team or all). Every write is audited
(attendance.shift.*, attendance.assignment.*). Two assignments of the same employee (or of the same branch)
whose date ranges overlap are refused (409): which shift someone works on a date is never ambiguous within one
kind (an employee's own assignment still wins over their branch's, see attendance/schedules.py).
"""
from __future__ import annotations

import datetime as dt
import re

from django.db import IntegrityError, transaction
from django.db.models import Q

from oorg.core import audit
from oorg.core.errors import Conflict, NotFound, PermissionDenied, Problems, ValidationFailed
from oorg.core.permissions import require
from oorg.org.models import Branch, Employee
from oorg.org.validation import clean_date, clean_working_days

from ..models import Shift, ShiftAssignment
from ..permissions import MANAGE, OWN, TEAM_VIEW, VIEW_ALL

TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
SHIFT_FIELDS = ("name", "starts", "ends", "break_minutes", "break_after_minutes", "grace_minutes", "working_days")
ASSIGNMENT_FIELDS = ("shift_id", "employee_id", "branch_id", "starts_on", "ends_on")


def require_reader(actor) -> None:
    if not any(actor.can(p) for p in (OWN, TEAM_VIEW, VIEW_ALL, MANAGE)):
        raise PermissionDenied("Your role does not let you see attendance.")


# --- shifts ----------------------------------------------------------------------------------------------------


def shift_list(actor):
    require_reader(actor)
    return Shift.objects.order_by("name", "id")


def get_shift(actor, shift_id) -> Shift:
    require_reader(actor)
    shift = Shift.objects.filter(pk=shift_id).first()
    if shift is None:
        raise NotFound("No such shift.")
    return shift


def clean_time(value, field: str) -> dt.time:
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    text = str(value or "").strip()
    if len(text) == 8 and text.endswith(":00"):  # "09:00:00" from a time input or a client
        text = text[:5]
    match = TIME.match(text)
    if not match:
        raise ValidationFailed("A time is HH:MM on a 24-hour clock, like 09:00 or 22:30.", field=field)
    return dt.time(int(match.group(1)), int(match.group(2)))


def _minutes(value, field: str, *, low: int, high: int, required: bool = True) -> int | None:
    if value in (None, ""):
        if required:
            return 0
        return None
    try:
        number = int(value)
        if str(number) != str(value).strip() and not isinstance(value, int):
            raise ValueError
    except (TypeError, ValueError):
        raise ValidationFailed("Give a whole number of minutes.", field=field) from None
    if not low <= number <= high:
        raise ValidationFailed(f"Give between {low} and {high} minutes.", field=field)
    return number


def _clean_shift(shift: Shift | None, changes: dict) -> dict:
    clean = {}
    with Problems() as problems:
        if "name" in changes or shift is None:
            name = " ".join(str(changes.get("name") or "").split())
            if not name:
                problems.add("A shift has a name.", field="name")
            elif len(name) > 80:
                problems.add("A shift's name has at most 80 characters.", field="name")
            elif Shift.objects.filter(name__iexact=name).exclude(pk=getattr(shift, "pk", None)).exists():
                problems.add(Conflict(f"There is already a shift called {name!r}.", field="name",
                                      code="duplicate"))
            else:
                clean["name"] = name
        for name in ("starts", "ends"):
            if name in changes or shift is None:
                with problems.check():
                    clean[name] = clean_time(changes.get(name), name)
        if "break_minutes" in changes:
            with problems.check():
                clean["break_minutes"] = _minutes(changes.get("break_minutes"), "break_minutes", low=0, high=240)
        if "break_after_minutes" in changes:
            with problems.check():
                clean["break_after_minutes"] = _minutes(changes.get("break_after_minutes"), "break_after_minutes",
                                                        low=0, high=1440, required=False)
        if "grace_minutes" in changes:
            with problems.check():
                clean["grace_minutes"] = _minutes(changes.get("grace_minutes"), "grace_minutes", low=0, high=120)
        if "working_days" in changes:
            with problems.check():
                days = changes.get("working_days") or []
                if isinstance(days, str):
                    days = [d for d in re.split(r"[,\s]+", days) if d]
                clean["working_days"] = clean_working_days(days)
        if not problems.about("starts", "ends"):
            starts = clean.get("starts", getattr(shift, "starts", None))
            ends = clean.get("ends", getattr(shift, "ends", None))
            if starts is not None and starts == ends:
                problems.add("A shift ends at another time than it starts.", field="ends")
            elif starts is not None and not problems.about("break_minutes"):
                length = (dt.datetime.combine(dt.date(2000, 1, 2), ends)
                          - dt.datetime.combine(dt.date(2000, 1, 2), starts)).total_seconds() // 60
                length = length if length > 0 else length + 1440
                breaks = clean.get("break_minutes", getattr(shift, "break_minutes", 0)) or 0
                if breaks >= length:
                    problems.add("The break is shorter than the shift.", field="break_minutes")
    return clean


def _shift_data(shift: Shift) -> dict:
    return {"name": shift.name, "starts": shift.starts.strftime("%H:%M"), "ends": shift.ends.strftime("%H:%M"),
            "break_minutes": shift.break_minutes, "break_after_minutes": shift.break_after_minutes,
            "grace_minutes": shift.grace_minutes, "working_days": list(shift.working_days or [])}


def create_shift(actor, **values) -> Shift:
    require(actor, MANAGE)
    unknown = set(values) - set(SHIFT_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown field {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    clean = _clean_shift(None, {k: v for k, v in values.items()})
    try:
        with transaction.atomic():
            shift = Shift.objects.create(workspace_id=actor.workspace.pk, **clean)
            audit.record(actor, "attendance.shift.created", shift, target_label=shift.name, after=_shift_data(shift))
    except IntegrityError:
        raise Conflict(f"There is already a shift called {clean['name']!r}.", field="name",
                       code="duplicate") from None
    return shift


def update_shift(actor, shift: Shift, **changes) -> Shift:
    require(actor, MANAGE)
    unknown = set(changes) - set(SHIFT_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown field {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    clean = _clean_shift(shift, changes)
    moved = [name for name, value in clean.items() if getattr(shift, name) != value]
    if not moved:
        return shift
    before = _shift_data(shift)
    try:
        with transaction.atomic():
            for name in moved:
                setattr(shift, name, clean[name])
            shift.save(update_fields=moved)
            audit.record(actor, "attendance.shift.updated", shift, target_label=shift.name, fields=moved,
                         before=before, after=_shift_data(shift))
    except IntegrityError:
        shift.refresh_from_db()
        raise Conflict("There is already a shift with this name.", field="name", code="duplicate") from None
    return shift


def delete_shift(actor, shift: Shift) -> None:
    require(actor, MANAGE)
    with transaction.atomic():
        audit.record(actor, "attendance.shift.deleted", shift, target_label=shift.name, before=_shift_data(shift))
        shift.delete()


# --- assignments -----------------------------------------------------------------------------------------------


def assignment_list(actor, *, employee_id=None, branch_id=None, shift_id=None):
    require_reader(actor)
    queryset = ShiftAssignment.objects.select_related("shift", "employee", "branch")
    if not (actor.can(VIEW_ALL) or actor.can(MANAGE)):
        from ..scopes import ATTENDANCE

        # the assignments of the people one sees, and every branch's (a branch's shift is no secret)
        seen = ATTENDANCE.employees(actor).values("pk")
        queryset = queryset.filter(Q(employee_id__in=seen) | Q(branch_id__isnull=False))
    if employee_id is not None:
        queryset = queryset.filter(employee_id=employee_id)
    if branch_id is not None:
        queryset = queryset.filter(branch_id=branch_id)
    if shift_id is not None:
        queryset = queryset.filter(shift_id=shift_id)
    return queryset.order_by("-starts_on", "-id")


def get_assignment(actor, assignment_id) -> ShiftAssignment:
    assignment = assignment_list(actor).filter(pk=assignment_id).first()
    if assignment is None:
        raise NotFound("No such shift assignment.")
    return assignment


def _clean_assignment(assignment: ShiftAssignment | None, changes: dict) -> dict:
    clean = {}
    with Problems() as problems:
        if "shift_id" in changes or assignment is None:
            shift = Shift.objects.filter(pk=_int(changes.get("shift_id"))).first()
            if shift is None:
                problems.add(ValidationFailed("No such shift.", field="shift_id", code="not_found"))
            else:
                clean["shift"] = shift
        targets = {"employee_id", "branch_id"} & set(changes)
        if targets or assignment is None:
            employee_id = _int(changes.get("employee_id")) if "employee_id" in changes else None
            branch_id = _int(changes.get("branch_id")) if "branch_id" in changes else None
            if assignment is not None and not targets:
                pass
            elif (employee_id is None) == (branch_id is None):
                problems.add(ValidationFailed("Assign the shift to one employee or one branch: give exactly one of "
                                              "employee_id or branch_id.", field="employee_id"))
            elif employee_id is not None:
                employee = Employee.objects.filter(pk=employee_id).first()
                if employee is None:
                    problems.add(ValidationFailed("No such employee.", field="employee_id", code="not_found"))
                else:
                    clean["employee"], clean["branch"] = employee, None
            else:
                branch = Branch.objects.filter(pk=branch_id).first()
                if branch is None:
                    problems.add(ValidationFailed("No such branch.", field="branch_id", code="not_found"))
                else:
                    clean["branch"], clean["employee"] = branch, None
        for name in ("starts_on", "ends_on"):
            if name in changes or (assignment is None and name == "starts_on"):
                with problems.check():
                    value = clean_date(changes.get(name), name)
                    if value is None and name == "starts_on":
                        raise ValidationFailed("An assignment has a first day.", field="starts_on")
                    clean[name] = value
        if not problems.about("starts_on", "ends_on"):
            starts = clean.get("starts_on", getattr(assignment, "starts_on", None))
            ends = clean.get("ends_on", getattr(assignment, "ends_on", None))
            if starts and ends and ends < starts:
                problems.add("The last day is on or after the first day.", field="ends_on")
        if not problems:
            _check_overlap(assignment, clean, problems)
    return clean


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def _check_overlap(assignment, clean: dict, problems: Problems) -> None:
    employee = clean["employee"] if "employee" in clean else getattr(assignment, "employee", None)
    branch = clean["branch"] if "branch" in clean else getattr(assignment, "branch", None)
    starts = clean.get("starts_on", getattr(assignment, "starts_on", None))
    ends = clean.get("ends_on", getattr(assignment, "ends_on", None))
    target = Q(employee_id=employee.pk) if employee is not None else Q(branch_id=branch.pk)
    overlapping = ShiftAssignment.objects.filter(target).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts))
    if ends is not None:
        overlapping = overlapping.filter(starts_on__lte=ends)
    if assignment is not None:
        overlapping = overlapping.exclude(pk=assignment.pk)
    other = overlapping.select_related("shift").first()
    if other is not None:
        until = other.ends_on.isoformat() if other.ends_on else "open-ended"
        problems.add(Conflict(f"This overlaps another assignment ({other.shift.name}, from "
                              f"{other.starts_on.isoformat()} to {until}). End that one first.",
                              field="starts_on", code="overlap"))


def _assignment_data(a: ShiftAssignment) -> dict:
    return {"shift_id": a.shift_id, "employee_id": a.employee_id, "branch_id": a.branch_id,
            "starts_on": a.starts_on.isoformat(), "ends_on": a.ends_on.isoformat() if a.ends_on else None}


def _label(a: ShiftAssignment) -> str:
    who = a.employee.full_name if a.employee_id else a.branch.name
    return f"{a.shift.name}: {who}"


def create_assignment(actor, **values) -> ShiftAssignment:
    require(actor, MANAGE)
    unknown = set(values) - set(ASSIGNMENT_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown field {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    values = {k: v for k, v in values.items() if not (k in ("employee_id", "branch_id") and v in (None, ""))}
    with transaction.atomic():
        clean = _clean_assignment(None, values)
        assignment = ShiftAssignment.objects.create(workspace_id=actor.workspace.pk, **clean)
        audit.record(actor, "attendance.assignment.created", assignment, target_label=_label(assignment),
                     after=_assignment_data(assignment))
    return assignment


def update_assignment(actor, assignment: ShiftAssignment, **changes) -> ShiftAssignment:
    require(actor, MANAGE)
    unknown = set(changes) - set(ASSIGNMENT_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown field {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    before = _assignment_data(assignment)
    with transaction.atomic():
        clean = _clean_assignment(assignment, changes)
        moved = [name for name, value in clean.items() if getattr(assignment, name) != value]
        if not moved:
            return assignment
        for name in moved:
            setattr(assignment, name, clean[name])
        assignment.save()
        audit.record(actor, "attendance.assignment.updated", assignment, target_label=_label(assignment),
                     fields=moved, before=before, after=_assignment_data(assignment))
    return assignment


def delete_assignment(actor, assignment: ShiftAssignment) -> None:
    require(actor, MANAGE)
    with transaction.atomic():
        audit.record(actor, "attendance.assignment.deleted", assignment, target_label=_label(assignment),
                     before=_assignment_data(assignment))
        assignment.delete()

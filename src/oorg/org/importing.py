"""Employee import and export.

An import is checked whole before anything is written: every bad row is reported with its line,
field and reason. Rows are matched by employee code, so running the same file twice updates and never
duplicates. A manager is named by code and may appear later in the file. The real import is one
transaction: it writes everything or nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from oorg.core import audit
from oorg.core.errors import Conflict, DomainError, ValidationFailed
from oorg.core.permissions import Actor, require

from . import hierarchy
from . import validation as v
from .models import Branch, Department, Employee
from .permissions import EMPLOYEE_EXPORT, EMPLOYEE_IMPORT, EMPLOYEE_VIEW_PERSONAL
from .selectors import Viewer, employees_visible_to
from .services import clean_employee_fields, terminate_employee
from .tabular import TableError, read_table, write_table

# Column -> the header spellings accepted for it (after lower-casing, spaces and hyphens -> "_").
COLUMNS = {
    "employee_code": ("employee_code", "code", "employee_no", "employee_number"),
    "full_name": ("full_name", "name", "employee_name"),
    "work_email": ("work_email", "email"),
    "phone": ("phone", "work_phone", "mobile"),
    "job_title": ("job_title", "title", "position"),
    "department": ("department",),
    "branch": ("branch", "office"),
    "manager_code": ("manager_code", "manager", "reports_to"),
    "employment_type": ("employment_type",),
    "start_date": ("start_date",),
    "end_date": ("end_date",),
    "status": ("status",),
    "birth_date": ("birth_date", "date_of_birth"),
    "home_address": ("home_address",),
    "emergency_contact_name": ("emergency_contact_name",),
    "emergency_contact_phone": ("emergency_contact_phone",),
}
PERSONAL_COLUMNS = ("birth_date", "home_address", "emergency_contact_name", "emergency_contact_phone")
ALIASES = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}
CHOICE_COLUMNS = ("employment_type", "status")  # an empty cell keeps the current value
MAX_FILE_BYTES = 5 * 1024 * 1024  # one upload, by the API and by the import page


class ImportFailed(DomainError):
    status = 422
    code = "import_failed"

    def __init__(self, result: "ImportResult"):
        super().__init__(f"Nothing was imported: {len(result.errors)} problem(s) in the file.", field="file")
        self.result = result

    def as_json(self) -> dict:
        return {**super().as_json(), **self.result.as_dict()}


@dataclass
class StagedRow:
    """A row that passed its own checks, applied to an unsaved employee."""

    line: int
    employee: Employee
    is_new: bool
    changed: dict
    manager_code: str | None  # None: the file says nothing about the manager; "": no manager
    terminate: bool

    @property
    def manager_changes(self) -> bool:
        current = self.employee.manager.code if self.employee.manager_id else ""  # loaded with select_related
        return self.manager_code is not None and self.manager_code != current


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    dry_run: bool = True

    def error(self, line, column, message) -> None:
        self.errors.append({"line": line, "field": column, "message": message})

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "errors": self.errors, "dry_run": self.dry_run}


class _Names:
    """Departments by name or by path ("Engineering / Backend"), branches by name, case-insensitively."""

    def __init__(self):
        departments = {d.pk: d for d in Department.objects.all()}
        self.departments: dict[str, list[Department]] = {}
        for pk, path in _department_paths(departments).items():
            for key in {departments[pk].name.casefold(), path.casefold()}:
                self.departments.setdefault(key, []).append(departments[pk])
        self.branches = {b.name.casefold(): b for b in Branch.objects.all()}

    def department(self, name: str) -> Department | None:
        if not name:
            return None
        key = " / ".join(part.strip() for part in name.split("/")).casefold()
        found = self.departments.get(key, [])
        if not found:
            raise ValidationFailed(f"No department called {name!r}.", field="department")
        if len(found) > 1:
            raise ValidationFailed(f"Several departments are called {name!r}; write its path, "
                                   "such as 'Engineering / Backend'.", field="department")
        return found[0]

    def branch(self, name: str) -> Branch | None:
        if not name:
            return None
        if name.casefold() not in self.branches:
            raise ValidationFailed(f"No branch called {name!r}.", field="branch")
        return self.branches[name.casefold()]


def _columns(headers: list[str], result: ImportResult, actor: Actor) -> dict[str, str]:
    mapping = {}
    for header in headers:
        column = ALIASES.get(header)
        if column is None:
            result.error(1, header, f"Unknown column {header!r}. Columns: {', '.join(COLUMNS)}.")
        elif column in mapping.values():
            result.error(1, header, f"Two columns mean {column}.")
        else:
            mapping[header] = column
    if "employee_code" not in mapping.values():
        result.error(1, "employee_code", "The file needs an employee_code column.")
    personal = [c for c in mapping.values() if c in PERSONAL_COLUMNS]
    if personal and not actor.can(EMPLOYEE_VIEW_PERSONAL):
        result.error(1, personal[0], "You may not import personal fields; remove the column.")
    return mapping


def import_employees(actor: Actor, *, filename: str, data: bytes, dry_run: bool) -> ImportResult:
    require(actor, EMPLOYEE_IMPORT)
    result = ImportResult(dry_run=dry_run)
    try:
        table = read_table(filename, data)
    except TableError as e:
        result.error(e.line or 1, "file", e.message)
        return _finish(actor, result, [], [])
    mapping = _columns(table.headers, result, actor)
    if result.errors:
        return _finish(actor, result, [], [])
    rows = [(line, {mapping[h]: value for h, value in values.items() if h in mapping})
            for line, values in table.rows]
    existing = {e.code: e for e in Employee.objects.select_related("branch", "manager")}
    names = _Names()
    seen: dict[str, int] = {}
    staged: list[StagedRow] = []
    for line, row in rows:
        try:
            code = v.clean_code(row.get("employee_code"))
        except ValidationFailed as e:
            result.error(line, "employee_code", e.message)
            continue
        if code in seen:
            result.error(line, "employee_code", f"Employee code {code} also appears on line {seen[code]}.")
            continue
        seen[code] = line
        staged.append(_stage_row(actor, result, names, existing, line, code, row))
    staged = [row for row in staged if row is not None]
    _check_managers(result, existing, staged, in_file=set(seen))
    return _finish(actor, result, staged, existing)


def _stage_row(actor, result, names, existing, line, code, row):
    employee = existing.get(code)
    is_new = employee is None
    if is_new:
        employee = Employee(workspace=actor.workspace, code=code)
        if not row.get("full_name"):
            result.error(line, "full_name", "A new employee needs a full name.")
            return None
    changes = {}
    errors_before = len(result.errors)
    for column, value in row.items():
        if column in ("employee_code", "manager_code") or (column in CHOICE_COLUMNS and value in ("", None)):
            continue
        try:
            if column == "department":
                value = names.department(str(value).strip())
            elif column == "branch":
                value = names.branch(str(value).strip())
        except ValidationFailed as e:
            result.error(line, column, e.message)
            continue
        changes[column] = value
    terminate = str(changes.get("status", "")).strip().lower() == "terminated" and not employee.is_terminated
    if terminate and not is_new:
        changes.pop("status")  # terminating goes through its own door: it ends access and moves reports
    changed = {}
    # Branch before phones: a phone without a +prefix is read in the branch's country.
    for column in sorted(changes, key=lambda c: c.endswith("phone")):
        try:
            changed.update(clean_employee_fields(actor, employee, {column: changes[column]}))
        except DomainError as e:
            result.error(line, e.field or column, e.message)
    if len(result.errors) > errors_before:
        return None
    manager_code = row.get("manager_code")
    manager_code = None if manager_code is None else str(manager_code).strip() or ""
    return StagedRow(line, employee, is_new, changed, manager_code, terminate and not is_new)


def _check_managers(result: ImportResult, existing: dict, staged: list, *, in_file: set[str]) -> None:
    """Managers by code: in the file (even on a row with its own error, reported there) or already on
    record, current, and no loop in the reporting lines."""
    by_pk = {e.pk: e.code for e in existing.values()}
    graph = {code: by_pk.get(e.manager_id) for code, e in existing.items()}
    for row in staged:
        if row.manager_code is not None:
            graph[row.employee.code] = row.manager_code or None
    for row in staged:
        line, employee, manager_code = row.line, row.employee, row.manager_code
        if not manager_code:
            continue
        if manager_code not in in_file and manager_code not in existing:
            result.error(line, "manager_code", f"No employee with code {manager_code!r} in the file or on record.")
        elif manager_code not in in_file and existing[manager_code].is_terminated:
            result.error(line, "manager_code", f"{manager_code} has left; choose a current manager.")
        elif manager_code == employee.code or hierarchy.would_loop(graph, employee.code, manager_code):
            result.error(line, "manager_code", f"Reporting to {manager_code} would make a loop in the reporting line.")


def _finish(actor: Actor, result: ImportResult, staged: list, existing: dict) -> ImportResult:
    result.errors.sort(key=lambda e: (e["line"], e["field"] or ""))
    bad_lines = {e["line"] for e in result.errors}
    staged = [row for row in staged if row.line not in bad_lines]
    for row in staged:
        if row.is_new:
            result.created += 1
        elif row.changed or row.manager_changes or row.terminate:
            result.updated += 1
        else:
            result.unchanged += 1
    if result.errors and not result.dry_run:
        raise ImportFailed(result)
    if result.dry_run or result.errors:
        return result
    try:
        _write(actor, result, staged, existing)
    except IntegrityError:  # a concurrent change took one of these codes first; nothing was written
        raise Conflict("Employees changed while importing; run the import again.", field="file") from None
    return result


def _write(actor: Actor, result: ImportResult, staged: list, existing: dict) -> None:
    with transaction.atomic():
        by_code = dict(existing)
        for row in staged:
            if row.is_new or row.changed:
                row.employee.save()
            by_code[row.employee.code] = row.employee
        for row in staged:  # managers once everyone exists: a manager may come later in the file
            if row.manager_changes:
                row.employee.manager = by_code[row.manager_code] if row.manager_code else None
                row.employee.save(update_fields=["manager", "updated_at"])
        for row in staged:
            if row.terminate:
                terminate_employee(actor, row.employee)
        audit.record(actor, "org.employee.imported", actor.workspace, created=result.created,
                     updated=result.updated, unchanged=result.unchanged,
                     codes=sorted(row.employee.code for row in staged)[:1000])



# --- export ----------------------------------------------------------------------------------------------


def columns_for(actor: Actor) -> list[str]:
    """The columns this actor imports and exports: personal ones only with org.employee.view_personal."""
    personal = actor.can(EMPLOYEE_VIEW_PERSONAL)
    return [c for c in COLUMNS if personal or c not in PERSONAL_COLUMNS]


def export_employees(actor: Actor, viewer: Viewer, *, fmt: str, **filters) -> bytes:
    """The directory as the importer reads it, so an export can be edited and imported back."""
    require(actor, EMPLOYEE_EXPORT)
    if fmt not in ("csv", "xlsx"):
        raise ValidationFailed("Export as csv or xlsx.", field="format")
    headers = columns_for(actor)
    rows, paths = [], _department_paths()
    for e in employees_visible_to(viewer, **filters):
        values = {"employee_code": e.code, "full_name": e.full_name, "work_email": e.work_email, "phone": e.phone,
                  "job_title": e.job_title, "department": paths.get(e.department_id, ""),
                  "branch": e.branch.name if e.branch else "", "manager_code": e.manager.code if e.manager else "",
                  "employment_type": e.employment_type, "start_date": e.start_date, "end_date": e.end_date,
                  "status": e.status, "birth_date": e.birth_date, "home_address": e.home_address,
                  "emergency_contact_name": e.emergency_contact_name,
                  "emergency_contact_phone": e.emergency_contact_phone}
        rows.append([values[h] for h in headers])
    audit.record(actor, "org.employee.exported", actor.workspace, rows=len(rows), format=fmt,
                 personal=PERSONAL_COLUMNS[0] in headers)
    return write_table(fmt, headers, rows)


def _department_paths(departments: dict[int, Department] | None = None) -> dict[int, str]:
    """Each department's path from the top, "Engineering / Backend"."""
    departments = departments if departments is not None else {d.pk: d for d in Department.objects.all()}
    paths = {}
    for pk, d in departments.items():
        path, node = [], d
        while node is not None and len(path) < 50:
            path.insert(0, node.name)
            node = departments.get(node.parent_id)
        paths[pk] = " / ".join(path)
    return paths

"""Employee import (on the import pattern of core/imports.py) and export.

An import is checked whole before anything is written: every bad row is reported with its line, field and
reason, and the bad rows come back as an error report to fix and upload again. Rows are matched by employee
code, so running the same file twice updates and never duplicates (and writes nothing when nothing changed).
A manager is named by code and may appear later in the file. The write is one transaction: all or nothing,
or, when asked, only the valid rows (and not the rows whose manager is a rejected row).
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field

from django.db import IntegrityError
from django.utils import timezone

from oorg.core import audit, db, events, imports
from oorg.core.errors import Conflict, DomainError, ValidationFailed
from oorg.core.imports import LOOKUP_BATCH, WRITE_BATCH, RowProblems, batched
from oorg.core.permissions import Actor, require
from oorg.core.tabular import stream_table
from oorg.core.tenancy import workspace_scope

from . import validation as v
from .events import EMPLOYEE_COLUMNS
from .models import Branch, Department, Employee
from .permissions import EMPLOYEE_EXPORT, EMPLOYEE_IMPORT, EMPLOYEE_VIEW_PERSONAL
from .selectors import Viewer, employees_visible_to
from .services import clean_employee_fields, terminate_employee

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
MAX_FILE_BYTES = 20 * 1024 * 1024  # one upload, by the API, the import page and `oorg import`
MAX_ROWS = 100_000
ANALYZE_AFTER = 5000  # rows written by one import after which the planner's statistics are refreshed


class _Names:
    """Departments by name or by path ("Engineering / Backend"), branches by name, case-insensitively.
    Loaded whole, once per import: a workspace has tens or hundreds of them, not a number that grows with
    its people, and a lookup per row would cost a query each."""

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


@dataclass
class _Run:
    """What an import keeps for the whole file: keys and references, never the rows themselves."""

    actor: Actor
    mode: str
    names: _Names
    line_of: dict = field(default_factory=dict)  # code -> its line (first occurrence)
    parent: dict = field(default_factory=dict)  # code -> manager code as it will be (file over records)
    from_file: dict = field(default_factory=dict)  # code -> manager code the file sets (rows that passed)
    refs_of_rejected: dict = field(default_factory=dict)  # the same for rows with problems of their own
    outcome: dict = field(default_factory=dict)  # code -> "new" | "changed" | "same" (rows that passed)
    manager_moves: dict = field(default_factory=dict)  # code -> new manager code ("" none) for passed rows
    terminate: list = field(default_factory=list)  # codes of current employees the file terminates
    outside: dict = field(default_factory=dict)  # manager code not in the file -> (pk, is_terminated)
    pk_of: dict = field(default_factory=dict)  # code -> pk, filled while writing
    created: list = field(default_factory=list)  # pks of the employees written new (each gets its event)
    updated: dict = field(default_factory=dict)  # pk -> the fields changed, of the employees on record that changed


@dataclass
class _Staged:
    employee: Employee
    is_new: bool
    changed: dict
    manager_code: str | None  # None: the file says nothing about the manager; "": no manager
    terminate: bool


def _existing(codes) -> dict[str, Employee]:
    found = {}
    for batch in batched(codes, LOOKUP_BATCH):
        rows = Employee.objects.filter(code__in=batch).select_related("branch", "department", "manager")
        found.update((e.code, e) for e in rows)
    return found


class EmployeeImport(imports.Spec):
    kind = EMPLOYEE_IMPORT
    permission = EMPLOYEE_IMPORT
    columns = COLUMNS
    required = ("employee_code",)
    key_column = "employee_code"
    max_rows = MAX_ROWS
    max_file_bytes = MAX_FILE_BYTES

    def check_columns(self, actor, columns, problems):
        personal = [c for c in columns if c in PERSONAL_COLUMNS]
        if personal and not actor.can(EMPLOYEE_VIEW_PERSONAL):
            problems.add(1, personal[0], "You may not import personal fields; remove the column.")

    def begin(self, actor, *, mode):
        return _Run(actor=actor, mode=mode, names=_Names())

    def _codes(self, run: _Run, rows, problems: RowProblems | None) -> list[tuple[int, str, dict]]:
        """(line, code, row) for the rows with a usable code, first occurrence only; problems for the rest."""
        coded = []
        for line, row in rows:
            try:
                code = v.clean_code(row.get("employee_code"))
            except ValidationFailed as e:
                if problems is not None:
                    problems.add(line, "employee_code", e.message)
                continue
            if problems is not None:
                first = run.line_of.setdefault(code, line)
                if first != line:
                    problems.add(line, "employee_code", f"Employee code {code} also appears on line {first}.")
                    continue
            elif run.line_of.get(code) != line:
                continue
            coded.append((line, code, row))
        return coded

    def check(self, run, rows, problems):
        coded = self._codes(run, rows, problems)
        existing = _existing(code for _, code, _ in coded)
        for line, code, row in coded:
            staged = _stage(run, problems, existing.get(code), line, code, row)
            current = existing.get(code)
            current_manager = current.manager.code if current and current.manager_id else None
            if staged is None:
                if current is not None:  # a rejected row keeps its manager on record
                    run.parent[code] = current_manager
                manager = str(row.get("manager_code") or "").strip()
                if manager:  # still checked, so that every problem of the row is found at once
                    run.refs_of_rejected[code] = manager
                continue
            run.parent[code] = current_manager if staged.manager_code is None else staged.manager_code or None
            if staged.manager_code:
                run.from_file[code] = staged.manager_code
            moves = staged.manager_code is not None and (staged.manager_code or None) != current_manager
            if moves:
                run.manager_moves[code] = staged.manager_code
            if staged.terminate:
                run.terminate.append(code)
            run.outcome[code] = ("new" if staged.is_new else
                                 "changed" if staged.changed or moves or staged.terminate else "same")

    def check_across(self, run, problems, *, mode):
        """Managers by code: in the file (even on a row with its own error, reported there) or on record,
        current, and no loop in the reporting lines of the file's edges over the records' edges. Only the
        ancestors of the file's codes are read from the records, a level at a time, in batches."""
        frontier = {m for m in [*run.parent.values(), *run.refs_of_rejected.values()] if m and m not in run.line_of}
        while frontier:
            found = {}
            for batch in batched(sorted(frontier), LOOKUP_BATCH):
                for code, pk, status, manager in Employee.objects.filter(code__in=batch).values_list(
                        "code", "pk", "status", "manager__code"):
                    found[code] = (pk, status == Employee.Status.TERMINATED)
                    run.parent[code] = manager
            run.outside.update(found)
            frontier = {run.parent[c] for c in found if run.parent[c] and run.parent[c] not in run.line_of
                        and run.parent[c] not in run.outside}
        looping = _on_loops(run.parent)
        for code, manager in [*run.from_file.items(), *run.refs_of_rejected.items()]:
            line = run.line_of[code]
            if manager not in run.line_of and manager not in run.outside:
                problems.add(line, "manager_code", f"No employee with code {manager!r} in the file or on record.")
            elif manager not in run.line_of and run.outside[manager][1]:
                problems.add(line, "manager_code", f"{manager} has left; choose a current manager.")
            elif code in run.from_file and (manager == code or code in looping):
                problems.add(line, "manager_code", f"Reporting to {manager} would make a loop in the reporting line.")
        if mode == imports.VALID_ROWS:
            _reject_dependents(run, problems)

    def counts(self, run, problems):
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        names = {"new": "created", "changed": "updated", "same": "unchanged"}
        for code, outcome in run.outcome.items():
            if run.line_of[code] not in problems.lines:
                counts[names[outcome]] += 1
        return counts

    def write(self, run, rows, problems):
        coded = [(line, code, row) for line, code, row in self._codes(run, rows, None) if line not in problems.lines]
        existing = _existing(code for _, code, _ in coded)
        created, updated, fields = [], [], set()
        for line, code, row in coded:
            if run.outcome.get(code) == "same":
                run.pk_of[code] = existing[code].pk
                continue
            staged = _stage(run, RowProblems(), existing.get(code), line, code, row)
            if staged is None:  # it passed the check: the records changed since
                raise Conflict("Employees changed while importing; run the import again.", field="file")
            if staged.is_new:
                created.append(staged.employee)
                manager = run.manager_moves.get(code)
                known = manager and (run.pk_of.get(manager) or run.outside.get(manager, (None,))[0])
                if known:  # its manager came earlier in the file (or is on record): set it at once
                    staged.employee.manager_id = known
                    del run.manager_moves[code]
            else:
                run.pk_of[code] = staged.employee.pk
                if staged.changed:
                    updated.append(staged.employee)
                    fields.update(staged.changed)
                    run.updated[staged.employee.pk] = tuple(sorted(staged.changed))
        now = timezone.now()
        for employee in updated:
            employee.updated_at = now
        try:
            Employee.objects.bulk_create(created, batch_size=WRITE_BATCH)
            db.update_many(Employee, updated, [*sorted(fields), "updated_at"])
        except IntegrityError:  # a concurrent change took one of these codes first; nothing is written
            raise Conflict("Employees changed while importing; run the import again.", field="file") from None
        run.pk_of.update((e.code, e.pk) for e in created)
        run.created.extend(e.pk for e in created)

    def finish(self, run, counts):
        """Managers once everyone exists (a manager may come later in the file), then terminations through
        their own door (it ends access and moves reports), then one audit event, and one event for each
        employee created or changed, built from the rows as they are now."""
        now = timezone.now()
        # Before the manager updates: with the statistics of before the import, PostgreSQL thought this
        # workspace held no rows and found each row by scanning the workspace (333 s for 100,000).
        if counts["created"] + counts["updated"] >= ANALYZE_AFTER:
            db.analyze(Employee)
        moves = [(code, manager) for code, manager in run.manager_moves.items() if code in run.pk_of]
        for batch in batched(moves, WRITE_BATCH):
            db.update_many(Employee, [
                Employee(pk=run.pk_of[code], manager_id=(run.pk_of.get(m) or run.outside[m][0]) if m else None,
                         updated_at=now) for code, m in batch], ["manager", "updated_at"])
        terminating = [code for code in run.terminate if code in run.pk_of]
        for batch in batched(terminating, LOOKUP_BATCH):
            for employee in Employee.objects.filter(code__in=batch).select_related("manager", "member"):
                terminate_employee(run.actor, employee)
        if moves and counts["created"] + counts["updated"] >= ANALYZE_AFTER:
            db.analyze(Employee)  # again only when managers moved: the reads' plans depend on manager_id
        for code, _manager in moves:
            if run.outcome.get(code) != "new":  # a new employee's manager is part of its creation
                pk = run.pk_of[code]
                run.updated[pk] = tuple(sorted({*run.updated.get(pk, ()), "manager"}))
        record = audit.record(run.actor, "org.employee.imported", run.actor.workspace, created=counts["created"],
                              updated=counts["updated"], unchanged=counts["unchanged"],
                              codes=sorted(run.pk_of)[:1000])
        _emit_each(record, "org.employee.created", run.created)
        _emit_each(record, "org.employee.updated", sorted(run.updated), data=lambda e: {"fields": run.updated[e.pk]})


def _emit_each(record, type_name: str, pks: list, *, data=None) -> None:
    """The events of one import's rows, read back a batch at a time (only these rows, never all in memory)."""
    for batch in batched(pks, LOOKUP_BATCH):
        employees = (Employee.objects.filter(pk__in=batch).select_related("department")
                     .only(*EMPLOYEE_COLUMNS).order_by("pk"))
        events.emit_each(record, type_name, employees, data=data)


def _stage(run: _Run, problems: RowProblems, employee, line, code, row) -> _Staged | None:
    actor, names = run.actor, run.names
    is_new = employee is None
    if is_new:
        employee = Employee(workspace=actor.workspace, code=code)
        if not row.get("full_name"):
            problems.add(line, "full_name", "A new employee needs a full name.")
            return None
    changes = {}
    errors_before = len(problems)
    for column, value in row.items():
        if column in ("employee_code", "manager_code") or (column in CHOICE_COLUMNS and value in ("", None)):
            continue
        try:
            if column == "department":
                value = names.department(str(value).strip())
            elif column == "branch":
                value = names.branch(str(value).strip())
        except ValidationFailed as e:
            problems.add(line, column, e.message)
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
            for problem in e.problems:  # a value can break two rules (an end date: its format, its order)
                problems.add(line, problem.field or column, problem.message)
    if len(problems) > errors_before:
        return None
    manager_code = row.get("manager_code")
    manager_code = None if manager_code is None else str(manager_code).strip() or ""
    return _Staged(employee, is_new, changed, manager_code, terminate and not is_new)


def _on_loops(parent: dict) -> set:
    """The codes that sit on a loop of the reporting graph (each code has at most one manager)."""
    done, looping = set(), set()
    for start in parent:
        path, position, node = [], {}, start
        while node is not None and node not in done and node not in position:
            position[node] = len(path)
            path.append(node)
            node = parent.get(node)
        if node in position:
            looping.update(path[position[node]:])
        done.update(path)
    return looping


def _reject_dependents(run: _Run, problems: RowProblems) -> None:
    """Valid-rows mode: a row whose manager is on a rejected row waits for that row, and so on down."""
    reports: dict[str, list[str]] = {}
    for code, manager in run.from_file.items():
        if manager in run.line_of:
            reports.setdefault(manager, []).append(code)
    rejected = [code for code, line in run.line_of.items() if line in problems.lines]
    while rejected:
        manager = rejected.pop()
        for code in reports.get(manager, ()):
            line = run.line_of[code]
            if line not in problems.lines:
                problems.add(line, "manager_code", f"Manager {manager} is on line {run.line_of[manager]}, "
                                                   "which has a problem; fix both and import them again.")
                rejected.append(code)


EMPLOYEES = EmployeeImport()


def import_employees(actor: Actor, *, path_or_bytes, filename: str, mapping: dict | None = None,
                     mode: str = imports.ALL_OR_NOTHING, dry_run: bool = False, progress=None) -> dict:
    """Import in this process, without Celery (the CLI, benches): the same checks and writes as the job.
    Returns the result dict; `error_report_file` is the stored name of the error report, if any."""
    require(actor, EMPLOYEE_IMPORT)
    imports.check_mapping(EMPLOYEES, mapping)
    if isinstance(path_or_bytes, bytes):
        fd, path = tempfile.mkstemp(prefix="oorg-import-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(path_or_bytes)
            return imports.run_import(EMPLOYEES, actor, path=path, filename=filename, mapping=mapping, mode=mode,
                                      dry_run=dry_run, progress=progress)
        finally:
            os.unlink(path)
    return imports.run_import(EMPLOYEES, actor, path=str(path_or_bytes), filename=filename, mapping=mapping,
                              mode=mode, dry_run=dry_run, progress=progress)


def preview_import(actor: Actor, *, upload, filename: str, mapping: dict | None = None) -> dict:
    """Headers, the column each maps to, header problems and the first rows (an uploaded file or a path)."""
    path = getattr(upload, "temporary_file_path", None)
    if path is not None:
        return imports.preview(EMPLOYEES, actor, path=path(), filename=filename, mapping=mapping)
    fd, temp = tempfile.mkstemp(prefix="oorg-preview-")
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
                f.write(chunk)
        return imports.preview(EMPLOYEES, actor, path=temp, filename=filename, mapping=mapping)
    finally:
        os.unlink(temp)


def start_import(actor: Actor, *, upload, filename: str, mapping: dict | None = None,
                 mode: str = imports.ALL_OR_NOTHING, dry_run: bool = False, keep_upload: bool = False):
    """Queue the import as a background job (API, import page): returns the Job."""
    return imports.start(EMPLOYEES, actor, upload=upload, filename=filename, mapping=mapping, mode=mode,
                         dry_run=dry_run, keep_upload=keep_upload)


# --- export ----------------------------------------------------------------------------------------------


def columns_for(actor: Actor) -> list[str]:
    """The columns this actor imports and exports: personal ones only with org.employee.view_personal."""
    personal = actor.can(EMPLOYEE_VIEW_PERSONAL)
    return [c for c in COLUMNS if personal or c not in PERSONAL_COLUMNS]


def export_employees(actor: Actor, viewer: Viewer, *, fmt: str, **filters):
    """The directory as the importer reads it, so an export can be edited and imported back: the file's
    bytes as an iterator that reads the rows 2,000 at a time while it is sent (a response streams it)."""
    require(actor, EMPLOYEE_EXPORT)
    if fmt not in ("csv", "xlsx"):
        raise ValidationFailed("Export as csv or xlsx.", field="format")
    headers = columns_for(actor)
    people = employees_visible_to(viewer, **filters)
    audit.record(actor, "org.employee.exported", actor.workspace, rows=people.count(), format=fmt,
                 personal=PERSONAL_COLUMNS[0] in headers)
    return _in_scope(actor.workspace.pk, stream_table(fmt, headers, _export_rows(people, headers)))


def _export_rows(people, headers):
    paths = _department_paths()
    for e in people.iterator(chunk_size=2000):
        values = {"employee_code": e.code, "full_name": e.full_name, "work_email": e.work_email, "phone": e.phone,
                  "job_title": e.job_title, "department": paths.get(e.department_id, ""),
                  "branch": e.branch.name if e.branch else "", "manager_code": e.manager.code if e.manager else "",
                  "employment_type": e.employment_type, "start_date": e.start_date, "end_date": e.end_date,
                  "status": e.status, "birth_date": e.birth_date, "home_address": e.home_address,
                  "emergency_contact_name": e.emergency_contact_name,
                  "emergency_contact_phone": e.emergency_contact_phone}
        yield [values[h] for h in headers]


def _in_scope(workspace_id: int, chunks):
    """A response streams after the request's workspace scope has closed: read the rows inside it again."""
    with workspace_scope(workspace_id):
        yield from chunks


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

"""The one import pattern: an area declares its columns, how rows are checked and how they are written.

    upload -> header mapping (auto by aliases, editable) -> preview -> check (every problem, once, in one
    pass) -> error report (the bad rows + `reason`, to fix and upload again) -> write, all or nothing or
    only the valid rows, in one transaction -> result (counts, the first problems).

Cost follows the file, not the workspace: the file is streamed in chunks of CHUNK rows, an area looks up
only the keys of a chunk (LOOKUP_BATCH per query) and writes in bulk. What a run holds for the whole file
is keys (codes, references) and the problems found. A big file runs as a background job (core/jobs.py)
whose progress moves during the check; the write is one transaction, fast because it is bulk.

An area subclasses `Spec`, then `register(spec)` once (its app's ready()); `start(spec, actor, ...)` stores
the upload and queues the job, `run_import(spec, actor, path=...)` runs it in-process (CLI, benches).
"""
from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.files import File
from django.db import transaction

from . import files, jobs
from .errors import DomainError, ValidationFailed
from .permissions import Actor, require
from .tabular import MAX_ROWS, TableError, TableFile, batched, normalise_header, write_csv

ALL_OR_NOTHING, VALID_ROWS = "all_or_nothing", "valid_rows"
MODES = (ALL_OR_NOTHING, VALID_ROWS)
CHUNK = 1000  # rows checked or written together: bounds the memory of a run
LOOKUP_BATCH = 500  # keys per `__in` lookup
WRITE_BATCH = 1000  # rows per bulk_create / bulk_update
ERRORS_SHOWN = 100  # problems in a result; all of them are in the error report
PREVIEW_ROWS = 10
REASON = "reason"


@dataclass
class RowProblems:
    """Every problem of one run, by line; a line with any problem is not written."""

    items: list = field(default_factory=list)  # (line, field, message)
    lines: set = field(default_factory=set)

    def add(self, line: int, column: str | None, message: str) -> None:
        self.items.append((line, column, message))
        if line > 1:
            self.lines.add(line)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def first(self, n: int) -> list[dict]:
        ordered = sorted(self.items, key=lambda p: (p[0], p[1] or ""))
        return [{"line": line, "field": column, "message": message} for line, column, message in ordered[:n]]

    def reasons(self) -> dict[int, str]:
        joined: dict[int, list[str]] = {}
        for line, column, message in sorted(self.items, key=lambda p: (p[0], p[1] or "")):
            joined.setdefault(line, []).append(f"{column}: {message}" if column else message)
        return {line: " | ".join(messages) for line, messages in joined.items()}


class Spec:
    """What an area declares. `columns` maps each column to the header spellings (normalised) it accepts."""

    kind: str  # the job kind, e.g. "org.employee.import"
    permission: str  # needed to import; its holders also see every job of this kind
    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...] = ()
    key_column: str = ""  # rows are matched by this column (idempotence)
    max_rows = MAX_ROWS
    max_file_bytes = 20 * 1024 * 1024

    def aliases(self) -> dict[str, str]:
        return {alias: column for column, aliases in self.columns.items() for alias in aliases}

    def check_columns(self, actor: Actor, columns: list[str], problems: RowProblems) -> None:
        """Header-level rules beyond known and required columns (columns this actor may not import)."""

    def begin(self, actor: Actor, *, mode: str):
        """A fresh run state (lookups of small tables, the keys seen so far)."""
        raise NotImplementedError

    def check(self, state, rows: list[tuple[int, dict]], problems: RowProblems) -> None:
        """Check one chunk of rows (column -> value), recording keys in `state` and problems by line."""
        raise NotImplementedError

    def check_across(self, state, problems: RowProblems, *, mode: str) -> None:
        """Checks that need the whole file (references between rows); in VALID_ROWS mode, also reject the rows
        that depend on a rejected row."""

    def counts(self, state, problems: RowProblems) -> dict:
        raise NotImplementedError

    def write(self, state, rows: list[tuple[int, dict]], problems: RowProblems) -> None:
        """Write one chunk (inside the run's transaction), skipping the lines that have problems."""
        raise NotImplementedError

    def finish(self, state, counts: dict) -> None:
        """After every chunk, still inside the transaction: references, follow-up actions, one audit event."""


# --- mapping and preview ------------------------------------------------------------------------------------


def check_mapping(spec: Spec, mapping) -> dict[str, str]:
    """The shape of a mapping a person sent: {header: column or "" (ignore)}. Refused as a whole (422)."""
    if mapping is None:
        return {}
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise ValidationFailed('The mapping is an object {"header": "column"}; "" ignores a header.', field="mapping")
    unknown = sorted({v for v in mapping.values() if v and v not in spec.columns})
    if unknown:
        raise ValidationFailed(f"Unknown column {unknown[0]!r} in the mapping. Columns: {', '.join(spec.columns)}.",
                               field="mapping")
    return {normalise_header(k): v for k, v in mapping.items()}


def map_headers(spec: Spec, actor: Actor, headers: list[str], mapping: dict | None, problems: RowProblems) -> dict:
    """{header: column} for the headers that are used; every header problem goes to `problems` (line 1)."""
    chosen, aliases, used = check_mapping(spec, mapping), spec.aliases(), {}
    for header in headers:
        column = chosen.get(header, aliases.get(header))
        if (header in chosen and not column) or (header == REASON and header not in chosen):
            continue  # ignored on purpose, or the `reason` of our own error report, uploaded again
        if column is None:
            problems.add(1, header, f"Unknown column {header!r}. Columns: {', '.join(spec.columns)}.")
        elif column in used.values():
            problems.add(1, header, f"Two columns mean {column}.")
        else:
            used[header] = column
    for column in spec.required:
        if column not in used.values():
            problems.add(1, column, f"The file needs a {column} column.")
    spec.check_columns(actor, list(used.values()), problems)
    return used


def preview(spec: Spec, actor: Actor, *, path, filename: str, mapping: dict | None = None) -> dict:
    """Headers, the mapping chosen for each (auto or as sent), header problems and the first rows mapped."""
    require(actor, spec.permission)
    problems = RowProblems()
    try:
        with TableFile(filename, path, max_rows=spec.max_rows) as table:
            used = map_headers(spec, actor, table.headers, mapping, problems)
            rows = [{used[h]: _text(v) for h, v in row.items() if h in used}
                    for _line, row in itertools.islice(table.rows(), PREVIEW_ROWS)]
            headers, raw = table.headers, table.raw_headers
    except TableError as e:
        return {"headers": [], "mapping": {}, "columns": list(spec.columns), "rows": [],
                "errors": [{"line": e.line or 1, "field": "file", "message": e.message}]}
    return {"headers": raw, "mapping": {r: used.get(h, "") for h, r in zip(headers, raw)},
            "columns": list(spec.columns), "rows": rows, "errors": problems.first(ERRORS_SHOWN)}


def _text(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


# --- the run --------------------------------------------------------------------------------------------------


def run_import(spec: Spec, actor: Actor, *, path, filename: str, mapping: dict | None = None,
               mode: str = ALL_OR_NOTHING, dry_run: bool = False, progress=None) -> dict:
    """Check the file, then (unless `dry_run`) write it. Returns the result; `error_report_file` is the stored
    name of the error report, when there are bad rows. `progress(done, total=None)` is told how far it got."""
    require(actor, spec.permission)
    if mode not in MODES:
        raise ValidationFailed(f"mode is {' or '.join(MODES)}.", field="mode")
    progress = progress or (lambda *args, **kwargs: None)
    problems = RowProblems()
    result = {"dry_run": dry_run, "mode": mode, "written": False, "rows": 0, "created": 0, "updated": 0,
              "unchanged": 0}
    try:
        with TableFile(filename, path, max_rows=spec.max_rows) as table:
            used = map_headers(spec, actor, table.headers, mapping, problems)
            result["mapping"] = {r: used.get(h, "") for h, r in zip(table.headers, table.raw_headers)}
            if not problems:
                total = sum(1 for _ in table.rows())  # also proves the file whole before any row is checked
                result["rows"] = total
                progress(0, total)
                _check_and_write(spec, actor, table, used, problems, result, mode=mode, dry_run=dry_run,
                                 progress=progress)
            report = _error_report(actor, table, problems) if problems.lines else None
    except TableError as e:
        problems.add(e.line or 1, "file", e.message)
        report = None
    result.update(error_count=len(problems), rejected_rows=len(problems.lines), errors=problems.first(ERRORS_SHOWN),
                  error_report_file=report)
    return result


def _mapped(table: TableFile, used: dict):
    for line, row in table.rows():
        yield line, {column: row[header] for header, column in used.items()}


def _check_and_write(spec, actor, table, used, problems, result, *, mode, dry_run, progress):
    state, done = spec.begin(actor, mode=mode), 0
    for rows in batched(_mapped(table, used), CHUNK):
        spec.check(state, rows, problems)
        done += len(rows)
        progress(done)
    progress(done, done)  # the check is done: said even when the last chunk came quickly
    spec.check_across(state, problems, mode=mode)
    counts = spec.counts(state, problems)
    result.update(counts)
    if dry_run or (problems and mode == ALL_OR_NOTHING):
        return
    with transaction.atomic():  # all of it or nothing: a crash or a conflict half-way leaves no trace
        if counts["created"] or counts["updated"]:
            for rows in batched(_mapped(table, used), CHUNK):
                spec.write(state, rows, problems)
        spec.finish(state, counts)
    result["written"] = True


def _error_report(actor: Actor, table: TableFile, problems: RowProblems) -> str:
    """The bad rows as the file had them, every column, plus `reason`: fix them and upload this file again."""
    reasons = problems.reasons()
    headers = [*table.raw_headers, REASON if REASON not in table.headers else "import_reason"]
    rows = ([*row.values(), reasons[line]] for line, row in table.rows() if line in reasons)
    with tempfile.TemporaryFile() as temp:
        write_csv(temp, headers, rows)
        temp.seek(0)
        return files.save_private(upload_folder(actor), File(temp), suffix=".csv")


# --- as a background job -------------------------------------------------------------------------------------


def upload_folder(actor: Actor) -> str:
    # core.purge_stale_uploads deletes what is left here after a day (uploads never imported, error reports).
    return f"workspaces/{actor.workspace.pk}/imports"


@contextmanager
def local_copy(name: str):
    """A stored file as a local path (the storage may be S3), copied in chunks, removed afterwards."""
    fd, path = tempfile.mkstemp(prefix="oorg-import-")
    try:
        with os.fdopen(fd, "wb") as out, files.storage().open(name, "rb") as stored:
            shutil.copyfileobj(stored, out, 1024 * 1024)
        yield path
    finally:
        os.unlink(path)


def register(spec: Spec) -> None:
    jobs.register(spec.kind, permission=spec.permission, run=lambda actor, job, progress: _run_job(
        spec, actor, job, progress), on_give_up=_forget_upload)


def start(spec: Spec, actor: Actor, *, upload, filename: str, mapping: dict | None = None,
          mode: str = ALL_OR_NOTHING, dry_run: bool = False, keep_upload: bool = False):
    """Check what can be checked now (right, mode, mapping), store the upload (bytes, a file, or the stored
    name of an earlier upload) and queue the job. `keep_upload`: a check whose file a confirm imports later."""
    require(actor, spec.permission)
    if mode not in MODES:
        raise ValidationFailed(f"mode is {' or '.join(MODES)}.", field="mode")
    check_mapping(spec, mapping)
    if isinstance(upload, str):
        stored = upload
    else:
        suffix = os.path.splitext(filename)[1].lower()
        stored = files.save_private(upload_folder(actor), File(upload) if not isinstance(upload, bytes) else upload,
                                    suffix=suffix if suffix in (".csv", ".txt", ".xlsx") else "")
    params = {"file": stored, "filename": filename[-200:], "mapping": mapping or {}, "mode": mode,
              "dry_run": dry_run, "keep_upload": keep_upload}
    return jobs.start(actor, spec.kind, params=params)


def _run_job(spec: Spec, actor: Actor, job, progress) -> dict:
    p = job.params
    try:
        with local_copy(p["file"]) as path:
            result = run_import(spec, actor, path=path, filename=p["filename"], mapping=p["mapping"] or None,
                                mode=p["mode"], dry_run=p["dry_run"], progress=progress)
    except FileNotFoundError:
        raise jobs.JobFailed({"detail": "The uploaded file is gone (uploads are kept for a day); upload it again."})
    except DomainError as e:  # the creator lost the right, a concurrent change: nothing was written
        raise jobs.JobFailed({"detail": e.message, "code": e.code, "field": e.field}) from None
    finally:
        if not p.get("keep_upload"):
            files.delete(p["file"])
    report = result.pop("error_report_file")
    if report:
        job.params = {**p, "error_report": report}
        type(job).objects.filter(pk=job.pk).update(params=job.params)
    result["error_report"] = f"/api/v1/jobs/{job.pk}/error-report" if report else None
    if result["error_count"] and not result["written"] and not p["dry_run"]:
        result["detail"] = f"Nothing was imported: {result['error_count']} problem(s) in the file."
        raise jobs.JobFailed(result)
    return result


def _forget_upload(job) -> None:
    if not job.params.get("keep_upload"):
        files.delete(job.params.get("file", ""))

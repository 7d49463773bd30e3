"""`oorg`: everything an operator does. Run `oorg --help`."""
from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oorg.settings")
    import django

    django.setup()


def cmd_migrate(args) -> int:
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    return 0


def cmd_demo(args) -> int:
    _django()
    from oorg.core.demo import seed_demo
    from oorg.workspaces.demo import demo_signin

    if args.if_empty:
        from oorg.core.models import Workspace

        if Workspace.objects.exists():
            print("Workspaces exist already; no demo data added.")
            _print_signin(demo_signin())
            return 0
    seed_demo(progress=print)
    _print_signin(demo_signin())
    return 0


def _print_signin(people) -> None:
    from django.conf import settings

    print(f"\nOORG is at {settings.BASE_URL}/")
    if people:
        print("Sign in to the demo workspace with any of these (password for all: "
              f"{people['password']}):")
        for role, email in people["users"]:
            print(f"  {role:<7} {email}")
    print(f"New emails (verification codes, invitations) land in {settings.OUTBOX_DIR}/ unless OORG_SMTP_URL is set.\n")


def cmd_audit_verify(args) -> int:
    _django()
    from oorg.core import audit

    notes: list[str] = []
    checked, problems = audit.verify(progress=lambda n: print(f"  checked {n} events...", flush=True), notes=notes)
    for note in notes:
        print(f"  {note}")
    if problems:
        print(f"Audit log BROKEN after checking {checked} events:")
        for p in problems:
            print(f"  - {p}")
        return 1
    print(f"Audit log intact: {checked} events, every chain verified.")
    return 0


def cmd_audit_anchor(args) -> int:
    _django()
    from oorg.core.audit_anchors import write_checkpoint

    for where in write_checkpoint():
        print(f"Audit chain heads anchored: {where}")
    return 0


def cmd_leave_accrue(args) -> int:
    """Run the leave accrual job now (what the daily task does): grants, accruals, carry-over, expiry; idempotent."""
    import datetime as dt

    _django()
    from oorg.leave.services.accrual import run_accruals

    try:
        day = dt.date.fromisoformat(args.date) if args.date else None
    except ValueError:
        print("--date is YYYY-MM-DD, like 2026-01-01.", file=sys.stderr)
        return 2
    with _progress_bar("Workspaces") as progress:
        result = run_accruals(day, progress=progress)
    print(f"{result['workspaces']} workspaces: {result['granted']} yearly grants, {result['accrued']} monthly "
          f"accruals, {result['carried']} carry-overs, {result['expired']} expiries written.")
    return 0


def cmd_import_employees(args) -> int:
    """Import a spreadsheet in this process, through the same service as the page and the API."""
    _django()
    from pathlib import Path

    from oorg.core import files, imports
    from oorg.core.errors import DomainError
    from oorg.core.models import Membership, Workspace
    from oorg.core.permissions import Actor
    from oorg.core.tenancy import workspace_scope
    from oorg.org import importing

    source = Path(args.file)
    workspace = Workspace.objects.filter(slug=args.workspace).first()
    if workspace is None or not source.is_file():
        print(f"No workspace {args.workspace!r}." if workspace is None else f"No file {source}.", file=sys.stderr)
        return 2
    mapping = {}
    for pair in args.map or []:
        header, _, column = pair.partition("=")
        mapping[header] = column
    with workspace_scope(workspace):
        if args.as_email:
            membership = Membership.objects.select_related("user").filter(
                user__email__iexact=args.as_email, is_active=True).first()
            if membership is None:
                print(f"{args.as_email} is not a member of {workspace.slug}.", file=sys.stderr)
                return 2
            actor = Actor(user=membership.user, workspace=workspace, membership=membership, role=membership.role)
        else:
            actor = Actor.system(workspace)
        mode = imports.VALID_ROWS if args.valid_rows else imports.ALL_OR_NOTHING
        with _progress_bar("Checking" if args.check else "Importing") as progress:
            try:
                result = importing.import_employees(actor, path_or_bytes=source, filename=source.name,
                                                    mapping=mapping or None, mode=mode, dry_run=args.check,
                                                    progress=progress)
            except DomainError as e:
                print(f"Refused: {e.message}", file=sys.stderr)
                return 1
        report = result.pop("error_report_file", None)
        if report:
            target = Path(args.errors or source.with_name(source.stem + "-errors.csv"))
            target.write_bytes(files.read(report))
            files.delete(report)
    _print_import_result(result, report and target)
    return 1 if result["error_count"] else 0


def _progress_bar(label: str):
    """A `progress(done, total=None)` callable drawing a bar (rich when installed, else plain text)."""
    from contextlib import contextmanager

    @contextmanager
    def bar():
        try:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        except ImportError:
            state = {"total": None}

            def plain(done, total=None):
                state["total"] = total or state["total"]
                if state["total"]:
                    filled = int(30 * done / state["total"])
                    print(f"\r{label} [{'#' * filled}{'.' * (30 - filled)}] {done}/{state['total']}", end="",
                          flush=True)
            yield plain
            print()
            return
        with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      transient=False) as bar:
            task = bar.add_task(label, total=None)

            def update(done, total=None):
                if total is not None:
                    bar.update(task, total=total)
                bar.update(task, completed=done)
            yield update

    return bar()


def _print_import_result(result: dict, report) -> None:
    verb = "Would create" if result["dry_run"] else "Created"
    print(f"{result['rows']} rows: {verb} {result['created']}, "
          f"{'would update' if result['dry_run'] else 'updated'} {result['updated']}, "
          f"{result['unchanged']} unchanged.")
    if result["error_count"]:
        print(f"{result['error_count']} problem(s) in {result['rejected_rows']} row(s):")
        for e in result["errors"][:20]:
            print(f"  line {e['line']}, {e['field'] or '-'}: {e['message']}")
        if result["error_count"] > 20:
            print(f"  ... and {result['error_count'] - 20} more.")
        if report:
            print(f"The bad rows with a 'reason' column are in {report}: fix them there and import it again.")
    if not result["dry_run"]:
        print("Written." if result["written"] else "Nothing was written (all or nothing; see --valid-rows).")


def cmd_worker(args) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oorg.settings")
    argv = [sys.executable, "-m", "celery", "-A", "oorg.celery", "worker", "--loglevel", args.loglevel,
            "--concurrency", str(args.concurrency)]
    if args.beat:
        argv.append("--beat")
    os.execv(sys.executable, argv)


def _start_embedded_worker() -> subprocess.Popen | None:
    from django.conf import settings

    if settings.REDIS_URL or settings.CELERY_TASK_ALWAYS_EAGER:
        return None  # at scale, `oorg worker` processes run elsewhere
    print("No OORG_REDIS_URL: running background and periodic jobs in an embedded worker (SQLite broker).",
          flush=True)
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "oorg.celery", "--quiet", "worker", "--loglevel", "warning",
         "--pool", "solo", "--without-heartbeat", "--without-gossip", "--without-mingle", "--beat"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "oorg.settings"},
    )


# A client gets this long to send a request's headers, and a kept-alive connection may idle this long (ms).
HEADER_READ_TIMEOUT_MS = 10_000


class _QuietGranianThreadWarning(logging.Filter):
    # Granian warns about more WSGI threads than cores; ours mostly wait on slow clients' bodies, not the CPU.
    def filter(self, record):
        return "Python threads" not in record.getMessage()


def _wsgi_worker(*args, **kwargs):
    """Granian's WSGI worker process, deaf to SIGINT: Ctrl+C in a terminal reaches every process of the group,
    and a worker interrupted that way hangs in its shutdown until it is killed (granian 2.8); the main
    process gets the Ctrl+C too and stops its workers with SIGTERM, which they honour at once."""
    import granian._signals
    from granian.server import Server

    set_sync_signals = granian._signals.set_sync_signals

    def set_sync_signals_but_sigint():
        event = set_sync_signals()
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        return event

    granian._signals.set_sync_signals = set_sync_signals_but_sigint
    return Server._spawn_wsgi_worker(*args, **kwargs)


def _granian_server(args):
    """Granian serving Django as WSGI (bench/README.md says why): its Rust side reads request headers with a
    timeout, so slow or idle connections hold no Python thread; a request whose body is still arriving does
    hold one of the worker's --threads, which is why there are many of them (spawned on demand)."""
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.server import Server

    server = Server(
        "oorg.wsgi:application", address=args.host, port=args.port, interface=Interfaces.WSGI,
        workers=args.workers, blocking_threads=args.threads, http=HTTPModes.http1, websockets=False,
        http1_settings=HTTP1Settings(header_read_timeout=HEADER_READ_TIMEOUT_MS),
        log_access=False,  # our middleware logs one structured line per request
        respawn_failed_workers=True, workers_kill_timeout=20,
    )
    logging.getLogger("_granian").addFilter(_QuietGranianThreadWarning())
    return server


def cmd_serve(args) -> int:
    _django()
    import oorg.wsgi  # noqa: F401  (loaded once here; forked workers inherit it)

    server = _granian_server(args)
    worker = _start_embedded_worker()
    if worker is not None:
        try:
            status = worker.wait(timeout=2)  # a worker that cannot start says so within a moment
        except subprocess.TimeoutExpired:
            pass
        else:
            print(f"The embedded background worker exited at start (status {status}); not serving.", file=sys.stderr)
            return 1
    print(f"Serving OORG on http://{args.host}:{args.port}/ ({args.workers} workers, up to {args.threads} "
          "threads each). Ctrl+C stops.", flush=True)
    try:
        server.serve(spawn_target=_wsgi_worker)
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)
    return 0


def cmd_manage(args) -> int:
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["oorg manage", *args.rest])
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="oorg", description="Run and operate OORG.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="serve the web app and API (granian; runs jobs too when no Redis is set)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=int(os.environ.get("OORG_WEB_WORKERS", "2")),
                   help="processes (default: OORG_WEB_WORKERS or 2; one per core)")
    p.add_argument("--threads", type=int, default=int(os.environ.get("OORG_WEB_THREADS", "64")),
                   help="most requests one process handles at once, each on its own thread, started on demand "
                        "(default: OORG_WEB_THREADS or 64); a request still receiving its body holds one")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="run a Celery worker for background jobs")
    p.add_argument("--concurrency", type=int, default=2)
    p.add_argument("--loglevel", default="info")
    p.add_argument("--beat", action="store_true", help="also run periodic jobs (one such worker only)")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("migrate", help="create or upgrade the database schema")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("demo", help="create the demo workspace and its users (idempotent)")
    p.add_argument("--if-empty", action="store_true", help="only when the database has no workspace yet")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("audit", help="audit log tools")
    audit_sub = p.add_subparsers(dest="audit_command", required=True)
    v = audit_sub.add_parser("verify", help="prove every audit chain is intact (exit 1 names the first break)")
    v.set_defaults(func=cmd_audit_verify)
    a = audit_sub.add_parser("anchor", help="write a signed checkpoint of every chain head outside the database")
    a.set_defaults(func=cmd_audit_anchor)

    p = sub.add_parser("import", help="import a spreadsheet into a workspace (the same checks as the import page)")
    import_sub = p.add_subparsers(dest="import_command", required=True)
    i = import_sub.add_parser("employees", help="employees from a .csv or .xlsx file, matched by employee code")
    i.add_argument("file")
    i.add_argument("--workspace", required=True, help="the workspace's slug")
    i.add_argument("--as", dest="as_email", help="act as this member (default: the system, fully trusted)")
    i.add_argument("--check", action="store_true", help="only check and report; write nothing")
    i.add_argument("--valid-rows", action="store_true", help="import the valid rows, skip the bad ones "
                                                             "(default: all or nothing)")
    i.add_argument("--map", action="append", metavar="HEADER=COLUMN",
                   help="match a header to a column (empty column: ignore the header); repeatable")
    i.add_argument("--errors", help="where to write the error report (default: FILE-errors.csv beside FILE)")
    i.set_defaults(func=cmd_import_employees)

    p = sub.add_parser("leave", help="leave tools")
    leave_sub = p.add_subparsers(dest="leave_command", required=True)
    la = leave_sub.add_parser("accrue", help="grant and accrue leave due by a date (idempotent; the daily job)")
    la.add_argument("--date", help="YYYY-MM-DD (default: today)")
    la.set_defaults(func=cmd_leave_accrue)

    p = sub.add_parser("manage", help="run a Django management command", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)

    args = parser.parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())

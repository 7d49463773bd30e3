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

    if args.if_empty:
        from oorg.core.models import Workspace

        if Workspace.objects.exists():
            from oorg.core.demo import demo_signin

            print("Workspaces exist already; no demo data added.")
            _print_signin(demo_signin())
            return 0
    _print_signin(seed_demo(progress=print))
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

    p = sub.add_parser("manage", help="run a Django management command", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)

    args = parser.parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())

"""CRM import at scale: 100,000 contacts with 20,000 companies, against a raw bulk insert of the same rows.

One run migrates a scratch database (SQLite in a temporary data dir, or a scratch PostgreSQL database), writes a
CSV of N contacts (each with a company name and domain; N/5 distinct companies; half with a phone; some tags),
then, each in its own child process and its own fresh workspace of the same database:

- import: oorg.crm.services.imports.run_import(entity="contact", dedupe="skip"): mapping, every cell cleaned
  (emails, E.164 phones, domains, tags), dedupe lookups by email, then phone, among the importer's records,
  companies resolved by domain/name among the visible ones and the missing ones created in bulk, contacts and
  links written in bulk, a "created" timeline entry per record, one audit record, and one event per created
  record when the crm.*.created event types are registered;
- raw: the same CSV read with csv, companies executemany'd, their ids read back, contacts executemany'd, the
  contact-company links executemany'd, in one transaction (no cleaning, no dedupe, no timeline, no events).

The import is measured as a request or job runs it: the checks, the writes and the outbox rows (one audit
record, one event per created record), up to its commit. Handing the events to their consumers is a worker's
job after the commit: the bench keeps the queued ids aside and dispatches them after the clock stops, and
prints that time on its own line. `--profile FILE` writes the import's cProfile stats.

It prints both times, the ratio (goal <= 3x) and each child's peak RSS. A measurement, not a test: exit 0
whatever the ratio.

    nice .venv/bin/python bench/crm_import.py                 # 100,000 contacts on SQLite
    nice .venv/bin/python bench/crm_import.py --rows 10000    # smaller
    nice .venv/bin/python bench/crm_import.py --database-url postgres://oorg@127.0.0.1:55999/oorg
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from people_scale import _maxrss_mb, _scratch_database, _use_project_venv  # noqa: E402

GOAL = 3.0
WORDS = ("Acme Globex Initech Umbrella Hooli Stark Wayne Wonka Tyrell Cyberdyne Soylent Oscorp Vandelay "
         "Massive Dynamic Aperture Gringotts Monarch Pied Piper").split()
FIRST = "Ada Ali Amara Anna Arjun Aya Ben Bruno Carla Chen Chloe Dana David Diego Elena Emma Ezra".split()
LAST = "Abara Adler Akande Alvarez Andersen Bauer Becker Bianchi Brown Castro Chen Costa Cruz Dubois".split()


def write_csv(path: Path, rows: int, companies: int) -> None:
    rng = random.Random(7)
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["full_name", "email", "phone", "job_title", "company", "company_domain", "tags"])
        for i in range(rows):
            c = i % companies
            name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {c}"
            out.writerow([f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}", f"person{i}@mail{i % 97}.test",
                          f"+4930{1000000 + i}" if i % 2 else "", "Buyer" if i % 3 else "CTO",
                          name, f"company{c}.test", "fair-2026" if i % 10 == 0 else ""])


def _django():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oorg.settings")
    django.setup()


def child_setup(spec: dict) -> dict:
    _django()
    from django.utils import timezone

    from oorg.accounts.models import User
    from oorg.workspaces.services import create_workspace

    made = {}
    for name in ("import", "raw"):
        user = User.objects.create_user(f"{name}-{spec['tag']}@bench.test", "Bench-Passphrase-42",
                                        full_name=name.title(), email_verified_at=timezone.now())
        made[name] = {"workspace": create_workspace(user, name=f"CRM bench {name}").pk, "user": user.pk}
    return made


def _actor(workspace_id: int, user_id: int):
    from oorg.accounts.models import User
    from oorg.core.models import Membership, Workspace
    from oorg.core.permissions import Actor
    from oorg.core.tenancy import workspace_scope

    workspace, user = Workspace.objects.get(pk=workspace_id), User.objects.get(pk=user_id)
    with workspace_scope(workspace):
        m = Membership.objects.get(user=user)
    return Actor(user=user, workspace=workspace, membership=m, role=m.role), workspace


def _counts(workspace_id: int) -> dict:
    from oorg.core.tenancy import workspace_scope
    from oorg.crm.models import Company, Contact, ContactCompany

    with workspace_scope(workspace_id):
        return {"contacts": Contact.objects.count(), "companies": Company.objects.count(),
                "links": ContactCompany.objects.count()}


def child_import(spec: dict) -> dict:
    _django()
    from oorg.core import events
    from oorg.core.tenancy import workspace_scope
    from oorg.crm.services import imports

    actor, workspace = _actor(spec["workspace"], spec["user"])
    phases = {"check": 0.0, "write": 0.0, "finish": 0.0}

    def timed(name, method):
        def run(*args, **kwargs):
            t = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                phases[name] += time.perf_counter() - t
        return run

    for name in phases:  # where the time goes: the check (read, clean, look up), the write, the events
        setattr(imports.CrmImport, name, timed(name, getattr(imports.CrmImport, name)))
    # In production the events are handed to their consumers by a worker after the commit, not by the import:
    # the ids queued at commit are kept aside here and dispatched after the clock stops, timed on their own.
    queued: list[list[str]] = []
    hand_over = events._queue
    events._queue = queued.append
    profiler = None
    if spec.get("profile"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    with workspace_scope(workspace):
        result = imports.run_import(actor, "contact", path=spec["csv"], filename="contacts.csv", dedupe="skip")
    seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(spec["profile"])
    events._queue = hand_over
    started = time.perf_counter()
    for ids in queued:
        hand_over(ids)
    dispatch_seconds = time.perf_counter() - started
    keep = {k: result.get(k) for k in ("created", "skipped", "companies_created", "error_count", "written")}
    return {"seconds": seconds, "rss_mb": _maxrss_mb(), "result": keep, **_counts(spec["workspace"]),
            "phases": {k: round(v, 1) for k, v in phases.items()}, "dispatch_seconds": dispatch_seconds,
            "dispatched": sum(len(ids) for ids in queued),
            "events": sorted(t for t in ("crm.contact.created", "crm.company.created") if t in events.TYPES)}


def child_raw(spec: dict) -> dict:
    _django()
    from django.db import connection, transaction
    from django.utils import timezone

    from oorg.core.models import Membership
    from oorg.crm.models import Company, Contact, ContactCompany

    ws = spec["workspace"]
    owner = Membership.all_workspaces.get(workspace_id=ws, user_id=spec["user"]).pk
    now = timezone.now()
    q = connection.ops.quote_name
    started = time.perf_counter()
    with open(spec["csv"], newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        contacts, companies = [], {}
        for full_name, email, phone, title, company, domain, tags in reader:
            contacts.append((full_name, email, phone, title, domain, json.dumps([tags] if tags else [])))
            companies.setdefault(domain, company)
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {q(Company._meta.db_table)} (workspace_id, owner_id, tags, custom_fields, created_by_id, "
            "created_at, updated_at, name, domain, industry, size, phone, address) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, '', '', '', '')",
            [(ws, owner, "[]", "{}", spec["user"], now, now, name, domain) for domain, name in companies.items()])
        cur.execute(f"SELECT domain, id FROM {q(Company._meta.db_table)} WHERE workspace_id = %s", [ws])
        company_id = dict(cur.fetchall())
        cur.executemany(
            f"INSERT INTO {q(Contact._meta.db_table)} (workspace_id, owner_id, tags, custom_fields, created_by_id, "
            "created_at, updated_at, full_name, email, phone, job_title) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [(ws, owner, tags, "{}", spec["user"], now, now, n, e, p, t) for n, e, p, t, _d, tags in contacts])
        cur.execute(f"SELECT email, id FROM {q(Contact._meta.db_table)} WHERE workspace_id = %s", [ws])
        contact_id = dict(cur.fetchall())
        cur.executemany(
            f"INSERT INTO {q(ContactCompany._meta.db_table)} (workspace_id, contact_id, company_id) VALUES (%s, %s, %s)",
            [(ws, contact_id[e], company_id[d]) for _n, e, _p, _t, d, _tags in contacts])
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rss_mb": _maxrss_mb(), **_counts(ws)}


CHILDREN = {"setup": child_setup, "import": child_import, "raw": child_raw}


def run_child(kind: str, spec: dict, env: dict, timeout: float = 3600) -> dict:
    argv = [sys.executable, str(Path(__file__).resolve()), "--_child", kind, json.dumps(spec)]
    proc = subprocess.run(argv, check=False, env=env, capture_output=True, text=True, timeout=timeout)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT="):
            return json.loads(line.removeprefix("RESULT="))
    raise RuntimeError(f"{kind} failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")


def main(argv=None) -> int:
    _use_project_venv()
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--_child":
        result = CHILDREN[sys.argv[2]](json.loads(sys.argv[3]))
        print("RESULT=" + json.dumps(result, default=str))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="contacts in the file (default 100,000)")
    parser.add_argument("--companies", type=int, help="distinct companies (default rows / 5)")
    parser.add_argument("--database-url", help="PostgreSQL server; a scratch database is created beside it")
    parser.add_argument("--scratch-db", default="oorg_crm_bench")
    parser.add_argument("--profile", help="write the import's cProfile stats to this file")
    args = parser.parse_args(argv)
    rows = args.rows
    companies = args.companies or max(1, rows // 5)
    data_dir = Path(tempfile.mkdtemp(prefix="oorg-crm-import-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("OORG_")}
    env.update(OORG_DATA_DIR=str(data_dir), OORG_TASKS_EAGER="1", DJANGO_SETTINGS_MODULE="oorg.settings")
    database, scratch = "SQLite", None
    try:
        if args.database_url:
            database = "PostgreSQL"
            scratch = _scratch_database(args.database_url, args.scratch_db, create=True)
            env["OORG_DATABASE_URL"] = scratch
        print(f"Migrating a {database} database ({data_dir}) ...", flush=True)
        subprocess.run([sys.executable, "-m", "oorg.cli", "migrate"], env=env, check=True, capture_output=True,
                       timeout=900)
        path = data_dir / "contacts.csv"
        write_csv(path, rows, companies)
        made = run_child("setup", {"tag": os.urandom(4).hex()}, env)
        print(f"Importing {rows:,} contacts with {companies:,} companies ...", flush=True)
        imported = run_child("import", {**made["import"], "csv": str(path),
                                        "profile": str(Path(args.profile).resolve()) if args.profile else ""}, env)
        print("Raw insert of the same rows ...", flush=True)
        raw = run_child("raw", {**made["raw"], "csv": str(path)}, env)
    except Exception as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        if scratch:
            _scratch_database(args.database_url, args.scratch_db, create=False)
    ratio = imported["seconds"] / raw["seconds"] if raw["seconds"] else float("inf")
    print(f"\nCRM import on {database}: {rows:,} contacts, {companies:,} companies (dedupe skip, relations)")
    print(f"  import  {imported['seconds']:8.1f} s  {rows / imported['seconds']:8.0f} rows/s  "
          f"peak RSS {imported['rss_mb']:.0f} MB  -> {imported['result']}; written contacts={imported['contacts']:,} "
          f"companies={imported['companies']:,} links={imported['links']:,}; events for {imported['events'] or 'none'}")
    print(f"          phases (s): {imported['phases']} (finish: the audit record and one outbox event per created row)")
    print(f"  then, outside the measured time, as a worker would after the commit: {imported['dispatched']:,} events "
          f"handed to the consumers in {imported['dispatch_seconds']:.1f} s")
    print(f"  raw     {raw['seconds']:8.1f} s  {rows / raw['seconds']:8.0f} rows/s  peak RSS {raw['rss_mb']:.0f} MB"
          f"  -> contacts={raw['contacts']:,} companies={raw['companies']:,} links={raw['links']:,}")
    print(f"  ratio   {ratio:.1f}x  (goal <= {GOAL:.0f}x: {'met' if ratio <= GOAL else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

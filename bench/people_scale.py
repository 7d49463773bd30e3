"""People at scale: every people read and the employee import, next to hand-written SQL in the same run.

One run builds a workspace of N employees (default 100,000) shaped like a big company: a CEO; a wide part
(one manager with ~62% of everyone below, three managers with thousands of direct reports each); a deep
part (reporting chains 30 to 50 levels deep); ~200 departments in a tree, 20 branches, ~2% terminated.
HR (role "hr"), a manager (role "manager", linked to an employee mid-tree) and a plain member read it.

Reads go through the whole Django stack in this process (django.test.Client: bearer tokens for
/api/v1/..., a signed-in session for the /w/<slug>/people/ pages), warm, alternating one request with
one run of the hand-written SQL that returns the same rows (same filters, order and limit; WITH
RECURSIVE for subtrees), fetched through django.db.connection.cursor(); a full gc.collect() runs, untimed,
before each timed call. It prints p50/p95 of each, the ratios, and whether the API returned the SQL's
rows. Goal: every read <= 3x raw at p95. Endpoints that do not exist (yet) print "n/a (404)".

The import calls oorg.org.importing.import_employees on a generated CSV of new employees in a subprocess,
next to a raw executemany of the same rows (managers then set by one UPDATE ... FROM) in another; each
subprocess reports its time and peak RSS (ru_maxrss). Goals: import <= 10x raw, peak RSS <= 250 MB.
The read process's own peak RSS (the web worker's share) is held to 250 MB too.

    .venv/bin/python bench/people_scale.py                     # 100,000 people on SQLite, temp data dir
    .venv/bin/python bench/people_scale.py --quick             # 5,000 people
    .venv/bin/python bench/people_scale.py --database-url postgres://oorg@127.0.0.1:55999/oorg
        # creates (and at the end drops) the scratch database oorg_bench on that server (--scratch-db)

It is a measurement, not a test: it exits 0 whatever the ratios (1 only when it could not measure).
"""
from __future__ import annotations

import argparse
import csv
import gc
import io
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlparse, urlunparse

READ_GOAL = 3.0  # API/page p95 <= 3x the raw SQL's p95
IMPORT_GOAL = 10.0  # import time <= 10x the raw executemany's
RSS_GOAL_MB = 250
PAGE_LIMIT = 50  # the API page size every list read asks for
HOP_LIMIT = 200  # page size used to walk the cursor chain to a deep page

FIRST_NAMES = ("Ada Ali Amara Anna Arjun Aya Ben Bruno Carla Chen Chloe Dana David Diego Elena Emma Ezra Fatima "
               "Felix Grace Hana Hugo Ines Ivan Jana Jonas Julia Kai Kenji Lara Leo Lina Luca Maya Mia Milan Nadia "
               "Nina Noah Omar Oscar Paula Priya Rafael Rosa Sami Sara Sofia Tariq Tom Uma Vera Wei Yara Yusuf "
               "Zoe Zara").split()
LAST_NAMES = ("Abara Adler Akande Alvarez Andersen Bauer Becker Bianchi Brown Castro Chen Costa Cruz Dubois "
              "Eriksen Fischer Garcia Gomez Haddad Hansen Hoffmann Horvat Ivanova Jansen Kaur Kim Kowalski Kruger "
              "Larsen Lee Lopez Martin Meyer Moreau Muller Nakamura Novak Nowak Okafor Olsen Park Patel Perez "
              "Petrov Quinn Rahman Rossi Sato Schmidt Schulz Silva Singh Smith Sousa Suzuki Tanaka Torres Vogel "
              "Wagner Weber Wong Yamamoto Yilmaz Young Zhang Zimmer").split()
SEARCH_WORD = "okafor"  # one of LAST_NAMES: ~1/70 of everyone, in lower case (search is case-insensitive)
JOB_TITLES = ("Engineer", "Senior engineer", "Analyst", "Designer", "Account executive", "Support agent",
              "Recruiter", "Accountant", "Warehouse associate", "Driver", "Nurse", "Technician",
              "Product manager", "Team lead", "Operations specialist", "Sales associate", "Consultant",
              "Data scientist", "Legal counsel", "Office manager")
DEPARTMENT_WORDS = ("Platform", "Sales", "Support", "Finance", "Logistics", "Research", "Legal", "Marketing",
                    "Operations", "Quality", "Care", "Design")


# --- the shape of the company (pure Python, deterministic) ---------------------------------------------


def org_shape(n: int) -> tuple[list[int | None], dict[str, int]]:
    """parents[i] = index of i's manager (None for the CEO); a manager always comes before its reports.
    Also the indexes of the people the reads look at."""
    parents: list[int | None] = [None]

    def add(parent: int) -> int:
        parents.append(parent)
        return len(parents) - 1

    def balanced(root: int, count: int, span: int) -> None:
        queue, made = deque([root]), 0
        while made < count and queue:
            boss = queue.popleft()
            for _ in range(span):
                if made >= count:
                    break
                queue.append(add(boss))
                made += 1

    ceo = 0
    wide_vp, deep_vp = add(ceo), add(ceo)
    other_vps = [add(ceo) for _ in range(4)]
    # Wide: ~62% of everyone below one VP; three managers with thousands of direct reports (at 100k).
    spans = [int(n * 0.05), int(n * 0.03), int(n * 0.02)]
    huge = [add(wide_vp) for _ in spans]
    for boss, span in zip(huge, spans):
        for _ in range(span):
            add(boss)
    balanced(wide_vp, int(n * 0.62) - 1 - len(huge) - sum(spans), 8)
    # Deep: chains 30..50 levels below the deep VP, each level with one more (leaf) report beside the chain.
    chains = max(2, int(n * 0.15) // 80)
    deepest_leaf = None
    for c in range(chains):
        depth = 50 if c == 0 else 30 + (c * 13) % 21
        node = deep_vp
        for _ in range(depth):
            node = add(node)
            leaf = add(node)
        if c == 0:
            deepest_leaf = leaf
    # The rest: four ordinary divisions.
    rest = n - len(parents)
    for i, vp in enumerate(other_vps):
        balanced(vp, rest // 4 + (1 if i < rest % 4 else 0), 7)
    del parents[n:]  # tiny n only

    children: dict[int, list[int]] = {}
    for i, p in enumerate(parents):
        if p is not None:
            children.setdefault(p, []).append(i)
    size = [1] * len(parents)
    for i in range(len(parents) - 1, 0, -1):
        size[parents[i]] += size[i]
    depth_of = [0] * len(parents)
    for i in range(1, len(parents)):
        depth_of[i] = depth_of[parents[i]] + 1
    # A manager mid-tree of the wide part: level 3-4, a team of hundreds to a few thousand (at 100k).
    low, high = max(20, n // 200), max(60, n // 30)
    manager = next((i for i in range(len(parents)) if depth_of[i] >= 3 and low <= size[i] <= high
                    and parents[i] not in huge and i not in huge), children[wide_vp][-1])
    team_leaf = manager
    while team_leaf in children:
        team_leaf = children[team_leaf][-1]
    direct = next((c for c in children[manager] if c in children), children[manager][0])
    people = {"ceo": ceo, "wide_vp": wide_vp, "deep_vp": deep_vp, "huge_manager": huge[0], "manager": manager,
              "manager_direct": direct, "team_leaf": team_leaf, "deep_leaf": deepest_leaf,
              "member": children[huge[1]][0], "hr": other_vps[0]}
    return parents, people


def person(i: int, rng: random.Random) -> tuple[str, str, str]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return f"{first} {last}", f"{first}.{last}.{i}@bench.oorg.test".lower(), rng.choice(JOB_TITLES)


def department_tree(count: int = 200) -> list[tuple[str, int | None]]:
    """(unique name, parent index): 8 top-level departments, each node with three sub-departments."""
    return [(f"{DEPARTMENT_WORDS[i % len(DEPARTMENT_WORDS)]} {i:03d}", None if i < 8 else (i - 8) // 3)
            for i in range(count)]


BRANCHES = [f"Branch {i:02d}" for i in range(20)]


def branch_index(rng: random.Random) -> int:
    return 0 if rng.random() < 0.3 else rng.randrange(1, len(BRANCHES))  # a head office with 30%


# --- child processes: build, import, raw import ---------------------------------------------------------


def _django():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oorg.settings")
    django.setup()


def _maxrss_mb() -> float:
    """This process's peak RSS. Linux keeps ru_maxrss across execve, so a child started by a 180 MB parent
    would report >= 180 MB: VmHWM (the peak of this process image alone) is read first."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def _make_user(email: str, password: str, name: str):
    from django.utils import timezone

    from oorg.accounts.models import User

    return User.objects.create_user(email, password, full_name=name, email_verified_at=timezone.now())


def _copy_structure(workspace) -> tuple[list[int], list[int]]:
    """The department tree and branches in `workspace`: their ids, in department_tree()/BRANCHES order."""
    from oorg.core.tenancy import workspace_scope
    from oorg.org.models import Branch, Department

    with workspace_scope(workspace):
        branches = Branch.objects.bulk_create([Branch(workspace=workspace, name=name, time_zone="UTC",
                                                      working_days=["mon", "tue", "wed", "thu", "fri"])
                                               for name in BRANCHES])
        department_ids: list[int] = []
        for name, parent in department_tree():
            d = Department.objects.create(workspace=workspace, name=name,
                                          parent_id=None if parent is None else department_ids[parent])
            department_ids.append(d.pk)
    return department_ids, [b.pk for b in branches]


def write_import_csv(path: Path, rows: int) -> None:
    """New employees I0000001..: the same shape as the company, managers by code, names of departments."""
    parents, _ = org_shape(rows)
    rng = random.Random(11)
    departments = [name for name, _ in department_tree()]
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["employee_code", "full_name", "work_email", "job_title", "department", "branch",
                      "manager_code", "employment_type", "start_date", "status"])
        for i, parent in enumerate(parents):
            name, email, title = person(i, rng)
            out.writerow([f"I{i + 1:07d}", name, email.replace("@", ".i@"), title, rng.choice(departments),
                          BRANCHES[branch_index(rng)], "" if parent is None else f"I{parent + 1:07d}",
                          "full_time" if rng.random() < 0.9 else "part_time",
                          f"20{10 + i % 15:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                          "on_leave" if rng.random() < 0.01 else "active"])


def child_build(spec: dict) -> dict:
    """Everything the reads and the import need, written in bulk. Runs in its own process so the
    reading process's peak RSS is the web worker's, not the builder's."""
    _django()
    import datetime as dt

    from django.db import connection, transaction
    from django.db.models import Count, Max

    from oorg.accounts.services import issue_token
    from oorg.core.models import Membership
    from oorg.core.tenancy import workspace_scope
    from oorg.org.models import Employee
    from oorg.workspaces.services import create_workspace

    started = time.perf_counter()
    n = spec["employees"]
    tag = spec["tag"]
    password = "Bench-Passphrase-" + tag
    owner = _make_user(f"owner-{tag}@bench.oorg.test", password, "Bench Owner")
    workspace = create_workspace(owner, name=f"People bench {tag}")
    users = {role: _make_user(f"{role}-{tag}@bench.oorg.test", password, f"Bench {role.title()}")
             for role in ("hr", "manager", "member")}
    with workspace_scope(workspace):
        memberships = {role: Membership.objects.create(workspace=workspace, user=u, role=role)
                       for role, u in users.items()}
    department_ids, branch_ids = _copy_structure(workspace)

    parents, people = org_shape(n)
    has_reports = {p for p in parents if p is not None}
    rng = random.Random(7)
    named = set(people.values())
    leaves = [i for i in range(n) if i not in has_reports and i not in named]
    terminated = set(rng.sample(leaves, int(n * 0.02)))
    on_leave = set(rng.sample([i for i in leaves if i not in terminated], int(n * 0.01)))
    linked = {people["hr"]: memberships["hr"].pk, people["manager"]: memberships["manager"].pk,
              people["member"]: memberships["member"].pk}
    base = (Employee.all_workspaces.aggregate(m=Max("id"))["m"] or 0) + 1000
    today = dt.date(2026, 6, 1)
    with workspace_scope(workspace), transaction.atomic():
        batch: list[Employee] = []
        for i, parent in enumerate(parents):
            name, email, title = person(i, rng)
            status = "terminated" if i in terminated else "on_leave" if i in on_leave else "active"
            batch.append(Employee(
                id=base + i, workspace=workspace, code=f"E{i + 1:06d}", full_name=name, work_email=email,
                job_title="CEO" if i == 0 else title, department_id=rng.choice(department_ids),
                branch_id=branch_ids[branch_index(rng)], manager_id=None if parent is None else base + parent,
                status=status, start_date=today - dt.timedelta(days=30 + i % 3000),
                end_date=today if status == "terminated" else None, member_id=linked.get(i),
                employment_type="full_time" if i % 10 else "part_time"))
            if len(batch) == 5000:
                Employee.objects.bulk_create(batch)
                batch = []
        Employee.objects.bulk_create(batch)
    with connection.cursor() as cur:
        table = Employee._meta.db_table
        if connection.vendor == "postgresql":  # explicit ids: move the identity past them
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        cur.execute("ANALYZE")
    tokens = {}
    for role, u in users.items():
        _row, tokens[role] = issue_token(u, memberships[role], name="people-bench")
    # Signed in here through the real sign-in page: the password hash (Argon2, ~100 MB) stays out of the
    # reading process's RSS; it gets the session cookies.
    from django.test import Client

    cookies = {}
    for role in ("hr", "manager"):
        client = Client()
        r = client.post("/signin", {"email": users[role].email, "password": password})
        if r.status_code != 302:
            raise RuntimeError(f"signing in as {role} answered {r.status_code}: {r.content[:300]!r}")
        cookies[role] = {name: morsel.value for name, morsel in client.cookies.items()}
    build_seconds = time.perf_counter() - started

    # Three empty workspaces with the same departments and branches: one for the importer, two for raw.
    started = time.perf_counter()
    import_spaces = []
    for label in ("import", "raw-1", "raw-2"):
        ws = create_workspace(owner, name=f"People bench {tag} {label}")
        _copy_structure(ws)
        import_spaces.append(ws.pk)
    csv_path = Path(spec["data_dir"]) / "import.csv"
    write_import_csv(csv_path, spec["import_rows"])

    with workspace_scope(workspace):
        department_sizes = dict(Employee.objects.exclude(status="terminated").order_by().values("department_id")
                                .annotate(n=Count("id")).values_list("department_id", "n"))
    return {
        "workspace": workspace.pk, "slug": workspace.slug, "password": password,
        "emails": {role: u.email for role, u in users.items()}, "owner": owner.pk, "tokens": tokens,
        "cookies": cookies,
        "ids": {key: base + i for key, i in people.items()},
        "department": max(department_sizes, key=department_sizes.get), "branch": branch_ids[0],
        "import_workspaces": import_spaces, "csv": str(csv_path), "build_seconds": build_seconds,
        "import_setup_seconds": time.perf_counter() - started,
        "depth_of_deep_leaf": _depth(parents, people["deep_leaf"]),
    }


def _depth(parents, i) -> int:
    d = 0
    while parents[i] is not None:
        i, d = parents[i], d + 1
    return d


def call_importer(actor, path: Path) -> dict:
    """The importer's one call site: adapt this when its signature changes. Returns its result as a dict."""
    import inspect

    from oorg.org.importing import import_employees

    if "path_or_bytes" in inspect.signature(import_employees).parameters:  # the rebuilt, streaming importer
        result = import_employees(actor, path_or_bytes=str(path), filename=path.name, dry_run=False)
    else:  # the first importer: the whole file in memory, at most 5,000 rows
        result = import_employees(actor, filename=path.name, data=path.read_bytes(), dry_run=False)
    result = result if isinstance(result, dict) else result.as_dict()
    keep = ("created", "updated", "unchanged", "written", "error_count", "errors")
    return {k: (v[:2] if isinstance(v, list) else v) for k, v in result.items() if k in keep}


def _owner_actor(workspace_id: int, user_id: int):
    from oorg.accounts.models import User
    from oorg.core.models import Membership, Workspace
    from oorg.core.permissions import Actor
    from oorg.core.tenancy import workspace_scope

    workspace = Workspace.objects.get(pk=workspace_id)
    user = User.objects.get(pk=user_id)
    with workspace_scope(workspace):
        m = Membership.objects.get(user=user)
    return Actor(user=user, workspace=workspace, membership=m, role=m.role), workspace


def _written(workspace_id: int) -> dict:
    from django.db import connection

    from oorg.org.models import Employee

    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*), COUNT(manager_id) FROM {Employee._meta.db_table} WHERE workspace_id = %s",
                    [workspace_id])
        rows, with_manager = cur.fetchone()
    return {"rows": rows, "with_manager": with_manager}


def child_import(spec: dict) -> dict:
    _django()
    from oorg.core.tenancy import workspace_scope

    actor, workspace = _owner_actor(spec["workspace"], spec["owner"])
    before = _maxrss_mb()
    started = time.perf_counter()
    try:
        with workspace_scope(workspace):
            outcome = call_importer(actor, Path(spec["csv"]))
        ok = True
    except Exception as exc:  # today: refused above 5,000 rows; report what it said
        ok = False
        outcome = {"error": f"{type(exc).__name__}: {exc}"}
        result = getattr(exc, "result", None)
        if result is not None and getattr(result, "errors", None):
            outcome["errors"] = result.errors[:3]
    seconds = time.perf_counter() - started
    return {"ok": ok, "seconds": seconds, "rss_mb": _maxrss_mb(), "rss_before_mb": before, "outcome": outcome,
            **_written(spec["workspace"])}


def child_raw_import(spec: dict) -> dict:
    """The baseline: read the same CSV, look up department/branch ids once, executemany the rows into
    org_employee in one transaction, then set every manager with one UPDATE ... FROM a temp table."""
    _django()
    import datetime as dt

    from django.db import connection, transaction
    from django.utils import timezone

    from oorg.org.models import Branch, Department, Employee

    workspace_id = spec["workspace"]
    table = Employee._meta.db_table
    fields = [f for f in Employee._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    before = _maxrss_mb()
    started = time.perf_counter()
    data = Path(spec["csv"]).read_bytes()
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    header = next(reader)
    col = {name: i for i, name in enumerate(header)}
    with connection.cursor() as cur:
        cur.execute(f"SELECT name, id FROM {Department._meta.db_table} WHERE workspace_id = %s", [workspace_id])
        departments = dict(cur.fetchall())
        cur.execute(f"SELECT name, id FROM {Branch._meta.db_table} WHERE workspace_id = %s", [workspace_id])
        branches = dict(cur.fetchall())
    # Every column of the table: from the file, or the field's default (prepared once).
    from_file = ("code", "full_name", "work_email", "job_title", "department_id", "branch_id", "employment_type",
                 "start_date", "status")
    constant = {}
    for f in fields:
        if f.attname == "workspace_id":
            constant[f.attname] = workspace_id
        elif f.attname not in from_file:
            value = now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
            constant[f.attname] = f.get_db_prep_save(value, connection)
    adapt_date = connection.ops.adapt_datefield_value
    rows, managers = [], []
    for rec in reader:
        values = {"code": rec[col["employee_code"]], "full_name": rec[col["full_name"]],
                  "work_email": rec[col["work_email"]], "job_title": rec[col["job_title"]],
                  "department_id": departments[rec[col["department"]]], "branch_id": branches[rec[col["branch"]]],
                  "employment_type": rec[col["employment_type"]],
                  "start_date": adapt_date(dt.date.fromisoformat(rec[col["start_date"]])),
                  "status": rec[col["status"]]}
        rows.append([values[f.attname] if f.attname in values else constant[f.attname] for f in fields])
        if rec[col["manager_code"]]:
            managers.append((values["code"], rec[col["manager_code"]]))
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
        cur.execute("CREATE TEMP TABLE bench_manager_codes (code VARCHAR(32) PRIMARY KEY, "
                    "manager_code VARCHAR(32) NOT NULL)")
        cur.executemany("INSERT INTO bench_manager_codes (code, manager_code) VALUES (%s, %s)", managers)
        cur.execute(f"UPDATE {table} SET manager_id = m.id FROM bench_manager_codes t "
                    f"JOIN {table} m ON m.workspace_id = %s AND m.code = t.manager_code "
                    f"WHERE {table}.workspace_id = %s AND {table}.code = t.code", [workspace_id, workspace_id])
        cur.execute("DROP TABLE bench_manager_codes")
    seconds = time.perf_counter() - started
    return {"ok": True, "seconds": seconds, "rss_mb": _maxrss_mb(), "rss_before_mb": before,
            "outcome": {"created": len(rows)}, **_written(workspace_id)}


CHILDREN = {"build": child_build, "import": child_import, "raw-import": child_raw_import}


def run_child(kind: str, spec: dict, env: dict, timeout: float) -> dict:
    argv = [sys.executable, str(Path(__file__).resolve()), "--_child", kind, json.dumps(spec)]
    proc = subprocess.run(argv, check=False,
                          env=env, capture_output=True, text=True, timeout=timeout)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT="):
            return json.loads(line.removeprefix("RESULT="))
    raise RuntimeError(f"{kind} step failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")


# --- the reads ------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Read:
    name: str
    who: str  # a key of the clients: hr, manager, member (bearer tokens) or hr-page, manager-page (session)
    path: str
    raw: Callable  # (cursor, first answer as JSON or None) -> rows; a list read's rows start with the id
    expect: str = "list"  # list | one | chart | path | page


@dataclass
class Row:
    name: str
    note: str = ""
    api: list[float] = field(default_factory=list)
    raw: list[float] = field(default_factory=list)
    skipped: str = ""

    def p(self, which: str, q: float) -> float:
        return percentile(getattr(self, which), q) * 1000


class Sql:
    """The hand-written SQL of every read, for one workspace, in the database's dialect."""

    def __init__(self, connection, workspace_id: int):
        from oorg.accounts.models import User
        from oorg.core.models import Membership
        from oorg.org.models import Branch, Department, Employee

        self.ws = workspace_id
        self.like = "ILIKE" if connection.vendor == "postgresql" else "LIKE"  # SQLite's LIKE ignores ASCII case
        E, D, B = Employee._meta.db_table, Department._meta.db_table, Branch._meta.db_table
        MS, U = Membership._meta.db_table, User._meta.db_table
        self.E, self.D, self.B = E, D, B
        self.cols = ("e.id, e.code, e.full_name, e.job_title, e.work_email, e.phone, e.status, e.photo, "
                     "e.employment_type, e.start_date, e.end_date, e.updated_at, e.birth_date, e.home_address, "
                     "e.emergency_contact_name, e.emergency_contact_phone, d.id, d.name, b.id, b.name, "
                     "m.id, m.full_name, ms.id, u.email")
        self.refs = (f"LEFT JOIN {D} d ON d.id = e.department_id LEFT JOIN {B} b ON b.id = e.branch_id "
                     f"LEFT JOIN {E} m ON m.id = e.manager_id LEFT JOIN {MS} ms ON ms.id = e.member_id "
                     f"LEFT JOIN {U} u ON u.id = ms.user_id")
        self.joins = f"FROM {E} e {self.refs}"
        self.node = (f"e.id, e.full_name, e.job_title, d.id, d.name, e.photo, (SELECT COUNT(*) FROM {E} r "
                     f"WHERE r.manager_id = e.id AND r.status <> 'terminated') AS report_count")
        self.current = "e.status <> 'terminated'"

    @staticmethod
    def _run(cur, sql, params):
        cur.execute(sql, params)
        return cur.fetchall()

    def page(self, cur, probe, where: str, params: list, *, limit=PAGE_LIMIT, offset=0, after=None):
        """One page of people in directory order (+ the count when the API gave one)."""
        where = f"e.workspace_id = %s AND {where}"
        params = [self.ws, *params]
        keyset = ""
        if after is not None:
            keyset = " AND (e.full_name > %s OR (e.full_name = %s AND e.id > %s))"
        rows = self._run(cur, f"SELECT {self.cols} {self.joins} WHERE {where}{keyset} ORDER BY e.full_name, e.id "
                              f"LIMIT {int(limit)} OFFSET {int(offset)}",
                         params + ([after[0], after[0], after[1]] if after is not None else []))
        if probe is None or probe.get("count") is not None:
            self._run(cur, f"SELECT COUNT(*) FROM {self.E} e WHERE {where}", params)
        return rows

    def search(self, cur, probe, word: str):
        pattern = f"%{word}%"
        return self.page(cur, probe, f"{self.current} AND (e.full_name {self.like} %s OR UPPER(e.code) = UPPER(%s) "
                                     f"OR e.work_email {self.like} %s OR e.job_title {self.like} %s)",
                         [pattern, word, pattern, pattern])

    def one(self, cur, employee_id: int):
        return self._run(cur, f"SELECT {self.cols} {self.joins} WHERE e.workspace_id = %s AND e.id = %s",
                         [self.ws, employee_id])

    def one_as_manager(self, cur, employee_id: int, member_id: int):
        """The row, the viewer's own employee, and whether the viewer is above the row (the access check)."""
        rows = self.one(cur, employee_id)
        me = self._run(cur, f"SELECT id FROM {self.E} WHERE workspace_id = %s AND member_id = %s",
                       [self.ws, member_id])[0][0]
        above = self._run(cur, f"WITH RECURSIVE up(id, lvl) AS (SELECT manager_id, 1 FROM {self.E} "
                               f"WHERE workspace_id = %s AND id = %s UNION ALL SELECT e.manager_id, up.lvl + 1 "
                               f"FROM up JOIN {self.E} e ON e.id = up.id WHERE up.lvl < 1000) "
                               f"SELECT 1 FROM up WHERE id = %s", [self.ws, employee_id, me])
        assert above, "the manager should be above this person"
        return rows

    def subtree_page(self, cur, probe, root: int):
        """First page of everyone below root (recursive), directory order, with the total in one pass."""
        count = ", COUNT(*) OVER ()" if probe is None or probe.get("count") is not None else ""
        return self._run(cur, f"WITH RECURSIVE sub(id) AS (SELECT id FROM {self.E} WHERE workspace_id = %s AND "
                              f"manager_id = %s UNION ALL "
                              f"SELECT e.id FROM sub JOIN {self.E} e ON e.manager_id = sub.id) "
                              f"SELECT {self.cols}{count} FROM sub JOIN {self.E} e ON e.id = sub.id {self.refs} "
                              f"WHERE {self.current} ORDER BY e.full_name, e.id LIMIT {PAGE_LIMIT}", [self.ws, root])

    def chart_level(self, cur, probe, parent: int | None):
        where = "e.manager_id IS NULL" if parent is None else "e.manager_id = %s"
        params = [self.ws] + ([] if parent is None else [parent])
        rows = self._run(cur, f"SELECT {self.node} FROM {self.E} e LEFT JOIN {self.D} d ON d.id = e.department_id "
                              f"WHERE e.workspace_id = %s AND {where} AND {self.current} "
                              f"ORDER BY e.full_name, e.id LIMIT {PAGE_LIMIT}", params)
        if probe is None or probe.get("count") is not None:
            self._run(cur, f"SELECT COUNT(*) FROM {self.E} e WHERE e.workspace_id = %s AND {where} "
                           f"AND {self.current}", params)
        return rows

    def chart_path(self, cur, employee_id: int):
        return self._run(cur, f"WITH RECURSIVE up(id, lvl) AS (SELECT id, 0 FROM {self.E} WHERE workspace_id = %s "
                              f"AND id = %s UNION ALL SELECT e.manager_id, up.lvl + 1 FROM up JOIN {self.E} e "
                              f"ON e.id = up.id WHERE e.manager_id IS NOT NULL AND up.lvl < 1000) "
                              f"SELECT {self.node} FROM up JOIN {self.E} e ON e.id = up.id "
                              f"LEFT JOIN {self.D} d ON d.id = e.department_id ORDER BY up.lvl DESC",
                         [self.ws, employee_id])

    def filter_choices(self, cur):
        """What a directory page's filter form shows: the departments and branches."""
        self._run(cur, f"SELECT id, name, parent_id FROM {self.D} WHERE workspace_id = %s ORDER BY name, id", [self.ws])
        self._run(cur, f"SELECT id, name FROM {self.B} WHERE workspace_id = %s ORDER BY name, id", [self.ws])


def page_size() -> int:
    try:
        from oorg.org.views import PAGE_SIZE

        return PAGE_SIZE
    except ImportError:
        return 25


def people_reads(facts: dict, sql: Sql, count: int | None, member_ids: dict) -> list[Read]:
    ids, slug = facts["ids"], facts["slug"]
    current = sql.current
    L = PAGE_LIMIT
    offset = max(0, (count or 0) - L)
    manager_member = member_ids["manager"]
    size = page_size()

    def profile_page_raw(cur, probe):
        rows = sql.one_as_manager(cur, ids["manager_direct"], manager_member)
        sql.page(cur, {"count": None}, f"{current} AND e.manager_id = %s", [ids["manager_direct"]], limit=1000)
        return rows

    def directory_page_raw(cur, probe):
        sql.filter_choices(cur)
        return sql.page(cur, None, current, [], limit=size)

    return [
        Read("directory, first page (HR)", "hr", f"/api/v1/employees?limit={L}",
             lambda cur, p: sql.page(cur, p, current, [])),
        Read("directory, first page (member)", "member", f"/api/v1/employees?limit={L}",
             lambda cur, p: sql.page(cur, p, current, [])),
        Read(f"directory, offset {offset:,} (last page)", "hr", f"/api/v1/employees?limit={L}&offset={offset}",
             lambda cur, p: sql.page(cur, p, current, [], offset=offset)),
        Read(f"search q={SEARCH_WORD}", "hr", f"/api/v1/employees?limit={L}&q={SEARCH_WORD}",
             lambda cur, p: sql.search(cur, p, SEARCH_WORD)),
        Read("filter department (largest)", "hr", f"/api/v1/employees?limit={L}&department={facts['department']}",
             lambda cur, p: sql.page(cur, p, f"{current} AND e.department_id = %s", [facts["department"]])),
        Read("filter branch (head office, 30%)", "hr", f"/api/v1/employees?limit={L}&branch={facts['branch']}",
             lambda cur, p: sql.page(cur, p, f"{current} AND e.branch_id = %s", [facts["branch"]])),
        Read("filter manager (thousands of direct)", "hr",
             f"/api/v1/employees?limit={L}&manager={ids['huge_manager']}",
             lambda cur, p: sql.page(cur, p, f"{current} AND e.manager_id = %s", [ids["huge_manager"]])),
        Read("filter status=terminated", "hr", f"/api/v1/employees?limit={L}&status=terminated",
             lambda cur, p: sql.page(cur, p, "e.status = 'terminated'", [])),
        Read("profile (HR, a leaf)", "hr", f"/api/v1/employees/{ids['team_leaf']}",
             lambda cur, p: sql.one(cur, ids["team_leaf"]), expect="one"),
        Read("profile (manager, leaf of the team)", "manager", f"/api/v1/employees/{ids['team_leaf']}",
             lambda cur, p: sql.one_as_manager(cur, ids["team_leaf"], manager_member), expect="one"),
        Read("profile (manager, a direct report)", "manager", f"/api/v1/employees/{ids['manager_direct']}",
             lambda cur, p: sql.one_as_manager(cur, ids["manager_direct"], manager_member), expect="one"),
        Read("reports direct (CEO)", "hr", f"/api/v1/employees/{ids['ceo']}/reports?limit={L}",
             lambda cur, p: sql.page(cur, p, f"{current} AND e.manager_id = %s", [ids["ceo"]])),
        Read("reports depth=all (CEO), first page", "hr",
             f"/api/v1/employees/{ids['ceo']}/reports?depth=all&limit={L}",
             lambda cur, p: sql.subtree_page(cur, p, ids["ceo"])),
        Read("reports depth=all (manager's own team)", "manager",
             f"/api/v1/employees/{ids['manager']}/reports?depth=all&limit={L}",
             lambda cur, p: sql.subtree_page(cur, p, ids["manager"])),
        Read("org chart roots", "hr", f"/api/v1/org-chart?limit={L}",
             lambda cur, p: sql.chart_level(cur, p, None), expect="chart"),
        Read("org chart level (thousands of reports)", "hr",
             f"/api/v1/org-chart?parent_id={ids['huge_manager']}&limit={L}",
             lambda cur, p: sql.chart_level(cur, p, ids["huge_manager"]), expect="chart"),
        Read(f"org chart path (leaf {facts['depth_of_deep_leaf']} deep)", "hr",
             f"/api/v1/org-chart/path/{ids['deep_leaf']}",
             lambda cur, p: sql.chart_path(cur, ids["deep_leaf"]), expect="path"),
        Read("page /people/ (HR)", "hr-page", f"/w/{slug}/people/", directory_page_raw, expect="page"),
        Read("page /people/chart/ (HR)", "hr-page", f"/w/{slug}/people/chart/",
             lambda cur, p: sql.chart_level(cur, None, None), expect="page"),
        Read("page /people/<report>/ (manager)", "manager-page", f"/w/{slug}/people/{ids['manager_direct']}/",
             profile_page_raw, expect="page"),
    ]


class Clients:
    def __init__(self, facts: dict):
        from django.test import Client

        self.tokens = facts["tokens"]
        self.api = Client()
        self.pages = {}
        for role, cookies in facts["cookies"].items():  # sessions signed in by the build step
            c = Client()
            for name, value in cookies.items():
                c.cookies[name] = value
            self.pages[f"{role}-page"] = c

    def get(self, who: str, path: str):
        if who in self.pages:
            return self.pages[who].get(path)
        return self.api.get(path, HTTP_AUTHORIZATION=f"Bearer {self.tokens[who]}")


def _ids(rows) -> list:
    return [r[0] for r in rows]


def check_answer(read: Read, probe, raw_rows) -> str:
    """A note when the API's answer is not the contract's or not the raw SQL's rows."""
    if read.expect == "page" or probe is None:
        return ""
    notes = []
    if read.expect == "one":
        got = [probe.get("id")]
    elif "items" in probe:
        got = [item.get("id") for item in probe["items"]]
        if read.expect in ("list", "chart") and "next_cursor" not in probe:
            notes.append("no next_cursor")
        if read.expect == "chart" and probe["items"] and "report_count" not in probe["items"][0]:
            notes.append("no report_count")
    else:
        return "old shape: " + ", ".join(sorted(probe)[:4]) + (" (whole tree)" if "roots" in probe else "")
    want = _ids(raw_rows)
    if got == want:
        notes.append("same rows")
    elif sorted(got) == sorted(want):
        notes.append("same rows, other order")
    else:
        notes.append(f"rows differ: API {len(got)}, SQL {len(want)}")
    return "; ".join(notes)


def measure(read: Read, clients: Clients, samples: int, warmup: int, budget: float) -> Row:
    from django.db import connection

    row = Row(read.name)
    started = time.perf_counter()
    try:
        response = clients.get(read.who, read.path)
    except Exception as exc:  # a view that raises: report it, keep going
        row.skipped = f"error: {type(exc).__name__}: {str(exc)[:80]}"
        return row
    first = time.perf_counter() - started
    if response.status_code == 404:
        row.skipped = "n/a (404)"
        return row
    if response.status_code != 200:
        row.skipped = f"error {response.status_code}: {response.content[:100].decode(errors='replace')}"
        return row
    probe = None if read.expect == "page" else response.json()
    with connection.cursor() as cur:
        raw_rows = read.raw(cur, probe)
    row.note = check_answer(read, probe, raw_rows)
    # Slow reads (the whole tree today) get fewer warm-ups and samples, within the time budget.
    for _ in range(warmup if first < 1 else 1 if first < budget / 4 else 0):
        clients.get(read.who, read.path)
        with connection.cursor() as cur:
            read.raw(cur, probe)
    deadline = time.perf_counter() + budget
    while len(row.api) < samples and (len(row.api) < 3 or time.perf_counter() < deadline):
        gc.collect()  # untimed, before each timed call: neither side pays to collect the other's garbage
        t0 = time.perf_counter()
        response = clients.get(read.who, read.path)
        t1 = time.perf_counter()
        gc.collect()
        t1b = time.perf_counter()
        with connection.cursor() as cur:
            read.raw(cur, probe)
        t2 = time.perf_counter()
        if response.status_code != 200:
            row.skipped = f"error {response.status_code} while measuring"
            return row
        row.api.append(t1 - t0)
        row.raw.append(t2 - t1b)
    return row


def deep_cursor_read(clients: Clients, sql: Sql, count: int, budget: float) -> tuple[Read | None, str]:
    """Walk next_cursor (200 a page) towards the end of the directory; the read is that last cursor at 50."""
    response = clients.get("hr", f"/api/v1/employees?limit={HOP_LIMIT}")
    if response.status_code != 200:
        return None, f"error {response.status_code}"
    page = response.json()
    if "next_cursor" not in page:
        return None, "n/a (no next_cursor yet)"
    position, cursor, last = 0, None, None
    deadline = time.perf_counter() + budget
    while page.get("next_cursor") and position + len(page["items"]) < count - HOP_LIMIT \
            and time.perf_counter() < deadline:
        position += len(page["items"])
        cursor, last = page["next_cursor"], page["items"][-1]
        response = clients.get("hr", f"/api/v1/employees?limit={HOP_LIMIT}&cursor={quote(cursor)}")
        if response.status_code != 200:
            return None, f"error {response.status_code} following next_cursor"
        page = response.json()
    if cursor is None:
        return None, "n/a (one page only)"
    after = (last["full_name"], last["id"])
    return Read(f"directory, cursor at row {position:,}", "hr", f"/api/v1/employees?limit={PAGE_LIMIT}"
                f"&cursor={quote(cursor)}", lambda cur, p: sql.page(cur, p, sql.current, [], after=after)), ""


# --- the run --------------------------------------------------------------------------------------------


def _use_project_venv() -> None:
    import importlib.util

    venv_python = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "python"
    if importlib.util.find_spec("oorg") is None and venv_python.exists() and Path(sys.executable) != venv_python:
        os.execv(str(venv_python), [str(venv_python), *sys.argv])


def _scratch_database(url: str, name: str, *, create: bool) -> str:
    """Drop (and create) database `name` on the server of `url`; return the URL pointing at it."""
    import psycopg

    parsed = urlparse(url)
    if parsed.path.lstrip("/") == name:
        raise SystemExit(f"--scratch-db {name} is the database of --database-url; choose another name")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parsed._replace(path="/" + name))


def fmt_ratio(a: float, b: float) -> str:
    return f"{a / b:.1f}x" if b else "-"


def main(argv=None) -> int:
    _use_project_venv()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=100_000, help="people in the workspace (default 100,000)")
    parser.add_argument("--quick", action="store_true", help="5,000 people, fewer samples")
    parser.add_argument("--import-rows", type=int, help="rows in the import file (default: --employees)")
    parser.add_argument("--samples", type=int, help="measured requests per read (default 30; --quick 15)")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured requests per read first (default 3)")
    parser.add_argument("--budget", type=float, default=20.0,
                        help="seconds per read: a slow read stops sampling then (at least 3 samples; default 20)")
    parser.add_argument("--database-url", help="PostgreSQL server to bench on (e.g. postgres://oorg@127.0.0.1:55999/"
                                               "oorg): the scratch database is created beside it")
    parser.add_argument("--scratch-db", default="oorg_bench", help="scratch database name (default oorg_bench)")
    parser.add_argument("--skip-import", action="store_true", help="reads only")
    parser.add_argument("--keep", action="store_true", help="keep the data dir and scratch database")
    args = parser.parse_args(argv)
    n = 5_000 if args.quick and args.employees == 100_000 else args.employees
    samples = args.samples or (15 if args.quick else 30)
    import_rows = args.import_rows or n
    if not (2_000 <= n <= 1_000_000 and 100 <= import_rows <= 1_000_000 and 3 <= samples <= 1000):
        parser.error("keep --employees in [2000, 1e6], --import-rows in [100, 1e6], --samples in [3, 1000]")

    data_dir = Path(tempfile.mkdtemp(prefix="oorg-people-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("OORG_")}
    env.update(OORG_DATA_DIR=str(data_dir), OORG_TASKS_EAGER="1", DJANGO_SETTINGS_MODULE="oorg.settings")
    database = "SQLite"
    scratch = None
    try:
        if args.database_url:
            database = "PostgreSQL"
            scratch = _scratch_database(args.database_url, args.scratch_db, create=True)
            env["OORG_DATABASE_URL"] = scratch
        os.environ.update({k: v for k, v in env.items() if k.startswith("OORG_") or k == "DJANGO_SETTINGS_MODULE"})
        print(f"Migrating a {database} database ({data_dir}) ...", flush=True)
        subprocess.run([sys.executable, "-m", "oorg.cli", "migrate"], env=env, check=True, capture_output=True,
                       timeout=600)
        print(f"Building {n:,} people and a {import_rows:,}-row import file ...", flush=True)
        facts = run_child("build", {"employees": n, "import_rows": import_rows, "data_dir": str(data_dir),
                                    "tag": os.urandom(4).hex()}, env, timeout=3600)
        print(f"  built in {facts['build_seconds']:.1f}s (+{facts['import_setup_seconds']:.1f}s import setup)",
              flush=True)
        rows, worker_rss, floor = run_reads(facts, samples, args.warmup, args.budget)
        imports = None if args.skip_import else run_imports(facts, env, import_rows)
    except Exception as exc:
        import traceback

        traceback.print_exc()
        print(f"\nbench failed: {exc}", file=sys.stderr)
        return 1
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:
            pass
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
            if scratch:
                _scratch_database(args.database_url, args.scratch_db, create=False)
        else:
            print(f"kept: {data_dir}" + (f" and database {args.scratch_db}" if scratch else ""))
    report(database, n, import_rows, samples, rows, worker_rss, floor, imports)
    return 0


def run_reads(facts: dict, samples: int, warmup: int, budget: float):
    import django

    django.setup()
    import logging

    from django.db import connection

    from oorg.core.models import Membership

    # One log line per request, as served; written to /dev/null so it costs what it costs but not the screen.
    for handler in logging.getLogger("oorg.request").handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))
    from oorg.core.tenancy import workspace_scope

    sql = Sql(connection, facts["workspace"])
    with workspace_scope(facts["workspace"]):
        member_ids = {role: Membership.objects.get(user__email=facts["emails"][role]).pk
                      for role in ("hr", "manager", "member")}
    clients = Clients(facts)
    clients.get("hr", "/api/v1/me")
    rss_ready = _maxrss_mb()
    first = clients.get("hr", f"/api/v1/employees?limit={PAGE_LIMIT}").json()
    count = first.get("count") or 0
    reads = people_reads(facts, sql, count, member_ids)
    cursor_read, why = deep_cursor_read(clients, sql, count, budget=120)
    print(f"Measuring {len(reads) + 1} reads ({warmup} warm-ups, {samples} samples each, API and SQL alternating)"
          " ...", flush=True)
    rows = []
    floor = measure(Read("GET /api/v1/me (stack floor)", "hr", "/api/v1/me", lambda cur, p: [], expect="page"),
                    clients, samples, warmup, budget)
    for read in reads[:3] + ([cursor_read] if cursor_read else []) + reads[3:]:
        row = measure(read, clients, samples, warmup, budget)
        rows.append(row)
        shown = row.skipped or f"p95 {row.p('api', .95):.1f} ms vs {row.p('raw', .95):.2f} ms"
        print(f"  {read.name}: {shown}", flush=True)
    if cursor_read is None:
        rows.insert(3, Row("directory, deep cursor page", skipped=why))
    return rows, (rss_ready, _maxrss_mb()), floor


def run_imports(facts: dict, env: dict, import_rows: int) -> dict:
    print(f"Importing {import_rows:,} rows: raw executemany, importer, raw again (each in its own process) ...",
          flush=True)
    spaces = facts["import_workspaces"]
    common = {"csv": facts["csv"], "owner": facts["owner"]}
    raw1 = run_child("raw-import", {**common, "workspace": spaces[1]}, env, timeout=3600)
    importer = run_child("import", {**common, "workspace": spaces[0]}, env, timeout=7200)
    raw2 = run_child("raw-import", {**common, "workspace": spaces[2]}, env, timeout=3600)
    return {"raw": [raw1, raw2], "import": importer}


def report(database, n, import_rows, samples, rows, worker_rss, floor, imports) -> None:
    print()
    print(f"OORG people at scale: {n:,} employees, {database}, in-process Django test client, "
          f"up to {samples} samples per read; ratio = API or page / hand-written SQL, same run")
    print(f"machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}; load average "
          f"{os.getloadavg()[0]:.2f}")
    print()
    print("| read | p50 ms | p95 ms | raw p50 ms | raw p95 ms | p50 ratio | p95 ratio | goal p95 <= 3x | rows |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---|")
    passed = failed = 0
    for r in rows:
        if r.skipped:
            print(f"| {r.name} | | | | | | | {r.skipped} | |")
            continue
        ratio = r.p("api", .95) / r.p("raw", .95)
        verdict = "PASS" if ratio <= READ_GOAL else "FAIL"
        passed, failed = passed + (verdict == "PASS"), failed + (verdict == "FAIL")
        print(f"| {r.name} | {r.p('api', .5):.1f} | {r.p('api', .95):.1f} | {r.p('raw', .5):.2f} | "
              f"{r.p('raw', .95):.2f} | {fmt_ratio(r.p('api', .5), r.p('raw', .5))} | {ratio:.1f}x | {verdict} | "
              f"{r.note} |")
    print()
    print(f"reads: {passed} PASS, {failed} FAIL, {sum(1 for r in rows if r.skipped)} not measured")
    if floor.api:
        print(f"stack floor: GET /api/v1/me p50 {floor.p('api', .5):.1f} ms, p95 {floor.p('api', .95):.1f} ms "
              "(token auth + scope + JSON, no people query): every API read pays at least this")
    ready, peak = worker_rss
    verdict = "PASS" if peak <= RSS_GOAL_MB else "FAIL"
    print(f"web worker (this process) peak RSS during the reads: {peak:.0f} MB (goal <= {RSS_GOAL_MB} MB) "
          f"{verdict}; {ready:.0f} MB when signed in and ready, before the first people read")
    if imports is None:
        return
    raw1, raw2 = imports["raw"]
    imp = imports["import"]
    raw_s = statistics.mean([raw1["seconds"], raw2["seconds"]])
    raw_rss = max(raw1["rss_mb"], raw2["rss_mb"])
    print()
    print(f"import of {import_rows:,} new employees (managers by code), each in its own process:")
    print(f"  raw executemany + UPDATE ... FROM: {raw1['seconds']:.2f}s / {raw2['seconds']:.2f}s "
          f"(rows {raw1['rows']:,}, with manager {raw1['with_manager']:,}), peak RSS {raw_rss:.0f} MB "
          f"({raw1['rss_before_mb']:.0f} MB before the work)")
    if imp["ok"] and imp["rows"] == import_rows:
        ratio = imp["seconds"] / raw_s
        verdict = "PASS" if ratio <= IMPORT_GOAL else "FAIL"
        print(f"  import_employees: {imp['seconds']:.2f}s (rows {imp['rows']:,}, with manager "
              f"{imp['with_manager']:,}; {imp['outcome']}), peak RSS {imp['rss_mb']:.0f} MB "
              f"({imp['rss_before_mb']:.0f} MB before)")
        print(f"  import time: {ratio:.1f}x raw (goal <= {IMPORT_GOAL:.0f}x) {verdict}")
        rss_verdict = "PASS" if imp["rss_mb"] <= RSS_GOAL_MB else "FAIL"
        print(f"  import peak RSS: {imp['rss_mb']:.0f} MB = {fmt_ratio(imp['rss_mb'], raw_rss)} raw "
              f"(goal <= {RSS_GOAL_MB} MB) {rss_verdict}")
    else:
        print(f"  import_employees: did not import after {imp['seconds']:.2f}s: {imp['outcome']} "
              f"(peak RSS {imp['rss_mb']:.0f} MB, rows written {imp['rows']:,})")
        print("  import time: FAIL (did not import); import peak RSS: n/a")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--_child":
        result = CHILDREN[sys.argv[2]](json.loads(sys.argv[3]))
        print("RESULT=" + json.dumps(result, default=str))
        sys.exit(0)
    sys.exit(main())

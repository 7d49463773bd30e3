"""The monthly attendance and leave summary at 2,000 employees x 31 days, read through the report's query
(oorg.attendance.reports: one GROUP BY over the month's AttendanceDay rows, leave per type as conditional sums)
next to one hand-written SQL aggregate over the same rows that returns the same numbers, in the same run.

One run migrates a scratch database, builds a workspace with 20 departments, N employees and their computed
days for one month (bulk: present, late, early leave, overtime, absent, leave of three types, weekends off), then
times, warm, alternating one call with one run of its SQL (a gc.collect() untimed before each):

- per employee, the whole month (what the CSV/XLSX export reads: every grouped row);
- per employee, the first page (50 rows) and the count (what the page and the API read);
- per department, the whole month.

It prints p50/p95 of each and the query-to-SQL ratio at p95 (goal <= 2x), and checks both return the same
numbers. A measurement, not a test.

    nice .venv/bin/python bench/attendance_summary.py                       # 2,000 employees on SQLite
    nice .venv/bin/python bench/attendance_summary.py --employees 500
    nice .venv/bin/python bench/attendance_summary.py --database-url postgres://oorg@127.0.0.1:55999/oorg
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from people_scale import _scratch_database, _use_project_venv, percentile  # noqa: E402

GOAL = 2.0
PAGE = 50
MONTH = dt.date(2026, 3, 1)  # 31 days


def _django():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oorg.settings")
    django.setup()


def build(n: int) -> dict:
    from django.db import connection
    from django.utils import timezone

    from oorg.accounts.models import User
    from oorg.attendance.models import AttendanceDay
    from oorg.core.tenancy import workspace_scope
    from oorg.leave.defaults import ensure_types
    from oorg.leave.models import LeaveType
    from oorg.org.models import Branch, Department, Employee
    from oorg.workspaces.services import create_workspace

    owner = User.objects.create_user("owner@bench.test", "Bench-Passphrase-42", full_name="Owner",
                                     email_verified_at=timezone.now())
    workspace = create_workspace(owner, name="Attendance bench")
    rng = random.Random(12)
    ws = {"workspace": workspace}
    t0 = time.perf_counter()
    with workspace_scope(workspace):
        ensure_types(workspace)
        types = list(LeaveType.objects.order_by("position", "code"))
        branch = Branch.objects.create(**ws, name="Berlin", country="DE", time_zone="Europe/Berlin")
        departments = [Department.objects.create(**ws, name=f"Department {i:02d}") for i in range(20)]
        employees = Employee.objects.bulk_create(
            [Employee(**ws, code=f"E{i:05d}", full_name=f"Person {rng.randrange(10**6):06d} {i}",
                      department=departments[i % 20], branch=branch) for i in range(n)], batch_size=2000)
        days = []
        for employee in employees:
            for offset in range(31):
                date = MONTH + dt.timedelta(days=offset)
                row = AttendanceDay(**ws, employee=employee, department_id=employee.department_id, date=date,
                                    status="off")
                if date.weekday() < 5:
                    roll = rng.random()
                    if roll < 0.05:
                        row.status = "absent"
                    elif roll < 0.15:
                        row.status = "leave"
                        row.leave_type = rng.choice(types)
                        row.leave_fraction = Decimal("0.5") if rng.random() < 0.2 else Decimal("1")
                    else:
                        row.status = "present"
                        row.worked_minutes = rng.randrange(360, 600)
                        row.late_minutes = rng.randrange(1, 40) if rng.random() < 0.15 else 0
                        row.early_leave_minutes = rng.randrange(1, 60) if rng.random() < 0.05 else 0
                        row.overtime_minutes = rng.randrange(15, 120) if rng.random() < 0.2 else 0
                days.append(row)
        AttendanceDay.objects.bulk_create(days, batch_size=5000)
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return {"workspace": workspace, "owner": owner, "types": [t.pk for t in types], "rows": len(days),
            "build_seconds": time.perf_counter() - t0}


def raw_sql(vendor: str, group: str, types: list[int], *, page: bool) -> str:
    """One hand-written aggregate: the same columns the report reads, in the same order."""
    per_type = "".join(f", COALESCE(SUM(CASE WHEN d.leave_type_id = {t} THEN d.leave_fraction END), 0)" for t in types)
    numbers = ("COUNT(CASE WHEN d.status IN ('present', 'open') THEN 1 END), "
               "COUNT(CASE WHEN d.late_minutes > 0 THEN 1 END), COALESCE(SUM(d.late_minutes), 0), "
               "COUNT(CASE WHEN d.early_leave_minutes > 0 THEN 1 END), COALESCE(SUM(d.early_leave_minutes), 0), "
               "COALESCE(SUM(d.overtime_minutes), 0), COUNT(CASE WHEN d.status = 'absent' THEN 1 END), "
               "COALESCE(SUM(d.worked_minutes), 0), "
               "COALESCE(SUM(CASE WHEN d.leave_type_id IS NOT NULL THEN d.leave_fraction END), 0)" + per_type)
    where = "WHERE d.workspace_id = %s AND d.date >= %s AND d.date <= %s"
    if group == "employee":
        sql = (f"SELECT d.employee_id, e.code, e.full_name, dep.name, {numbers} "
               "FROM attendance_attendanceday d JOIN org_employee e ON e.id = d.employee_id "
               f"LEFT JOIN org_department dep ON dep.id = e.department_id {where} "
               "GROUP BY d.employee_id, e.code, e.full_name, dep.name ORDER BY e.full_name, d.employee_id")
    else:
        sql = (f"SELECT d.department_id, dep.name, {numbers}, COUNT(DISTINCT d.employee_id) "
               "FROM attendance_attendanceday d LEFT JOIN org_department dep ON dep.id = d.department_id "
               f"{where} GROUP BY d.department_id, dep.name ORDER BY dep.name, d.department_id")
    return sql + (f" LIMIT {PAGE}" if page else "")


def timed(fn) -> float:
    gc.collect()
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def measure(name, ours, raw, samples, warmup, results) -> None:
    for _ in range(warmup):
        ours(), raw()
    a, b = [], []
    for _ in range(samples):
        a.append(timed(ours))
        b.append(timed(raw))
    check = ours(), raw()
    same = "same numbers" if check[0] == check[1] else f"DIFFERENT ({check[0][:2]} vs {check[1][:2]})"
    results.append((name, percentile(a, 0.5), percentile(a, 0.95), percentile(b, 0.5), percentile(b, 0.95), same))


def run(n: int, samples: int, warmup: int) -> None:
    _django()
    from django.db import connection

    from oorg.attendance import reports
    from oorg.core.models import Membership
    from oorg.core.permissions import Actor
    from oorg.core.tenancy import workspace_scope

    facts = build(n)
    ws = facts["workspace"]
    month = reports.parse_month(MONTH.strftime("%Y-%m"))
    params = [ws.pk, month.first, month.last]
    results = []
    with workspace_scope(ws):
        membership = Membership.objects.get(user=facts["owner"])
        actor = Actor(user=facts["owner"], workspace=ws, membership=membership, role=membership.role)
        types = reports.leave_types()
        assert [t.pk for t in types] == facts["types"]

        def key_employee(rows):  # (id, late minutes, leave days of the first type): enough to compare
            return [(r[0], int(r[1]), float(r[2])) for r in rows]

        def ours_all():
            rows = reports.grouped(actor, month, group="employee", types=types)
            return key_employee((r["employee_id"], r["late_minutes"], r[f"leave_{types[0].pk}"]) for r in rows)

        def raw_all():
            with connection.cursor() as cur:
                cur.execute(raw_sql(connection.vendor, "employee", facts["types"], page=False), params)
                return key_employee((r[0], r[6], r[13]) for r in cur.fetchall())

        measure(f"per employee, whole month ({n:,} rows)", ours_all, raw_all, samples, warmup, results)

        def ours_page():
            answer = reports.monthly(actor, month, group="employee", limit=PAGE)
            return [answer["count"]] + [(i["employee"]["id"], i["late_minutes"]) for i in answer["items"]]

        def raw_page():
            with connection.cursor() as cur:
                cur.execute("SELECT COUNT(DISTINCT d.employee_id) FROM attendance_attendanceday d "
                            "WHERE d.workspace_id = %s AND d.date >= %s AND d.date <= %s", params)
                count = cur.fetchone()[0]
                cur.execute(raw_sql(connection.vendor, "employee", facts["types"], page=True), params)
                return [count] + [(r[0], int(r[6])) for r in cur.fetchall()]

        measure(f"per employee, first page ({PAGE}) + count", ours_page, raw_page, samples, warmup, results)

        def ours_departments():
            rows = reports.grouped(actor, month, group="department", types=types)
            return [(r["department_id"], int(r["late_minutes"]), r["employees"]) for r in rows]

        def raw_departments():
            with connection.cursor() as cur:
                cur.execute(raw_sql(connection.vendor, "department", facts["types"], page=False), params)
                return [(r[0], int(r[4]), r[-1]) for r in cur.fetchall()]

        measure("per department, whole month", ours_departments, raw_departments, samples, warmup, results)

    db = "SQLite" if connection.vendor == "sqlite" else "PostgreSQL"
    print(f"\nMonthly attendance summary on {db}: {n:,} employees x 31 days = {facts['rows']:,} AttendanceDay rows "
          f"(built in {facts['build_seconds']:.1f} s), {samples} samples (ms):")
    print(f"  {'read':42} {'report p50':>10} {'p95':>8} {'SQL p50':>8} {'p95':>8} {'ratio p95':>9}")
    for name, a50, a95, b50, b95, same in results:
        ratio = a95 / b95 if b95 else float("inf")
        print(f"  {name:42} {a50:10.1f} {a95:8.1f} {b50:8.1f} {b95:8.1f} {ratio:8.2f}x "
              f"{'ok' if ratio <= GOAL else 'OVER'}  ({same})")


def main(argv=None) -> int:
    _use_project_venv()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--database-url", help="PostgreSQL server to bench on; the scratch database is made beside it")
    parser.add_argument("--scratch-db", default="oorg_attendance_bench")
    parser.add_argument("--_child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._child:
        run(args.employees, args.samples, args.warmup)
        return 0
    data_dir = Path(tempfile.mkdtemp(prefix="oorg-attendance-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("OORG_")}
    env.update(OORG_DATA_DIR=str(data_dir), OORG_TASKS_EAGER="1", DJANGO_SETTINGS_MODULE="oorg.settings")
    scratch = None
    try:
        if args.database_url:
            scratch = _scratch_database(args.database_url, args.scratch_db, create=True)
            env["OORG_DATABASE_URL"] = scratch
        subprocess.run([sys.executable, "-m", "oorg.cli", "migrate"], env=env, check=True, capture_output=True,
                       timeout=900)
        argv = [sys.executable, str(Path(__file__).resolve()), "--_child", "--employees", str(args.employees),
                "--samples", str(args.samples), "--warmup", str(args.warmup)]
        return subprocess.run(argv, env=env, check=False).returncode
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        if scratch:
            _scratch_database(args.database_url, args.scratch_db, create=False)


if __name__ == "__main__":
    sys.exit(main())

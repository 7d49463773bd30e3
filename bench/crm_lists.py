"""CRM lists at scale: 100,000 deals (and 100,000 leads, contacts and companies), read through the CRM's list
query (crm.records.query + keyset pagination, as every list, board and export uses it) next to hand-written SQL
that returns the same rows, in the same run.

One run migrates a scratch database, builds a workspace with 8 owners, two pipelines of five stages and N records
of each kind in bulk, then times, warm, alternating one call with one run of its SQL (a gc.collect() untimed
before each):

- deals list: the default ordering's first page (50 rows with the total count);
- deals filter: owner_id + stage_id + q (a word of the name), first page with the count;
- board: what the board page reads (crm.views.board): the card columns of the first 20 deals of each of a
  pipeline's five stages (newest move first), then the per-stage counts and totals (one GROUP BY);
- each list view's API answer (GET /api/v1/leads, /contacts, /companies, /deals: the whole Django stack with
  a bearer token) at N records, for the README.

It prints p50/p95 of each, and the query-to-SQL ratio at p95 (goal <= 2x). A measurement, not a test.

    nice .venv/bin/python bench/crm_lists.py                  # 100,000 of each on SQLite
    nice .venv/bin/python bench/crm_lists.py --records 10000
"""
from __future__ import annotations

import argparse
import gc
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from people_scale import _scratch_database, _use_project_venv, percentile  # noqa: E402

GOAL = 2.0
PAGE = 50
BOARD_N = 20
WORDS = "alpha beta gamma delta omega renewal upgrade licences pilot rollout expansion".split()


def _django():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oorg.settings")
    django.setup()


def build(n: int, tag: str) -> dict:
    from django.utils import timezone

    from oorg.accounts.models import User
    from oorg.core.models import Membership
    from oorg.core.tenancy import workspace_scope
    from oorg.crm.models import Company, Contact, Deal, Lead, Pipeline, Stage
    from oorg.workspaces.services import create_workspace

    owner = User.objects.create_user(f"owner-{tag}@bench.test", "Bench-Passphrase-42", full_name="Owner",
                                     email_verified_at=timezone.now())
    workspace = create_workspace(owner, name="CRM lists bench")
    rng = random.Random(5)
    with workspace_scope(workspace):
        owner_m = Membership.objects.get(user=owner)
        members = [owner_m]
        for i in range(7):
            u = User.objects.create_user(f"seller{i}-{tag}@bench.test", "Bench-Passphrase-42", full_name=f"S{i}",
                                         email_verified_at=timezone.now())
            members.append(Membership.objects.create(workspace=workspace, user=u, role="member"))
        pipelines, stages = [], []
        for p in range(2):
            pipeline = Pipeline.objects.create(workspace=workspace, name=f"Pipeline {p}", position=p)
            pipelines.append(pipeline)
            stages.append([Stage.objects.create(workspace=workspace, pipeline=pipeline, name=f"Stage {s}",
                                                probability=s * 20, position=s) for s in range(5)])
        now = timezone.now()
        t0 = time.perf_counter()
        companies = Company.objects.bulk_create(
            [Company(workspace=workspace, name=f"{rng.choice(WORDS).title()} {i}", domain=f"c{i}.test",
                     owner=rng.choice(members)) for i in range(n)], batch_size=2000)
        contacts = Contact.objects.bulk_create(
            [Contact(workspace=workspace, full_name=f"Person {rng.choice(WORDS)} {i}", email=f"p{i}@x.test",
                     owner=rng.choice(members)) for i in range(n)], batch_size=2000)
        Lead.objects.bulk_create(
            [Lead(workspace=workspace, full_name=f"Lead {rng.choice(WORDS)} {i}", email=f"l{i}@x.test",
                  owner=rng.choice(members), status=rng.choice(["new", "contacted", "qualified"]))
             for i in range(n)], batch_size=2000)
        deals = []
        for i in range(n):
            p = 0 if rng.random() < 0.8 else 1
            deals.append(Deal(workspace=workspace, name=f"{rng.choice(WORDS).title()} deal {i}",
                              amount=rng.randrange(100, 100000), pipeline=pipelines[p],
                              stage=rng.choice(stages[p]), owner=rng.choice(members),
                              contact=rng.choice(contacts) if i % 2 else None,
                              company=rng.choice(companies) if i % 3 else None,
                              expected_close_date=(now + dt_days(rng.randrange(0, 365))).date()))
        Deal.objects.bulk_create(deals, batch_size=2000)
        # created_at/stage_changed_at are auto_now_add: spread them so orderings are realistic.
        from django.db import connection

        with connection.cursor() as cur:
            for table in ("crm_deal", "crm_lead", "crm_contact", "crm_company"):
                if connection.vendor == "sqlite":
                    cur.execute(f"UPDATE {table} SET created_at = datetime('now', '-' || (id % 1000) || ' hours')"
                                " WHERE workspace_id = %s", [workspace.pk])
                else:
                    cur.execute(f"UPDATE {table} SET created_at = now() - (id % 1000) * interval '1 hour'"
                                " WHERE workspace_id = %s", [workspace.pk])
            if connection.vendor == "sqlite":
                cur.execute("UPDATE crm_deal SET stage_changed_at = datetime('now', '-' || (id % 977) || ' minutes')"
                            " WHERE workspace_id = %s", [workspace.pk])
            else:
                cur.execute("UPDATE crm_deal SET stage_changed_at = now() - (id % 977) * interval '1 minute'"
                            " WHERE workspace_id = %s", [workspace.pk])
            cur.execute("ANALYZE")
        build_seconds = time.perf_counter() - t0
    return {"workspace": workspace, "owner": owner, "members": [m.pk for m in members],
            "stages": [s.pk for s in stages[0]], "pipeline": pipelines[0].pk, "build_seconds": build_seconds}


def dt_days(days: int):
    import datetime as dt

    return dt.timedelta(days=days)


def timed(fn) -> float:
    gc.collect()
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def measure(name: str, ours, raw, samples: int, warmup: int, results: list) -> None:
    for _ in range(warmup):
        ours(), raw()
    a, b = [], []
    for _ in range(samples):
        a.append(timed(ours))
        b.append(timed(raw))
    check = ours(), raw()
    same = "same rows" if check[0] == check[1] else f"DIFFERENT rows ({len(check[0])} vs {len(check[1])})"
    results.append((name, percentile(a, 0.5), percentile(a, 0.95), percentile(b, 0.5), percentile(b, 0.95), same))


def run(n: int, samples: int, warmup: int) -> None:
    _django()
    from django.db import connection
    from django.test import Client

    from oorg.core.api import Page, paginate
    from oorg.core.permissions import Actor
    from oorg.core.tenancy import workspace_scope
    from oorg.crm import lists, records

    print(f"Building {n:,} deals, leads, contacts and companies ...", flush=True)
    facts = build(n, os.urandom(4).hex())
    print(f"  built in {facts['build_seconds']:.1f}s", flush=True)
    ws = facts["workspace"]
    results: list = []
    with workspace_scope(ws):
        from oorg.core.models import Membership

        m = Membership.objects.get(user=facts["owner"])
        actor = Actor(user=facts["owner"], workspace=ws, membership=m, role=m.role)
        owner_id, stage_id = facts["members"][3], facts["stages"][2]
        word = "renewal"

        def page_of(params):
            data = paginate(records.query(actor, lists.DEALS, params), Page(limit=PAGE))
            return [d.pk for d in data["items"]] + [data["count"]]

        def sql(where: str, params: list, order: str, limit: int = PAGE, count: bool = True):
            cols = ("d.id, d.name, d.amount, d.currency, d.expected_close_date, d.stage_id, d.pipeline_id, "
                    "d.owner_id, d.contact_id, d.company_id, d.created_at, d.updated_at, d.tags, d.custom_fields, "
                    "s.name, p.name, u.email, c.full_name, co.name")
            joins = ("FROM crm_deal d JOIN crm_stage s ON s.id = d.stage_id JOIN crm_pipeline p ON p.id = d.pipeline_id "
                     "LEFT JOIN core_membership m ON m.id = d.owner_id LEFT JOIN accounts_user u ON u.id = m.user_id "
                     "LEFT JOIN crm_contact c ON c.id = d.contact_id LEFT JOIN crm_company co ON co.id = d.company_id")
            with connection.cursor() as cur:
                total = None
                if count:
                    cur.execute(f"SELECT COUNT(*) FROM crm_deal d WHERE d.workspace_id = %s {where}", [ws.pk, *params])
                    total = cur.fetchone()[0]
                cur.execute(f"SELECT {cols} {joins} WHERE d.workspace_id = %s {where} ORDER BY {order} LIMIT %s",
                            [ws.pk, *params, limit + 1])
                rows = cur.fetchall()[:limit]
            return [r[0] for r in rows] + ([total] if count else [])

        like = "LOWER(d.name) LIKE %s" if connection.vendor == "sqlite" else "UPPER(d.name::text) LIKE UPPER(%s)"
        measure("deals list (first page)", lambda: page_of({}),
                lambda: sql("", [], "d.created_at DESC, d.id DESC"), samples, warmup, results)
        measure("deals filter (owner+stage+q)",
                lambda: page_of({"owner_id": str(owner_id), "stage_id": str(stage_id), "q": word}),
                lambda: sql(f"AND d.owner_id = %s AND d.stage_id = %s AND {like}",
                            [owner_id, stage_id, f"%{word}%"], "d.created_at DESC, d.id DESC"),
                samples, warmup, results)

        # The board page's own reads (crm/views/board.py): the cards of each stage, then the counts and totals.
        from oorg.crm.models import Pipeline
        from oorg.crm.views import board as board_view

        pipeline = Pipeline.objects.get(pk=facts["pipeline"])

        def board_ours():
            cards = board_view.stage_cards(actor, pipeline, {}, facts["stages"], BOARD_N)
            return [c["pk"] for s in facts["stages"] for c in cards[s]]

        def board_raw():
            out = []
            with connection.cursor() as cur:
                for s in facts["stages"]:
                    cur.execute("SELECT d.id, d.name, d.amount, d.currency, d.expected_close_date, u.full_name, u.email "
                                "FROM crm_deal d LEFT JOIN core_membership m ON m.id = d.owner_id "
                                "LEFT JOIN accounts_user u ON u.id = m.user_id WHERE d.workspace_id = %s "
                                "AND d.pipeline_id = %s AND d.stage_id = %s "
                                "ORDER BY d.stage_changed_at DESC, d.id DESC LIMIT %s",
                                [ws.pk, pipeline.pk, s, BOARD_N])
                    out += [r[0] for r in cur.fetchall()]
            return out

        measure(f"board cards ({len(facts['stages'])} stages x {BOARD_N})", board_ours, board_raw, samples, warmup,
                results)

        def totals_ours():
            found = board_view.column_totals(actor, pipeline, {})
            return sorted((k, v["count"]) for k, v in found.items())

        def totals_raw():
            with connection.cursor() as cur:
                cur.execute("SELECT d.stage_id, d.currency, COUNT(d.id), SUM(d.amount) FROM crm_deal d "
                            "WHERE d.workspace_id = %s AND d.pipeline_id = %s GROUP BY d.stage_id, d.currency",
                            [ws.pk, pipeline.pk])
                counts: dict = {}
                for stage, _currency, n, _total in cur.fetchall():
                    counts[stage] = counts.get(stage, 0) + n
            return sorted(counts.items())

        measure("board counts + totals (GROUP BY stage)", totals_ours, totals_raw, samples, warmup, results)

    from oorg.core.tenancy import workspace_scope as scope

    with scope(ws):
        from oorg.accounts import services as accounts

        _, secret = accounts.issue_token(facts["owner"], m, name="bench")
    client = Client()
    views = []
    for plural in ("leads", "contacts", "companies", "deals"):
        def call(plural=plural):
            response = client.get(f"/api/v1/{plural}?limit={PAGE}", HTTP_AUTHORIZATION=f"Bearer {secret}")
            if response.status_code != 200:
                raise RuntimeError(f"{plural}: {response.status_code} {response.content[:200]}")
            return response
        try:
            for _ in range(warmup):
                call()
            times = sorted(timed(call) for _ in range(samples))
            views.append((plural, percentile(times, 0.5), percentile(times, 0.95)))
        except Exception as exc:
            views.append((plural, None, str(exc)[:80]))

    db = "SQLite" if connection.vendor == "sqlite" else "PostgreSQL"
    print(f"\nCRM lists on {db}, {n:,} records of each kind, {samples} samples (ms):")
    print(f"  {'read':40} {'query p50':>9} {'p95':>8} {'SQL p50':>8} {'p95':>8} {'ratio p95':>9}")
    for name, a50, a95, b50, b95, same in results:
        ratio = a95 / b95 if b95 else float("inf")
        print(f"  {name:40} {a50:9.1f} {a95:8.1f} {b50:8.1f} {b95:8.1f} {ratio:8.1f}x "
              f"{'ok' if ratio <= GOAL else 'OVER'}  ({same})")
    print(f"\n  list views (GET /api/v1/<kind>?limit={PAGE}, the whole stack, owner):")
    for plural, p50, p95 in views:
        print(f"  {plural:12} " + (f"p50 {p50:7.1f}  p95 {p95:7.1f}" if p50 is not None else f"n/a: {p95}"))


def main(argv=None) -> int:
    _use_project_venv()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--database-url")
    parser.add_argument("--scratch-db", default="oorg_crm_lists_bench")
    parser.add_argument("--_child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._child:
        run(args.records, args.samples, args.warmup)
        return 0
    data_dir = Path(tempfile.mkdtemp(prefix="oorg-crm-lists-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("OORG_")}
    env.update(OORG_DATA_DIR=str(data_dir), OORG_TASKS_EAGER="1", DJANGO_SETTINGS_MODULE="oorg.settings")
    scratch = None
    try:
        if args.database_url:
            scratch = _scratch_database(args.database_url, args.scratch_db, create=True)
            env["OORG_DATABASE_URL"] = scratch
        subprocess.run([sys.executable, "-m", "oorg.cli", "migrate"], env=env, check=True, capture_output=True,
                       timeout=900)
        argv = [sys.executable, str(Path(__file__).resolve()), "--_child", "--records", str(args.records),
                "--samples", str(args.samples), "--warmup", str(args.warmup)]
        return subprocess.run(argv, env=env, check=False).returncode
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        if scratch:
            _scratch_database(args.database_url, args.scratch_db, create=False)


if __name__ == "__main__":
    sys.exit(main())


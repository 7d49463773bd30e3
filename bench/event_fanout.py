"""Does a request wait for the people and systems its action notifies? (issue 10)

One run makes a fresh data dir and two workspaces, and measures the same action, creating an employee
through `POST /api/v1/employees` (bearer token, the real request path in-process, Django's test client):

- **quiet**: a workspace with one member and no webhook subscription;
- **busy**: a workspace with 1,000 members who are each notified of every new employee (a notify rule the
  bench adds to `org.employee.created`, as a "tell everyone" announcement would) and 5 webhook
  subscriptions to every event.

Jobs are queued to the embedded broker (a SQLite file), as `oorg serve` does with no Redis: the request
writes the employee, its audit record and one outbox event, and queues one message. The fan-out (1,000
notifications, 5 signed deliveries) happens in the worker, which the bench then runs once and times apart.

It prints the median request time of each, **busy/quiet** (goal: under 1.2×: the request does not wait for
delivery), the extra request cost per recipient, and the worker's cost per recipient for information.
A measurement, not a test: it exits 0 whatever the ratio.

    .venv/bin/python bench/event_fanout.py [--requests 200] [--recipients 1000] [--database-url postgres://...]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

GOAL = 1.2


def setup_django(data_dir: Path, database_url: str | None) -> None:
    os.environ["OORG_DATA_DIR"] = str(data_dir)
    os.environ.pop("OORG_TASKS_EAGER", None)
    os.environ.pop("OORG_REDIS_URL", None)
    os.environ["OORG_WEBHOOKS_ALLOW_PRIVATE"] = "1"
    if database_url:
        os.environ["OORG_DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oorg.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import logging

    logging.getLogger("oorg.request").setLevel(logging.WARNING)  # one line per request would be the bench's cost


def make_workspace(name: str, members: int, subscriptions: int):
    import secrets

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from oorg.accounts.models import User
    from oorg.accounts.services import issue_token
    from oorg.core.models import Membership, Role
    from oorg.core.tenancy import workspace_scope
    from oorg.workspaces.services import create_workspace

    suffix = secrets.token_hex(4)
    owner = User.objects.create_user(f"owner-{suffix}@bench.oorg.test", f"Bench-Passphrase-{suffix}",
                                     full_name="Bench Owner", email_verified_at=timezone.now())
    workspace = create_workspace(owner, name=f"{name} {suffix}")
    unusable = make_password(None)
    users = User.objects.bulk_create([
        User(email=f"m{i}-{suffix}@bench.oorg.test", full_name=f"Member {i}", password=unusable,
             email_verified_at=timezone.now()) for i in range(members - 1)], batch_size=500)
    with workspace_scope(workspace):
        role = Role.objects.get(key="member")
        Membership.objects.bulk_create([Membership(workspace=workspace, user=u, role=role) for u in users],
                                       batch_size=500)
        membership = Membership.objects.get(user=owner)
        _row, token = issue_token(owner, membership, name="bench")
        if subscriptions:
            from oorg.webhooks import services as webhooks
            from oorg.core.permissions import Actor

            actor = Actor(user=owner, workspace=workspace, membership=membership, role=membership.role)
            for i in range(subscriptions):
                webhooks.create_subscription(actor, url=f"http://127.0.0.1:9/hook-{i}", events=["*"])
    return workspace, token


def notify_everyone():
    """The bench's announcement rule: every member of the workspace hears of every new employee."""
    import dataclasses

    from oorg.core import events
    from oorg.core.models import Membership
    from oorg.core.tenancy import workspace_scope

    def everyone(event):
        with workspace_scope(event.workspace_id):
            users = Membership.objects.values_list("user_id", flat=True)
            return [events.Notice(user_id=u, kind=KIND, title="A new colleague", url="/") for u in users]

    KIND = "bench.announcement"
    events.register_kinds([events.Kind(KIND, "Announcements", group="Bench", default_email="daily")])
    kind = events.TYPES["org.employee.created"]
    events.TYPES["org.employee.created"] = dataclasses.replace(kind, notify=everyone)


def create_employees(client, token: str, prefix: str, count: int) -> list[float]:
    import json

    times = []
    for i in range(count):
        body = json.dumps({"full_name": f"Bench Person {prefix}{i}", "code": f"{prefix}{i:06d}"})
        start = time.perf_counter()
        response = client.post("/api/v1/employees", body, content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {token}")
        times.append(time.perf_counter() - start)
        if response.status_code != 201:
            sys.exit(f"create failed: {response.status_code} {response.content[:300]!r}")
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200, help="employees created per workspace (default 200)")
    parser.add_argument("--recipients", type=int, default=1000, help="members notified in the busy workspace")
    parser.add_argument("--subscriptions", type=int, default=5, help="webhook subscriptions in the busy workspace")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    parser.add_argument("--database-url", help="a throwaway PostgreSQL database (default: SQLite in a temp dir)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="oorg-bench-fanout-") as tmp:
        print(f"setting up in {tmp} ...", flush=True)
        setup_django(Path(tmp), args.database_url)
        from django.test import Client

        from oorg.core import events
        from oorg.core.models import Event
        from oorg.core.tenancy import workspace_scope

        notify_everyone()
        quiet, quiet_token = make_workspace("Quiet", 1, 0)
        busy, busy_token = make_workspace("Busy", args.recipients, args.subscriptions)
        client = Client()
        create_employees(client, quiet_token, "WQ", 10)  # warm up both paths
        create_employees(client, busy_token, "WB", 10)
        per_round = max(1, args.requests // args.rounds)
        quiet_times, busy_times = [], []
        for r in range(args.rounds):
            print(f"round {r + 1}/{args.rounds}", flush=True)
            quiet_times += create_employees(client, quiet_token, f"Q{r}-", per_round)
            busy_times += create_employees(client, busy_token, f"B{r}-", per_round)
        q, b = statistics.median(quiet_times), statistics.median(busy_times)
        extra_us = (b - q) / (args.recipients + args.subscriptions) * 1e6

        # The worker's side, for information: hand one busy event to every consumer.
        event = Event.objects.filter(workspace=busy, type="org.employee.created").order_by("-created_at").first()
        Event.objects.filter(pk=event.pk).update(dispatched_at=None)
        start = time.perf_counter()
        events.dispatch([str(event.pk)])
        worker_s = time.perf_counter() - start
        from oorg.notifications.models import Notification
        from oorg.webhooks.models import WebhookDelivery

        told = Notification.objects.filter(event_id=event.pk).count()
        with workspace_scope(busy):
            sent = WebhookDelivery.objects.filter(event_id=event.pk).count()

        print()
        print(f"quiet (1 member, no subscription): median {q * 1000:.2f} ms over {len(quiet_times)} requests")
        print(f"busy ({args.recipients} recipients, {args.subscriptions} subscriptions): median {b * 1000:.2f} ms "
              f"over {len(busy_times)} requests")
        print(f"extra request cost per recipient: {extra_us:.3f} µs")
        print(f"worker: one event fanned out in {worker_s * 1000:.0f} ms "
              f"({worker_s / (args.recipients + args.subscriptions) * 1e6:.0f} µs per recipient, off the request path): "
              f"{told} notifications, {sent} webhook deliveries queued")
        ratio = b / q
        print(f"busy/quiet: {ratio:.2f}x  goal < {GOAL}x  {'PASS' if ratio < GOAL else 'BELOW GOAL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

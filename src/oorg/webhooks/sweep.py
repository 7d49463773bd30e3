"""The periodic job (every minute): queue the deliveries that are due, and purge old ones.

Due means pending with `next_attempt_at` passed and no live claim: a retry whose time came, a delivery whose task
was lost (the broker was down), or one whose worker died mid-attempt (its claim expired). Deliveries of paused
subscriptions wait. This reads every workspace's deliveries by time alone, which is why it may use `unscoped()`
(tests/core/test_house_rules.py); each send then runs in its own workspace's scope (tasks.send_delivery).

Retention (class "webhooks"): a delivery and its attempts are deleted 30 days after they were made.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from . import delivery
from .models import WebhookDelivery

KEEP = timedelta(days=30)
MAX_QUEUED = 2000  # per run; the rest waits a minute
PURGE_BATCH = 1000


def send_due() -> int:
    now = timezone.now()
    due = (WebhookDelivery.objects.unscoped()
           .filter(state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now)
           .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
           .filter(Q(subscription__active=True) | Q(is_test=True))
           .order_by("next_attempt_at").values_list("workspace_id", "pk")[:MAX_QUEUED])
    by_workspace = defaultdict(list)
    for workspace_id, delivery_id in due:
        by_workspace[workspace_id].append(delivery_id)
    for workspace_id, ids in by_workspace.items():
        delivery.queue(workspace_id, ids)
    return sum(len(ids) for ids in by_workspace.values())


def purge_old() -> int:
    old = WebhookDelivery.objects.unscoped().filter(created_at__lt=timezone.now() - KEEP)
    count = 0
    while True:
        batch = list(old.values_list("pk", flat=True)[:PURGE_BATCH])
        if not batch:
            return count
        WebhookDelivery.objects.unscoped().filter(pk__in=batch).delete()
        count += len(batch)

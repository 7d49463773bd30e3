"""The webhooks consumer of the event outbox (core/events.py): events become deliveries.

For each workspace in a batch, one query finds its active subscriptions; a delivery row is written for each
(subscription, event) a subscription wants, at most once (a unique key; handing the same events over again
writes nothing), and after commit a send task is queued per new delivery. Account events (no workspace) never
go to webhooks.
"""
from __future__ import annotations

import json
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from oorg.core import events as core_events
from oorg.core.models import Event, Membership, Workspace
from oorg.core.permissions import Actor
from oorg.core.tenancy import workspace_scope

from . import delivery
from .models import WebhookDelivery, WebhookSubscription

BATCH = 500


def body_of(*, event_id, event_type: str, created_at, workspace, data) -> str:
    """What a receiver gets: the event, its workspace, and the type's payload."""
    return json.dumps({"id": str(event_id), "type": event_type, "created_at": created_at.isoformat(),
                       "workspace": {"id": workspace.pk, "slug": workspace.slug}, "data": data},
                      separators=(",", ":"), default=str)


def offered(event_type: str) -> bool:
    known = core_events.TYPES.get(event_type)
    return known is not None and known.webhook and not known.account


def handle(events: list[Event]) -> None:
    by_workspace: dict[int, list[Event]] = defaultdict(list)
    for event in events:
        if event.workspace_id is not None and offered(event.type):
            by_workspace[event.workspace_id].append(event)
    for workspace_id, batch in by_workspace.items():
        with workspace_scope(workspace_id):
            _deliveries_for(workspace_id, batch)


def _creator(workspace, subscription) -> Actor | None:
    membership = (Membership.objects.select_related("user").filter(pk=subscription.created_by_id, is_active=True)
                  .first() if subscription.created_by_id else None)
    if membership is None:
        return None
    return Actor(user=membership.user, workspace=workspace, membership=membership, role=membership.role)


def _visible(workspace, wanted: list) -> list:
    """Drop (subscription, event) pairs whose event its creator may not see (a type with `visible_to`)."""
    creators: dict[int, Actor | None] = {}
    kept = []
    for subscription, event in wanted:
        rule = core_events.TYPES[event.type].visible_to
        if rule is not None:
            if subscription.pk not in creators:
                creators[subscription.pk] = _creator(workspace, subscription)
            reader = creators[subscription.pk]
            if reader is None or not rule(reader, event.data):
                continue
        kept.append((subscription, event))
    return kept


def _deliveries_for(workspace_id: int, batch: list[Event]) -> None:
    subscriptions = list(WebhookSubscription.objects.filter(active=True)
                         .only("pk", "events", "workspace_id", "created_by"))
    wanted = [(s, e) for e in batch for s in subscriptions if s.wants(e.type)]
    if not wanted:
        return
    workspace = Workspace.objects.get(pk=workspace_id)
    wanted = _visible(workspace, wanted)
    if not wanted:
        return
    now = timezone.now()
    rows = [WebhookDelivery(workspace_id=workspace_id, subscription_id=s.pk, event_id=e.pk, event_type=e.type,
                            next_attempt_at=now,
                            body=body_of(event_id=e.pk, event_type=e.type, created_at=e.created_at,
                                         workspace=workspace, data=e.data))
            for s, e in wanted]
    WebhookDelivery.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    # ignore_conflicts gives no ids back: read those not yet tried (a second hand-over finds them tried already).
    event_ids = list({e.pk for _s, e in wanted})
    ids = []
    for start in range(0, len(event_ids), BATCH):
        ids += WebhookDelivery.objects.filter(event_id__in=event_ids[start:start + BATCH], attempts=0,
                                              state=WebhookDelivery.State.PENDING).values_list("pk", flat=True)
    transaction.on_commit(lambda: delivery.queue(workspace_id, ids))

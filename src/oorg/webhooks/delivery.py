"""Sending a delivery: claim it, sign it, POST it, record the attempt, then plan the next one or finish.

A sender claims a delivery with one conditional UPDATE (`claimed_until`, as core/mail.py does), so two workers
never send the same attempt at once, and no lock is held while the receiver answers. A worker killed mid-attempt
leaves the claim to expire; the periodic job (sweep.py) then finds the delivery due and sends it again. So a
receiver may see an event twice: it deduplicates on the event id (the `OORG-Event-Id` header and `id` in the body).

Retries: the first within a minute, then 2, 4, 8, ... minutes (capped at 2 hours), each with jitter, for 24 hours
from the first attempt; then the delivery gives up. A subscription whose deliveries have failed for 24 hours
without one success in between is paused, and the people who manage webhooks are told (notices.py).
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import random
import time
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from oorg.core import audit
from oorg.core.permissions import Actor

from . import client
from .models import WebhookAttempt, WebhookDelivery, WebhookSubscription

log = logging.getLogger(__name__)

USER_AGENT = "OORG-Webhooks/1"
FIRST_RETRY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=2)
GIVE_UP_AFTER = timedelta(hours=24)
PAUSE_AFTER = timedelta(hours=24)
PENDING = WebhookDelivery.State.PENDING


def timeout() -> float:
    return float(settings.WEBHOOK_TIMEOUT)


def claim_time() -> timedelta:
    """How long a sender holds a delivery: longer than an attempt can take (every redirect timing out)."""
    return timedelta(seconds=max(60.0, (client.MAX_REDIRECTS + 1) * timeout() + 30))


# --- signing ------------------------------------------------------------------------------------------------


def sign(secret: str, timestamp: int, body: str) -> str:
    """HMAC-SHA256 of "{timestamp}.{body}" under the secret (the whole "whsec_..." string), hex."""
    return hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: str) -> str:
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


def request_headers(delivery: WebhookDelivery, secret: str, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "OORG-Event-Id": str(delivery.event_id),
        "OORG-Event-Type": delivery.event_type,
        "OORG-Signature": signature_header(secret, timestamp, delivery.body),
    }


# --- the schedule ---------------------------------------------------------------------------------------------


def retry_delay(number: int) -> timedelta:
    """How long after failed attempt `number` (1, 2, ...) the next one goes: within a minute after the first,
    then 2, 4, 8, ... minutes up to 2 hours, each up to a fifth longer at random (so retries spread out)."""
    if number <= 1:
        return FIRST_RETRY + timedelta(seconds=random.uniform(0, 25))
    base = timedelta(minutes=2 ** min(number - 1, 12))
    return min(base * random.uniform(1.0, 1.2), MAX_DELAY)


def queue(workspace_id: int, ids: list[int]) -> None:
    """Queue a send task per delivery. A broker that is down loses nothing: the periodic job finds them due."""
    from .tasks import send_delivery

    for delivery_id in ids:
        try:
            send_delivery.delay(workspace_id, delivery_id)
        except Exception:
            if settings.CELERY_TASK_ALWAYS_EAGER:
                raise
            log.exception("could not queue %d webhook deliveries; the periodic job will", len(ids))
            return


# --- one attempt ----------------------------------------------------------------------------------------------


def claim(delivery_id: int, now) -> bool:
    return bool(WebhookDelivery.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
        pk=delivery_id, state=PENDING, next_attempt_at__lte=now,
    ).update(claimed_until=now + claim_time(), attempts=F("attempts") + 1,
             first_attempt_at=Coalesce(F("first_attempt_at"), models.Value(now, output_field=models.DateTimeField()))))


def attempt(delivery_id: int) -> bool:
    """Make one attempt of a delivery that is due and that nobody else is sending; False when there is nothing to
    do (sent already, not due, claimed by another sender, its subscription paused or deleted)."""
    now = timezone.now()
    delivery = WebhookDelivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if delivery is None or delivery.state != PENDING:
        return False
    subscription = delivery.subscription
    if not (subscription.active or delivery.is_test):
        return False  # paused: it waits; resuming makes it due again
    if not claim(delivery_id, now):
        return False
    delivery.refresh_from_db(fields=["attempts", "first_attempt_at"])
    headers = request_headers(delivery, subscription.secret, int(time.time()))
    row = WebhookAttempt.objects.create(workspace_id=delivery.workspace_id, delivery=delivery,
                                        number=delivery.attempts, started_at=now, url=subscription.url,
                                        request_headers=headers)
    started = time.monotonic()
    outcome = client.post(subscription.url, delivery.body.encode(), headers, timeout=timeout())
    record(delivery, row, outcome, duration_ms=round((time.monotonic() - started) * 1000))
    return True


def record(delivery: WebhookDelivery, row: WebhookAttempt, outcome: client.Outcome, *, duration_ms: int) -> None:
    """Write what the attempt found, then finish the delivery or plan its next attempt, and release it."""
    now = timezone.now()
    with transaction.atomic():
        WebhookAttempt.objects.filter(pk=row.pk).update(
            finished=True, duration_ms=duration_ms, url=outcome.url[:2000], status_code=outcome.status_code,
            error=outcome.error[:500], response_body=outcome.response_body)
        deliveries = WebhookDelivery.objects.filter(pk=delivery.pk)
        if outcome.ok:
            deliveries.update(state=WebhookDelivery.State.SUCCEEDED, completed_at=now, next_attempt_at=None,
                              claimed_until=None)
        elif delivery.is_test or now - delivery.first_attempt_at >= GIVE_UP_AFTER:
            deliveries.update(state=WebhookDelivery.State.FAILED, completed_at=now, next_attempt_at=None,
                              claimed_until=None)
        else:
            later = min(now + retry_delay(row.number), delivery.first_attempt_at + GIVE_UP_AFTER)
            deliveries.update(next_attempt_at=later, claimed_until=None)
        if not delivery.is_test:
            note_outcome(delivery.subscription_id, ok=outcome.ok, status_code=outcome.status_code, now=now)


# --- the subscription's health ----------------------------------------------------------------------------------


def note_outcome(subscription_id: int, *, ok: bool, status_code: int | None, now) -> None:
    """A success clears `failing_since`; the first failure after one sets it; a failure 24 hours after it pauses
    the subscription."""
    rows = WebhookSubscription.objects.filter(pk=subscription_id)
    rows.update(last_delivery_at=now, last_delivery_ok=ok, last_status_code=status_code)
    if ok:
        rows.filter(failing_since__isnull=False).update(failing_since=None)
        return
    rows.filter(failing_since__isnull=True).update(failing_since=now)
    pause_if_failing(subscription_id, now)


def pause_if_failing(subscription_id: int, now) -> bool:
    paused = WebhookSubscription.objects.filter(
        pk=subscription_id, active=True, failing_since__lte=now - PAUSE_AFTER,
    ).update(active=False, paused_at=now, paused_reason="Every delivery failed for 24 hours.")
    if not paused:
        return False
    subscription = WebhookSubscription.objects.select_related("workspace").get(pk=subscription_id)
    audit.record(Actor.system(subscription.workspace), "webhooks.subscription.paused", subscription,
                 reason="failing", failing_since=subscription.failing_since)
    return True

"""Every change to webhooks, one function per action, for the API and the pages alike (webhooks.manage).

The secret is made here and returned once, by the call that made it (create, rotate); it is stored encrypted and
never shown again. URLs are checked by addresses.py (https, public addresses); the audit log keeps only the host of
a URL, since a path or query may hold a token.
"""
from __future__ import annotations

import json
import secrets
import uuid

from django.db import transaction
from django.utils import timezone

from oorg.core import audit
from oorg.core import events as core_events
from oorg.core.crypto import encrypt
from oorg.core.errors import Conflict, DomainError, Problems, ValidationFailed
from oorg.core.permissions import Actor, require

from . import addresses, delivery
from .consumer import body_of
from .models import ALL_EVENTS, WebhookDelivery, WebhookSubscription
from .permissions import WEBHOOKS_MANAGE

SECRET_PREFIX = "whsec_"
TEST_EVENT = "webhooks.test"
MAX_DESCRIPTION = 200


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


# --- checks (the pages run them on what passed the form's shape checks, to show every problem at once) ----------


def clean_url(url: str) -> str:
    try:
        return addresses.check_subscription_url(url)
    except addresses.NotPublic as exc:
        raise ValidationFailed(f"Webhooks go to public addresses only: {exc}.", field="url") from None
    except addresses.Refused as exc:
        raise ValidationFailed(str(exc), field="url") from None


def clean_events(events) -> list[str]:
    names = [str(name).strip() for name in events or ()]
    if not [n for n in names if n]:
        raise ValidationFailed('Choose at least one event type, or all events ("*").', field="events")
    if ALL_EVENTS in names:
        return [ALL_EVENTS]
    unknown = sorted(set(names) - {t.name for t in core_events.webhook_types()})
    if unknown:
        raise ValidationFailed(f"Unknown event type{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
                               "GET /api/v1/webhooks/event-types lists those there are.", field="events")
    return sorted(set(names))


def clean_description(description: str) -> str:
    description = " ".join((description or "").split())
    if len(description) > MAX_DESCRIPTION:
        raise ValidationFailed(f"A description has at most {MAX_DESCRIPTION} characters.", field="description")
    return description


CLEAN = {"url": clean_url, "events": clean_events, "description": clean_description}


def check_subscription(*, unchecked=(), **fields) -> list[DomainError]:
    """Every problem `fields` (url, events, description: those given) would be refused for, without saving."""
    problems = Problems(unchecked=unchecked)
    for name, value in fields.items():
        if name in CLEAN and name not in unchecked:
            with problems.check():
                CLEAN[name](value)
    return list(problems)


def _cleaned(**fields) -> dict:
    cleaned = {}
    with Problems() as problems:
        for name, value in fields.items():
            with problems.check():
                cleaned[name] = CLEAN[name](value)
    return cleaned


def _host(url: str) -> str:
    return addresses.parse(url)[1] if url else ""


# --- subscriptions ------------------------------------------------------------------------------------------------


def create_subscription(actor: Actor, *, url: str, events: list[str],
                        description: str = "") -> tuple[WebhookSubscription, str]:
    """A new subscription and its secret (shown once)."""
    require(actor, WEBHOOKS_MANAGE)
    fields = _cleaned(url=url, events=events, description=description)
    secret = new_secret()
    with transaction.atomic():
        subscription = WebhookSubscription.objects.create(workspace=actor.workspace, secret_encrypted=encrypt(secret),
                                                          created_by=actor.membership, **fields)
        audit.record(actor, "webhooks.subscription.created", subscription, host=_host(subscription.url),
                     events=subscription.events, fields=sorted(k for k, v in fields.items() if v))
    return subscription, secret


def update_subscription(actor: Actor, subscription: WebhookSubscription, *, url: str | None = None,
                        events: list[str] | None = None, description: str | None = None, active: bool | None = None,
                        rotate_secret: bool = False) -> tuple[WebhookSubscription, str | None]:
    """Change what is given; `active` pauses or resumes; `rotate_secret` makes a new secret, returned once
    (the old one stops at once). Answers the subscription and the new secret, or None."""
    require(actor, WEBHOOKS_MANAGE, subscription)
    given = {k: v for k, v in {"url": url, "events": events, "description": description}.items() if v is not None}
    fields = _cleaned(**given)
    secret = None
    with transaction.atomic():
        changed = [name for name, value in fields.items() if getattr(subscription, name) != value]
        for name in changed:
            setattr(subscription, name, fields[name])
        if rotate_secret:
            secret = new_secret()
            subscription.secret_encrypted = encrypt(secret)
        if changed or rotate_secret:
            subscription.save()
        if changed:
            audit.record(actor, "webhooks.subscription.updated", subscription, host=_host(subscription.url),
                         fields=changed)
        if rotate_secret:
            audit.record(actor, "webhooks.subscription.secret_rotated", subscription)
        if active is True and not subscription.active:
            _resume(actor, subscription)
        elif active is False and subscription.active:
            _pause(actor, subscription)
    return subscription, secret


def _resume(actor: Actor, subscription: WebhookSubscription) -> None:
    now = timezone.now()
    subscription.active, subscription.paused_reason, subscription.paused_at = True, "", None
    subscription.failing_since = None
    subscription.save()
    # What waited while it was paused goes out now (the periodic job, or the tasks below).
    waiting = WebhookDelivery.objects.filter(subscription=subscription, state=WebhookDelivery.State.PENDING)
    waiting.update(next_attempt_at=now)
    ids = list(waiting.values_list("pk", flat=True)[:1000])
    audit.record(actor, "webhooks.subscription.resumed", subscription, waiting=len(ids))
    transaction.on_commit(lambda: delivery.queue(subscription.workspace_id, ids))


def _pause(actor: Actor, subscription: WebhookSubscription) -> None:
    subscription.active, subscription.paused_at = False, timezone.now()
    subscription.paused_reason = f"Paused by {actor.label}."
    subscription.save()
    audit.record(actor, "webhooks.subscription.paused", subscription, reason="manual")


def delete_subscription(actor: Actor, subscription: WebhookSubscription) -> None:
    require(actor, WEBHOOKS_MANAGE, subscription)
    with transaction.atomic():
        audit.record(actor, "webhooks.subscription.deleted", subscription, host=_host(subscription.url))
        subscription.delete()


# --- deliveries -------------------------------------------------------------------------------------------------


def send_test_event(actor: Actor, subscription: WebhookSubscription) -> WebhookDelivery:
    """A "webhooks.test" event to this subscription only (paused or not): one attempt, no retries, and it does
    not count towards pausing."""
    require(actor, WEBHOOKS_MANAGE, subscription)
    now = timezone.now()
    event_id = uuid.uuid4()
    body = body_of(event_id=event_id, event_type=TEST_EVENT, created_at=now, workspace=actor.workspace,
                   data={"webhook_id": subscription.pk, "message": "A test event from OORG: your endpoint works."})
    with transaction.atomic():
        test = WebhookDelivery.objects.create(workspace=actor.workspace, subscription=subscription,
                                              event_id=event_id, event_type=TEST_EVENT, body=body, is_test=True,
                                              next_attempt_at=now)
        audit.record(actor, "webhooks.subscription.test_sent", subscription, event_id=str(event_id))
    transaction.on_commit(lambda: delivery.queue(test.workspace_id, [test.pk]))
    return test


def resend_delivery(actor: Actor, subscription: WebhookSubscription, sent: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again now, with the same event id (a receiver that kept it ignores it), as a new series of
    attempts (another 24 hours of retries)."""
    require(actor, WEBHOOKS_MANAGE, subscription)
    now = timezone.now()
    if sent.state == WebhookDelivery.State.PENDING and sent.claimed_until and sent.claimed_until > now:
        raise Conflict("This delivery is being sent right now; look again in a moment.", field="delivery")
    if not (subscription.active or sent.is_test):
        raise Conflict("This webhook is paused: resume it first, and waiting deliveries go out by themselves.",
                       field="active")
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=sent.pk).update(
            state=WebhookDelivery.State.PENDING, next_attempt_at=now, first_attempt_at=None, completed_at=None)
        audit.record(actor, "webhooks.delivery.resent", subscription, delivery_id=sent.pk,
                     event_id=str(sent.event_id), event_type=sent.event_type)
    transaction.on_commit(lambda: delivery.queue(sent.workspace_id, [sent.pk]))
    sent.refresh_from_db()
    return sent


def pretty_body(row: WebhookDelivery) -> str:
    try:
        return json.dumps(json.loads(row.body), indent=2, ensure_ascii=False)
    except ValueError:
        return row.body

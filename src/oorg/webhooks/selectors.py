"""Reads of the webhooks area: everything here needs webhooks.manage; another workspace's ids are not found."""
from __future__ import annotations

from oorg.core.errors import NotFound
from oorg.core.permissions import Actor, require

from .models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from .permissions import WEBHOOKS_MANAGE


def subscriptions_visible_to(actor: Actor):
    require(actor, WEBHOOKS_MANAGE)
    return WebhookSubscription.objects.order_by("-created_at", "-pk")


def get_subscription(actor: Actor, webhook_id: int) -> WebhookSubscription:
    subscription = subscriptions_visible_to(actor).filter(pk=webhook_id).first()
    if subscription is None:
        raise NotFound("No such webhook in this workspace.")
    return subscription


def deliveries_of(actor: Actor, subscription: WebhookSubscription):
    require(actor, WEBHOOKS_MANAGE, subscription)
    return WebhookDelivery.objects.filter(subscription=subscription).order_by("-created_at", "-pk")


def get_delivery(actor: Actor, subscription: WebhookSubscription, delivery_id: int) -> WebhookDelivery:
    found = deliveries_of(actor, subscription).filter(pk=delivery_id).first()
    if found is None:
        raise NotFound("No such delivery of this webhook.")
    return found


def attempts_by_delivery(deliveries) -> dict[int, list[WebhookAttempt]]:
    """The attempts of a page of deliveries, oldest first, in one query."""
    found: dict[int, list[WebhookAttempt]] = {d.pk: [] for d in deliveries}
    for row in WebhookAttempt.objects.filter(delivery_id__in=list(found)).order_by("delivery_id", "number", "pk"):
        found[row.delivery_id].append(row)
    return found

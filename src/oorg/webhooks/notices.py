"""The area's event type (a webhook paused after a day of failures) and who is told: every member who may manage
webhooks. A pause someone chose themselves tells nobody."""
from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from ninja import Schema

from oorg.core import events
from oorg.core.models import Membership, Role, Workspace
from oorg.core.permissions import ROLES
from oorg.core.tenancy import workspace_scope

from .permissions import WEBHOOKS_MANAGE

PAUSED = "webhooks.subscription.paused"
PAUSED_KIND = "webhooks.subscription_paused"


class SubscriptionPausedData(Schema):
    id: int
    url: str
    description: str
    reason: str  # "failing": 24 hours of failed deliveries; "manual": someone paused it
    failing_since: datetime | None = None


def paused_data(subscription, data: dict) -> dict:
    return {"id": subscription.pk, "url": subscription.url, "description": subscription.description,
            "reason": data.get("reason", "manual"), "failing_since": subscription.failing_since}


def managers_of(workspace_id: int) -> list[int]:
    """The users of a workspace whose role holds webhooks.manage (built-in or custom roles)."""
    with workspace_scope(workspace_id):
        keys = {key for key, perms in ROLES.items() if WEBHOOKS_MANAGE in perms}
        keys |= {key for key, perms in Role.objects.filter(is_builtin=False).values_list("key", "permissions")
                 if WEBHOOKS_MANAGE in (perms or [])}
        return list(Membership.objects.filter(is_active=True, role__in=keys).order_by("pk")
                    .values_list("user_id", flat=True))


def notify_paused(event) -> list[events.Notice]:
    if event.data.get("reason") != "failing" or event.workspace_id is None:
        return []
    workspace = Workspace.objects.get(pk=event.workspace_id)
    what = event.data.get("description") or event.data.get("url", "")
    url = reverse("webhooks:detail", kwargs={"workspace_slug": workspace.slug, "webhook_id": event.data["id"]})
    return [events.Notice(user_id=user_id, kind=PAUSED_KIND, title=f"Webhook paused: {what}",
                          body="Every delivery to it failed for 24 hours, so no more are sent. Fix the endpoint, "
                               "then resume the webhook; deliveries still waiting go out again.",
                          url=url)
            for user_id in managers_of(event.workspace_id)]


def register() -> None:
    events.register_types([
        events.EventType(PAUSED, "A webhook endpoint was paused (after 24 hours of failed deliveries, or by hand).",
                         payload=SubscriptionPausedData, build=paused_data, notify=notify_paused),
    ], group="Webhooks")
    events.register_kinds([
        events.Kind(PAUSED_KIND, "A webhook was paused after failing for a day",
                    description="Sent to everyone who manages webhooks when an endpoint keeps failing."),
    ], group="Webhooks")

"""The webhooks API (webhooks.manage): subscriptions, their delivery log, a test event, resending one delivery,
and the event types one can subscribe to."""
from ninja import Query, Router, Status

from oorg.core import events as core_events
from oorg.core.api import Page, list_of, paginate
from oorg.core.permissions import require
from oorg.core.schemas import Id

from . import selectors, services
from .permissions import WEBHOOKS_MANAGE
from .schemas import (
    DeliveryOut,
    EventTypeOut,
    WebhookCreatedOut,
    WebhookIn,
    WebhookOut,
    WebhookPatch,
    WebhookPatchedOut,
)

router = Router(tags=["webhooks"])


def delivery_out(row, attempts) -> dict:
    return {"id": row.pk, "event_id": row.event_id, "event_type": row.event_type, "is_test": row.is_test,
            "state": row.state, "attempts": row.attempts, "created_at": row.created_at,
            "next_attempt_at": row.next_attempt_at, "completed_at": row.completed_at, "body": row.body,
            "attempt_log": attempts}


def _one_delivery(actor, subscription, delivery_id: int) -> dict:
    row = selectors.get_delivery(actor, subscription, delivery_id)
    return delivery_out(row, selectors.attempts_by_delivery([row])[row.pk])


@router.get("/webhooks/event-types", response=list[EventTypeOut], by_alias=True,
            summary="The event types a webhook can subscribe to, with the JSON schema of each payload")
def event_types(request):
    require(request.actor, WEBHOOKS_MANAGE)
    return [{"name": t.name, "description": t.description, "group": t.group,
             "schema": t.payload.model_json_schema() if t.payload is not None else None}
            for t in core_events.webhook_types()]


@router.get("/webhooks", response=list_of(WebhookOut), summary="The workspace's webhooks")
def list_webhooks(request, page: Query[Page]):
    return paginate(selectors.subscriptions_visible_to(request.actor), page)


@router.post("/webhooks", response={201: WebhookCreatedOut},
             summary="Create a webhook; the answer holds its signing secret, shown this once")
def create_webhook(request, payload: WebhookIn):
    subscription, secret = services.create_subscription(request.actor, **payload.model_dump())
    return Status(201, {"id": subscription.pk, "url": subscription.url, "description": subscription.description,
                        "events": subscription.events, "active": subscription.active, "secret": secret})


@router.get("/webhooks/{webhook_id}", response=WebhookOut, summary="One webhook (never its secret)")
def get_webhook(request, webhook_id: Id):
    return selectors.get_subscription(request.actor, webhook_id)


@router.patch("/webhooks/{webhook_id}", response=WebhookPatchedOut,
              summary="Change a webhook; active pauses or resumes it; rotate_secret answers a new secret once")
def patch_webhook(request, webhook_id: Id, payload: WebhookPatch):
    subscription = selectors.get_subscription(request.actor, webhook_id)
    subscription, secret = services.update_subscription(request.actor, subscription,
                                                        **payload.model_dump(exclude_unset=True))
    out = WebhookOut.from_orm(subscription).model_dump()
    return {**out, "secret": secret}


@router.delete("/webhooks/{webhook_id}", response={204: None}, summary="Delete a webhook and its delivery log")
def delete_webhook(request, webhook_id: Id):
    services.delete_subscription(request.actor, selectors.get_subscription(request.actor, webhook_id))
    return Status(204, None)


@router.get("/webhooks/{webhook_id}/deliveries", response=list_of(DeliveryOut),
            summary="A webhook's deliveries, newest first, each with its attempts")
def list_deliveries(request, webhook_id: Id, page: Query[Page]):
    subscription = selectors.get_subscription(request.actor, webhook_id)
    data = paginate(selectors.deliveries_of(request.actor, subscription), page)
    attempts = selectors.attempts_by_delivery(data["items"])
    data["items"] = [delivery_out(row, attempts[row.pk]) for row in data["items"]]
    return data


@router.post("/webhooks/{webhook_id}/test", response={202: DeliveryOut},
             summary="Send a test event (type webhooks.test) to this webhook")
def send_test(request, webhook_id: Id):
    subscription = selectors.get_subscription(request.actor, webhook_id)
    test = services.send_test_event(request.actor, subscription)  # queued (eager: sent) once it commits
    return Status(202, _one_delivery(request.actor, subscription, test.pk))


@router.post("/webhooks/{webhook_id}/deliveries/{delivery_id}/resend", response={202: DeliveryOut},
             summary="Send one delivery again now (the same event id)")
def resend(request, webhook_id: Id, delivery_id: Id):
    subscription = selectors.get_subscription(request.actor, webhook_id)
    sent = selectors.get_delivery(request.actor, subscription, delivery_id)
    services.resend_delivery(request.actor, subscription, sent)
    return Status(202, _one_delivery(request.actor, subscription, delivery_id))

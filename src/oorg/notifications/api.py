"""The notifications API: the token's person, seen from the token's workspace (its notifications there and the
person's account notices), and their preferences (the same in every workspace)."""
from django.conf import settings
from ninja import Query, Router

from oorg.core.api import list_of, paginate
from oorg.core.schemas import Id

from . import selectors, services
from .schemas import CountOut, NotificationFilter, NotificationOut, PreferencesIn, PreferencesOut

router = Router(tags=["notifications"])


def notification_out(n) -> dict:
    actor = {"id": n.actor.pk, "name": n.actor.full_name or n.actor.email} if n.actor_id else None
    url = settings.BASE_URL + n.url if n.url.startswith("/") and not n.url.startswith("//") else None
    return {"id": n.pk, "kind": n.kind, "title": n.title, "body": n.body, "url": url, "created_at": n.created_at,
            "read_at": n.read_at, "actor": actor}


@router.get("/notifications", response=list_of(NotificationOut), summary="My notifications, newest first")
def notification_list(request, filters: Query[NotificationFilter]):
    data = paginate(selectors.notifications_for(request.actor, unread=filters.unread), filters)
    data["items"] = [notification_out(n) for n in data["items"]]
    return data


@router.get("/notifications/unread-count", response=CountOut, summary="How many of my notifications are unread")
def unread_count(request):
    return {"count": selectors.unread_count(request.actor)}


@router.post("/notifications/read-all", response=CountOut, summary="Mark all my notifications read; how many were")
def read_all(request):
    return {"count": services.mark_all_read(request.actor)}


@router.post("/notifications/{notification_id}/read", response=NotificationOut, summary="Mark a notification read")
def read(request, notification_id: Id):
    notification = selectors.get_notification(request.actor, notification_id)
    return notification_out(services.mark_read(request.actor, notification))


@router.post("/notifications/{notification_id}/unread", response=NotificationOut,
             summary="Mark a notification unread")
def unread(request, notification_id: Id):
    notification = selectors.get_notification(request.actor, notification_id)
    return notification_out(services.mark_unread(request.actor, notification))


@router.get("/notification-preferences", response=PreferencesOut,
            summary="How I am told of each kind of notification, and my quiet hours")
def get_preferences(request):
    return selectors.preference_state(request.actor.user)


@router.put("/notification-preferences", response=PreferencesOut,
            summary="Change some of my notification choices (422 for a security kind turned off)")
def put_preferences(request, payload: PreferencesIn):
    data = payload.model_dump(exclude_unset=True)
    quiet = {k: v for k, v in (data.get("quiet_hours") or {}).items() if v is not None}
    prefs = services.update_preferences(request.actor.user, kinds=data.get("kinds"), quiet_hours=quiet or None)
    return selectors.preference_state(request.actor.user, prefs)

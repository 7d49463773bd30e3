"""`notification_count` for every page of a workspace: the bell's unread count, read (one indexed query) only
when a template shows it."""
from django.conf import settings
from django.utils.functional import SimpleLazyObject

POLL_SECONDS = 20  # settings.NOTIFICATIONS_POLL_SECONDS overrides (the browser tests wait less)


def notifications(request):
    actor = getattr(request, "actor", None)
    if actor is None or getattr(actor, "user", None) is None:
        return {}
    from .selectors import unread_count

    return {"notification_count": SimpleLazyObject(lambda: unread_count(actor)),
            "notification_poll_seconds": getattr(settings, "NOTIFICATIONS_POLL_SECONDS", POLL_SECONDS)}

"""Reads of one person's notifications as seen from one workspace: theirs of that workspace plus their account
notices (no workspace), never another workspace's. Another person's notification is "not found"."""
from __future__ import annotations

from django.db.models import Q, QuerySet

from oorg.core.errors import NotFound

from . import preferences
from .models import Notification, NotificationPreferences

BELL_SIZE = 8


def _seen_by(user_id: int, workspace_id: int | None) -> Q:
    here = Q(workspace__isnull=True) if workspace_id is None else Q(workspace_id=workspace_id) | Q(
        workspace__isnull=True)
    return Q(user_id=user_id, in_app=True) & here


def notifications_for(actor, *, unread: bool | None = None) -> QuerySet:
    """The actor's notifications in their workspace, newest first (ordered for keyset pages)."""
    rows = Notification.objects.filter(_seen_by(actor.user.pk, actor.workspace.pk))
    if unread is True:
        rows = rows.filter(read_at__isnull=True)
    elif unread is False:
        rows = rows.filter(read_at__isnull=False)
    return rows.select_related("actor").order_by("-created_at", "-id")


def latest_for(actor, *, size: int = BELL_SIZE) -> list[Notification]:
    """The bell's dropdown: the newest few."""
    return list(notifications_for(actor)[:size])


def get_notification(actor, notification_id: int) -> Notification:
    found = notifications_for(actor).filter(pk=notification_id).first()
    if found is None:
        raise NotFound("No such notification.")
    return found


def unread_q(user_id: int, workspace_id: int) -> Q:
    """Unread and shown, of (person, workspace) or (person, no workspace): written as two whole conditions, so
    each is one range of the partial index notification_unread (a shared "user AND (ws OR NULL)" is read by
    the person's index instead, then filtered)."""
    unread = Q(read_at__isnull=True, in_app=True)
    return (Q(user_id=user_id, workspace_id=workspace_id) & unread) | (Q(user_id=user_id, workspace__isnull=True)
                                                                       & unread)


def unread_count(actor) -> int:
    """One query: two ranges of the partial index notification_unread."""
    return Notification.objects.filter(unread_q(actor.user.pk, actor.workspace.pk)).count()


def preferences_of(user) -> NotificationPreferences:
    """The person's stored preferences, or the defaults (an unsaved row)."""
    return NotificationPreferences.objects.filter(user_id=user.pk).first() or NotificationPreferences(user=user)


def preference_state(user, prefs: NotificationPreferences | None = None) -> dict:
    """Every kind with the person's choice, their quiet hours and their time zone (the API's GET shape)."""
    prefs = prefs if prefs is not None else preferences_of(user)
    rows = []
    for kind in preferences.kinds():
        in_app, email = preferences.settings_for(prefs, kind)
        rows.append({"kind": kind.name, "label": kind.label, "group": kind.group, "description": kind.description,
                     "in_app": in_app, "email": str(email), "locked": kind.security})
    quiet = preferences.quiet_hours_of(prefs)
    return {"kinds": rows,
            "quiet_hours": {"enabled": quiet.enabled, "start": quiet.start.strftime("%H:%M"),
                            "end": quiet.end.strftime("%H:%M")},
            "time_zone": user.time_zone}

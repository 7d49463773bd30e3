"""The notifications consumer: events in, notifications out (registered in AppConfig.ready()).

For each event whose type has a `notify` rule, the rule names who is told (`Notice`s). The batch is then
written in bulk: the recipients with their preferences in one query, their memberships in one query per
workspace of the batch (people who left a workspace hear nothing more of it), and one bulk insert that skips
what exists already (unique per event and person), so an event handed over again tells no one twice.
Emails due at once are queued after commit; the rest wait for the periodic job (emails.py).
"""
from __future__ import annotations

import logging
from collections import defaultdict
from contextlib import nullcontext

from django.db import transaction
from django.utils import timezone

from oorg.accounts.models import User
from oorg.core import events
from oorg.core.models import Event, Membership
from oorg.core.tenancy import workspace_scope

from . import preferences, scheduling
from .models import Notification

log = logging.getLogger(__name__)
CHUNK = 5000  # ids per IN list (PostgreSQL takes at most 65,535 parameters)
INSERT_BATCH = 500


def _chunks(ids):
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _notices(batch: list[Event]) -> list[tuple[Event, events.Notice]]:
    found = []
    for event in batch:
        event_type = events.TYPES.get(event.type)
        if event_type is None or event_type.notify is None:
            continue
        with workspace_scope(event.workspace_id) if event.workspace_id else nullcontext():
            notices = list(event_type.notify(event) or ())
        for notice in notices:
            if notice.kind not in events.KINDS:
                log.warning("event %s (%s): notice of unknown kind %r skipped", event.pk, event.type, notice.kind)
                continue
            found.append((event, notice))
    return found


def _recipients(user_ids) -> dict[int, User]:
    """Active recipients with their preferences (one query per CHUNK people)."""
    found = {}
    for chunk in _chunks(user_ids):
        users = User.objects.filter(pk__in=chunk, is_active=True).select_related("notification_preferences")
        found.update((u.pk, u) for u in users)
    return found


def _members(pairs) -> dict[int, set[int]]:
    """{workspace id: the recipients still active members of it}."""
    wanted: dict[int, set[int]] = defaultdict(set)
    for event, notice in pairs:
        if event.workspace_id is not None:
            wanted[event.workspace_id].add(notice.user_id)
    found: dict[int, set[int]] = {}
    for workspace_id, user_ids in wanted.items():
        with workspace_scope(workspace_id):
            found[workspace_id] = {uid for chunk in _chunks(user_ids) for uid in Membership.objects.filter(
                user_id__in=chunk, is_active=True).values_list("user_id", flat=True)}
    return found


def _existing_users(user_ids) -> set[int]:
    return {pk for chunk in _chunks(user_ids) for pk in User.objects.filter(pk__in=chunk).values_list("pk", flat=True)}


def _preferences_of(user: User):
    try:
        return user.notification_preferences
    except User.notification_preferences.RelatedObjectDoesNotExist:
        return None


def build(batch: list[Event], *, now=None) -> list[Notification]:
    """The notifications a batch of events makes (unsaved)."""
    pairs = _notices(batch)
    if not pairs:
        return []
    now = now or timezone.now()
    recipients = _recipients({notice.user_id for _event, notice in pairs})
    members = _members(pairs)
    actors = _existing_users({e.actor_user_id for e, _n in pairs if e.actor_user_id is not None})
    rows, seen, zones = [], set(), {}
    for event, notice in pairs:
        user = recipients.get(notice.user_id)
        if user is None or (event.pk, user.pk) in seen:
            continue
        if event.workspace_id is not None and user.pk not in members[event.workspace_id]:
            continue
        seen.add((event.pk, user.pk))
        kind = events.KINDS[notice.kind]
        prefs = _preferences_of(user)
        in_app, mode = preferences.settings_for(prefs, kind)
        tz = zones.get(user.time_zone) or zones.setdefault(user.time_zone, scheduling.zone(user.time_zone))
        due = scheduling.email_due_at(mode, now=now, tz=tz, quiet=preferences.quiet_hours_of(prefs),
                                      security=kind.security)
        if not in_app and due is None:
            continue
        rows.append(Notification(
            user_id=user.pk, workspace_id=event.workspace_id, event_id=event.pk, kind=kind.name,
            title=notice.title[:200], body=notice.body, url=notice.url[:500],
            actor_id=event.actor_user_id if event.actor_user_id in actors else None, created_at=event.created_at,
            in_app=in_app, email_mode=mode if due is not None else "", email_due_at=due))
    return rows


def handle(batch: list[Event]) -> None:
    """The consumer: idempotent per event id (a notification is unique per event and person)."""
    now = timezone.now()
    rows = build(batch, now=now)
    if not rows:
        return
    with transaction.atomic():
        Notification.objects.bulk_create(rows, batch_size=INSERT_BATCH, ignore_conflicts=True)
        due_now = sorted({r.user_id for r in rows if r.email_due_at is not None and r.email_due_at <= now})
        if due_now:
            transaction.on_commit(lambda: _queue_emails(due_now))


def _queue_emails(user_ids: list[int]) -> None:
    from .tasks import send_due_emails

    try:
        send_due_emails.delay(user_ids=user_ids)
    except Exception:  # the broker is down: the periodic job sends them within a minute
        from django.conf import settings

        if settings.CELERY_TASK_ALWAYS_EAGER:
            raise
        log.exception("could not queue the emails of %d people; the periodic job will", len(user_ids))

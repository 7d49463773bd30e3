"""Every change to notifications and preferences: used by the API, the pages and the unsubscribe link alike."""
from __future__ import annotations

import datetime as dt
import re
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from oorg.core import events
from oorg.core.errors import DomainError, ValidationFailed, describe_choices, refuse_all

from . import preferences
from .models import EmailMode, Notification, NotificationPreferences
from .selectors import notifications_for, preferences_of

# Retention class "notifications": a read notification 90 days after it was read, an unread one after a year.
KEEP_READ = timedelta(days=90)
KEEP_UNREAD = timedelta(days=365)
PURGE_BATCH = 1000
HH_MM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


# --- read and unread ----------------------------------------------------------------------------------------


def mark_read(actor, notification: Notification) -> Notification:
    """Mark one of the actor's notifications read (reading it again keeps the first time)."""
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def mark_unread(actor, notification: Notification) -> Notification:
    if notification.read_at is not None:
        Notification.objects.filter(pk=notification.pk).update(read_at=None)
        notification.read_at = None
    return notification


def mark_all_read(actor) -> int:
    """Every unread notification the actor sees in this workspace (its own and account notices); how many."""
    return notifications_for(actor, unread=True).order_by().update(read_at=timezone.now())


# --- preferences -------------------------------------------------------------------------------------------


def _time(value, field: str) -> dt.time:
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    match = HH_MM.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValidationFailed("Enter a time as HH:MM (24-hour clock), e.g. 22:00.", field=field, code="invalid_time")
    return dt.time(int(match[1]), int(match[2]))


def _check_kinds(changes: list[dict], problems: list[DomainError]) -> dict[str, dict]:
    """The valid changes by kind; each refusal is added to `problems`, named kinds[i].<key>."""
    valid, seen = {}, set()
    for i, change in enumerate(changes):
        name = change.get("kind")
        kind = events.KINDS.get(name) if isinstance(name, str) else None
        if kind is None:
            problems.append(ValidationFailed(f"There is no notification kind {name!r}.", field=f"kinds[{i}].kind",
                                             code="unknown_kind"))
            continue
        if name in seen:
            problems.append(ValidationFailed(f"{kind.label} is listed twice.", field=f"kinds[{i}].kind",
                                             code="duplicate"))
            continue
        seen.add(name)
        in_app, email, ok = change.get("in_app"), change.get("email"), True
        if in_app is not None and not isinstance(in_app, bool):
            problems.append(ValidationFailed("in_app must be true or false.", field=f"kinds[{i}].in_app"))
            ok = False
        if email is not None and email not in preferences.EMAIL_MODES:
            problems.append(ValidationFailed(f"Choose one of: {describe_choices(EmailMode)}.",
                                             field=f"kinds[{i}].email", code="invalid_choice"))
            ok = False
        if kind.security and in_app is False:
            problems.append(ValidationFailed(preferences.LOCKED, field=f"kinds[{i}].in_app", code="locked"))
            ok = False
        if kind.security and email not in (None, EmailMode.IMMEDIATELY):
            problems.append(ValidationFailed(preferences.LOCKED, field=f"kinds[{i}].email", code="locked"))
            ok = False
        if ok and not kind.security:
            valid[name] = {k: v for k, v in (("in_app", in_app), ("email", email)) if v is not None}
    return valid


def _check_quiet_hours(prefs: NotificationPreferences, quiet: dict, problems: list[DomainError]) -> dict:
    found = {}
    if "enabled" in quiet and quiet["enabled"] is not None:
        if isinstance(quiet["enabled"], bool):
            found["quiet_hours_enabled"] = quiet["enabled"]
        else:
            problems.append(ValidationFailed("enabled must be true or false.", field="quiet_hours.enabled"))
    for key in ("start", "end"):
        if quiet.get(key) is not None:
            try:
                found[f"quiet_{key}"] = _time(quiet[key], f"quiet_hours.{key}")
            except ValidationFailed as exc:
                problems.append(exc)
    enabled = found.get("quiet_hours_enabled", prefs.quiet_hours_enabled)
    start, end = found.get("quiet_start", prefs.quiet_start), found.get("quiet_end", prefs.quiet_end)
    bad_times = any(p.field in ("quiet_hours.start", "quiet_hours.end") for p in problems)
    if enabled and not bad_times and start == end:
        problems.append(ValidationFailed("Quiet hours must end at another time than they start.",
                                         field="quiet_hours.end", code="empty_window"))
    return found


def check_preferences(user, *, kinds: list[dict] | None = None, quiet_hours: dict | None = None,
                      prefs: NotificationPreferences | None = None) -> tuple[list[DomainError], dict, dict]:
    """Every problem of a change of preferences, with the valid part of it: (problems, kinds, quiet fields)."""
    prefs = prefs if prefs is not None else preferences_of(user)
    problems: list[DomainError] = []
    kind_changes = _check_kinds(kinds or [], problems)
    quiet = _check_quiet_hours(prefs, quiet_hours or {}, problems)
    return problems, kind_changes, quiet


def update_preferences(user, *, kinds: list[dict] | None = None,
                       quiet_hours: dict | None = None) -> NotificationPreferences:
    """Change some of the person's choices: kinds ({"kind", "in_app"?, "email"?} each) and quiet hours
    ({"enabled"?, "start"?, "end"?}, "HH:MM" in their time zone). Refuses all problems at once (422 naming each
    field: kinds[i].kind, kinds[i].email, quiet_hours.start, ...); a security kind cannot be turned off."""
    with transaction.atomic():
        prefs = (NotificationPreferences.objects.select_for_update().filter(user_id=user.pk).first()
                 or NotificationPreferences(user=user))
        problems, kind_changes, quiet = check_preferences(user, kinds=kinds, quiet_hours=quiet_hours, prefs=prefs)
        refuse_all(problems)
        stored = dict(prefs.kinds)
        for name, change in kind_changes.items():
            kind = events.KINDS[name]
            merged = {**(stored.get(name) or {}), **change}
            # Keep only what differs from the defaults, so a changed default reaches everyone who never chose.
            if merged.get("in_app", True) is True:
                merged.pop("in_app", None)
            if merged.get("email") == preferences.default_email(kind):
                merged.pop("email", None)
            if merged:
                stored[name] = merged
            else:
                stored.pop(name, None)
        prefs.kinds = stored
        for field, value in quiet.items():
            setattr(prefs, field, value)
        prefs.save()
    return prefs


def unsubscribe(user, kind_names: list[str]) -> list[events.Kind]:
    """Turn off the email of these kinds (an unsubscribe link); security kinds are left as they are. Answers the
    kinds turned off."""
    kinds = [events.KINDS[n] for n in kind_names if n in events.KINDS and not events.KINDS[n].security]
    if kinds:
        update_preferences(user, kinds=[{"kind": k.name, "email": EmailMode.OFF} for k in kinds])
    return kinds


# --- retention ------------------------------------------------------------------------------------------------


def purge_old(now=None) -> int:
    """Delete notifications past their retention (read: 90 days after reading; unread: a year), in batches."""
    from django.db.models import Q

    now = now or timezone.now()
    old = Notification.objects.filter(Q(read_at__lt=now - KEEP_READ) | Q(created_at__lt=now - KEEP_UNREAD))
    deleted = 0
    while True:
        batch = list(old.values_list("pk", flat=True)[:PURGE_BATCH])
        if not batch:
            return deleted
        deleted += Notification.objects.filter(pk__in=batch).delete()[0]

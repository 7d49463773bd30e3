"""Notification emails: one per notification for "immediately" (and for every security notice), one digest per
person and mode for "hourly" and "daily". Sent by the periodic job `notifications.send_due_emails` (every
minute) and, for what is due at once, by a task queued when the notifications are made.

At most once: the due rows are locked (SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's IMMEDIATE
transactions serialise writers), and `emailed_at` is set in the same transaction that hands the message to
core.mail.send (an encrypted OutgoingEmail row, delivered after commit and retried by core). Two jobs, or a job
run again after a failure, never email one notification twice: a row is either emailed (committed with its
outgoing message) or still due (neither happened).

Non-security emails carry an unsubscribe link (RFC 8058 one-click as well): a signed token with the person's
id and the kinds the email is about; it needs no sign-in and turns those kinds' email off.
"""
from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from oorg.accounts.models import User
from oorg.core import events, mail
from oorg.core.errors import NotFound

from . import preferences, scheduling
from .models import EmailMode, Notification

SALT = "oorg.notifications.unsubscribe.v1"
PEOPLE_PER_BATCH = 100
MODE_NAMES = {EmailMode.HOURLY: "hourly", EmailMode.DAILY: "daily"}


# --- the unsubscribe token ---------------------------------------------------------------------------------


def unsubscribe_token(user_id: int, kinds: list[str]) -> str:
    return signing.dumps({"u": user_id, "k": sorted(set(kinds))}, salt=SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[User, list[str]]:
    """The person and kinds a token names; NotFound for a token we did not sign (or a person who is gone)."""
    bad = NotFound("This unsubscribe link is not valid. Change your email choices on the notification "
                   "preferences page instead.")
    try:
        data = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise bad from None
    user_id, kinds = (data.get("u"), data.get("k")) if isinstance(data, dict) else (None, None)
    if not isinstance(user_id, int) or not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        raise bad
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise bad
    return user, kinds


def unsubscribe_url(user_id: int, kinds: list[str]) -> str:
    return settings.BASE_URL + reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id, kinds)])


# --- sending -------------------------------------------------------------------------------------------------


def send_due(*, now=None, user_ids: list[int] | None = None) -> int:
    """Email every notification due by `now` (of these people only, when given). Answers how many emails."""
    now = now or timezone.now()
    sent = 0
    while True:
        with transaction.atomic():
            emails = _send_batch(now, user_ids)
        if emails is None:
            return sent
        sent += emails


def _send_batch(now, user_ids) -> int | None:
    due = Notification.objects.filter(emailed_at__isnull=True, email_due_at__isnull=False, email_due_at__lte=now)
    if user_ids is not None:
        due = due.filter(user_id__in=user_ids)
    people = list(due.order_by("user_id").values_list("user_id", flat=True).distinct()[:PEOPLE_PER_BATCH])
    if not people:
        return None
    rows = list(due.filter(user_id__in=people).select_for_update(skip_locked=True, of=("self",))
                .select_related("workspace").order_by("user_id", "created_at", "pk"))
    if not rows:  # another job holds them all: it sends them
        return None
    users = {u.pk: u for u in User.objects.filter(pk__in=people).select_related("notification_preferences")}
    singles, digests, skipped = [], defaultdict(list), []
    for row in rows:
        user, kind = users.get(row.user_id), events.KINDS.get(row.kind)
        if user is None or not user.is_active or kind is None:
            skipped.append(row.pk)
        elif kind.security:
            singles.append((user, row))
        else:
            _in_app, mode = preferences.settings_for(_preferences_of(user), kind)
            if mode == EmailMode.OFF:  # unsubscribed since it was made
                skipped.append(row.pk)
            elif row.email_mode == EmailMode.IMMEDIATELY or row.email_mode not in MODE_NAMES:
                singles.append((user, row))
            elif row.read_at is not None:  # read in the app before its digest went out
                skipped.append(row.pk)
            else:
                digests[(user.pk, row.email_mode)].append(row)
    for user, row in singles:
        _send(user, [row], mode=None, security=events.KINDS[row.kind].security)
    for (user_id, mode), items in digests.items():
        _send(users[user_id], items, mode=mode, security=False)
    sent_ids = [row.pk for _user, row in singles] + [row.pk for items in digests.values() for row in items]
    Notification.objects.filter(pk__in=sent_ids).update(emailed_at=timezone.now())
    Notification.objects.filter(pk__in=skipped).update(email_due_at=None)
    return len(singles) + len(digests)


def _preferences_of(user: User):
    try:
        return user.notification_preferences
    except User.notification_preferences.RelatedObjectDoesNotExist:
        return None


def _absolute(url: str) -> str:
    return settings.BASE_URL + url if url.startswith("/") and not url.startswith("//") else ""


def _send(user: User, rows: list[Notification], *, mode: str | None, security: bool) -> None:
    tz = scheduling.zone(user.time_zone)
    items = [{"title": r.title, "body": r.body, "url": _absolute(r.url), "kind": events.KINDS[r.kind].label,
              "workspace": r.workspace.name if r.workspace_id else "",
              "at": timezone.localtime(r.created_at, tz).strftime("%d %b %Y, %H:%M")} for r in rows]
    slug = next((r.workspace.slug for r in rows if r.workspace_id), None)
    kinds = sorted({r.kind for r in rows})
    context = {
        "user": user, "items": items, "digest": MODE_NAMES.get(mode), "security": security,
        "time_zone": user.time_zone,
        "unsubscribe_url": None if security else unsubscribe_url(user.pk, kinds),
        "unsubscribe_what": ", ".join(events.KINDS[k].label for k in kinds),
        "preferences_url": (settings.BASE_URL + reverse("notifications:preferences", kwargs={"workspace_slug": slug})
                            if slug else None),
    }
    if mode in MODE_NAMES:
        subject = f"Your {MODE_NAMES[mode]} digest: {len(rows)} notification{'s' if len(rows) != 1 else ''}"
    else:
        subject = rows[0].title
    headers = None
    if not security:
        headers = {"List-Unsubscribe": f"<{context['unsubscribe_url']}>",
                   "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    mail.send(user.email, subject, render_to_string("notifications/email/notifications.txt", context),
              html=render_to_string("notifications/email/notifications.html", context), headers=headers)

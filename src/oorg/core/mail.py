"""Email: SMTP when OORG_SMTP_URL is set, otherwise one .eml file per message in <data dir>/outbox/.

`send()` writes the message, encrypted, into an `OutgoingEmail` row in the caller's transaction, and
after commit queues a task that carries only that row's id. So a code never sits in the broker, a
rolled-back change sends nothing, and a message whose task was lost is sent by `resend_unsent`.
"""
from __future__ import annotations

import json
import os
import uuid
from datetime import datetime, timedelta, timezone

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone as django_timezone

from .crypto import decrypt, encrypt

# A message still unsent this long after it was written lost its task (a crash, a lost broker message).
STUCK_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 12
# How long one sender may take before another may try the same message.
CLAIM = timedelta(minutes=5)
# A sent row (its content already wiped) stays this long, so a late duplicate task finds it sent.
KEEP_SENT = timedelta(days=1)


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, messages):
        outbox = settings.OUTBOX_DIR
        outbox.mkdir(parents=True, exist_ok=True)
        for message in messages:
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")  # sorts in sending order
            final = outbox / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
            partial = final.with_suffix(".part")
            partial.write_bytes(message.message().as_bytes())
            os.replace(partial, final)  # a reader never sees half a message
        return len(messages)


def send(to: str, subject: str, body: str, *, html: str | None = None, headers: dict[str, str] | None = None) -> None:
    """Queue one email (plain text, with an HTML alternative when `html` is given, and extra `headers` such as
    List-Unsubscribe); it is sent after the surrounding transaction commits."""
    from .models import OutgoingEmail
    from .tasks import send_email

    message = {"to": to, "subject": subject, "body": body}
    if html is not None:
        message["html"] = html
    if headers:
        message["headers"] = dict(headers)
    row = OutgoingEmail.objects.create(message_encrypted=encrypt(json.dumps(message)))
    transaction.on_commit(lambda: send_email.delay(email_id=row.pk))


def deliver(email_id: int) -> bool:
    """Send the stored message once: False when it was sent already, is being sent, or no longer exists.
    A failure to send raises (the task retries) and leaves the message in place."""
    from .models import OutgoingEmail

    now = django_timezone.now()
    # Claim it for a while with one conditional UPDATE: two tasks for one message send it once, and no
    # lock is held while the mail server answers (on SQLite that lock would stop every writer).
    claimed = OutgoingEmail.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now), pk=email_id, sent_at__isnull=True,
    ).update(claimed_until=now + CLAIM, attempts=F("attempts") + 1)
    if not claimed:
        return False
    row = OutgoingEmail.objects.get(pk=email_id)
    message = json.loads(decrypt(row.message_encrypted))
    try:
        # Rows written before html/headers existed hold neither: they go as plain text, as before.
        email = EmailMultiAlternatives(subject=message["subject"], body=message["body"],
                                       from_email=settings.DEFAULT_FROM_EMAIL, to=[message["to"]],
                                       headers=message.get("headers") or None)
        if message.get("html"):
            email.attach_alternative(message["html"], "text/html")
        email.send()
    except Exception:
        OutgoingEmail.objects.filter(pk=email_id).update(claimed_until=None)
        raise
    # Sent: the content goes at once; the row only says "sent" to a retried or duplicate task.
    OutgoingEmail.objects.filter(pk=email_id).update(sent_at=django_timezone.now(), message_encrypted="",
                                                     claimed_until=None)
    return True


def resend_unsent() -> int:
    """Queue again the messages whose task never ran (or gave up); drop sent rows past KEEP_SENT."""
    from .models import OutgoingEmail
    from .tasks import send_email

    now = django_timezone.now()
    OutgoingEmail.objects.filter(sent_at__lt=now - KEEP_SENT).delete()
    stuck = OutgoingEmail.objects.filter(sent_at__isnull=True, created_at__lt=now - STUCK_AFTER,
                                         attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True)
    ids = list(stuck[:1000])
    for email_id in ids:
        send_email.delay(email_id=email_id)
    return len(ids)

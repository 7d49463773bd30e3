"""Email: SMTP when OORG_SMTP_URL is set, otherwise one .eml file per message in <data dir>/outbox/."""
from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend


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


def send(to: str, subject: str, body: str) -> None:
    """Queue one plain-text email; it is sent after the surrounding transaction commits."""
    from django.db import transaction

    from .tasks import send_email

    transaction.on_commit(lambda: send_email.delay(to=to, subject=subject, body=body))


def deliver(to: str, subject: str, body: str) -> None:
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]).send()

"""Email jobs racing on real threads (each with its own database connection); see tests/accounts/races.py for why
SQLite runs this in a subprocess on a file database set up as in production."""
from __future__ import annotations

import json
import sys

from tests.accounts.races import _parallel


def four_email_jobs_at_once() -> dict:
    """Twenty notifications due (ten emailed one by one, ten in one daily digest); four jobs run at once."""
    import uuid
    from pathlib import Path

    from django.conf import settings
    from django.utils import timezone

    from oorg.accounts.models import User
    from oorg.core import events
    from oorg.core.models import OutgoingEmail
    from oorg.notifications.emails import send_due
    from oorg.notifications.models import Notification

    events.register_kinds([events.Kind("race.ping", "Race ping", default_email="immediately")])
    user = User.objects.create_user("racer@example.test", "Sturdy-Passphrase-42", full_name="Racer")
    now = timezone.now()
    Notification.objects.bulk_create(
        [Notification(user=user, event_id=uuid.uuid4(), kind="race.ping", title=f"Ping {i}", email_mode="immediately",
                      email_due_at=now) for i in range(10)]
        + [Notification(user=user, event_id=uuid.uuid4(), kind="race.ping", title=f"Digest {i}", email_mode="daily",
                        email_due_at=now) for i in range(10)])

    answers, errors = _parallel(4, lambda n: [send_due()])
    import email
    import re
    from collections import Counter

    files = sorted(Path(settings.OUTBOX_DIR).glob("*.eml")) if Path(settings.OUTBOX_DIR).exists() else []
    titles = Counter()
    for path in files:
        message = email.message_from_bytes(path.read_bytes())
        text = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True)
        titles.update(re.findall(r"^((?:Ping|Digest) \d)$", text.decode(), re.MULTILINE))
    return {"answers": answers, "errors": errors, "outgoing": OutgoingEmail.objects.count(),
            "emailed": Notification.objects.filter(emailed_at__isnull=False).count(), "files": len(files),
            "times_sent": dict(titles)}


if __name__ == "__main__":
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    print(json.dumps(globals()[sys.argv[1]]()))

"""Notification jobs. A person's notifications span their workspaces (and account notices belong to none), so
these are plain tasks, like account mail (core.send_email): they read by person and time, never by workspace."""
from __future__ import annotations

from oorg.celery import app


@app.task(name="notifications.send_due_emails", acks_late=True)
def send_due_emails(user_ids: list[int] | None = None) -> int:
    # Every minute for everyone (CELERY_BEAT_SCHEDULE), and at once for those with an email due now.
    from .emails import send_due

    return send_due(user_ids=user_ids)


@app.task(name="notifications.purge_old_notifications")
def purge_old_notifications() -> int:
    from .services import purge_old

    return purge_old()

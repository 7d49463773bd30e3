"""Webhook tasks: one attempt of one delivery (in its workspace's scope), and the periodic sweep."""
from oorg.celery import app
from oorg.core.tasks import workspace_task


@workspace_task("webhooks.send_delivery", acks_late=True)
def send_delivery(workspace_id: int, delivery_id: int) -> bool:
    # Carries only the id: the body (personal data) stays in the database, never in the broker.
    from .delivery import attempt

    return attempt(delivery_id)


@app.task(name="webhooks.send_due")
def send_due() -> int:
    # Every workspace's due deliveries, read by time alone (sweep.py), hence a plain task.
    from .sweep import purge_old
    from .sweep import send_due as queue_due

    queued = queue_due()
    purge_old()
    return queued

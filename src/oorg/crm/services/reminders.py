"""Activity reminders: every minute (CELERY_BEAT_SCHEDULE "crm-send-due-reminders"), each activity whose
`remind_at` has come, not done and not yet reminded, is claimed and its owner told (event crm.activity.due,
whose notify gives them a notice linking to the record).

Claiming is one conditional UPDATE (`reminded_at` set only where it is still empty), so two workers running the
job at once send each reminder once: the one whose UPDATE changed the row sends it. The due reminders are found
through the partial index crm_reminders_due, inside each workspace's scope (CRM code does not read across
workspaces).
"""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from oorg.celery import app
from oorg.core import audit
from oorg.core.models import Workspace
from oorg.core.tenancy import workspace_scope

from ..models import Activity

BATCH = 500


def _send(workspace_id: int, now) -> int:
    sent = 0
    due = Activity.objects.filter(remind_at__lte=now, reminded_at__isnull=True, done_at__isnull=True)
    ids = list(due.order_by("remind_at", "id").values_list("pk", flat=True)[:BATCH])
    for activity_id in ids:
        with transaction.atomic():
            claimed = Activity.objects.filter(pk=activity_id, reminded_at__isnull=True,
                                              done_at__isnull=True).update(reminded_at=now)
            if not claimed:
                continue  # another worker took it, or it was done meanwhile
            activity = Activity.objects.select_related("lead", "contact", "company", "deal",
                                                       "owner").get(pk=activity_id)
            record = activity.record
            audit.record(None, "crm.activity.due", activity, workspace=workspace_id,
                         target_label=activity.subject, record_owner_id=record.owner_id,
                         record_type=type(record).__name__.lower(), record_id=record.pk)
            sent += 1
    return sent


def send_due_reminders(now=None) -> int:
    """Send every reminder that is due; answers how many went out."""
    now = now or timezone.now()
    sent = 0
    for workspace_id in Workspace.objects.values_list("pk", flat=True).order_by("pk"):
        with workspace_scope(workspace_id):
            sent += _send(workspace_id, now)
    return sent


@app.task(name="crm.send_due_reminders")
def send_due_reminders_task() -> int:
    return send_due_reminders()

"""Reminders: when remind_at comes, the owner is told once, with a link to the record."""
import datetime as dt

import pytest
from django.utils import timezone

from oorg.core.tenancy import workspace_scope
from oorg.crm.events.kinds import ACTIVITY_DUE
from oorg.crm.models import Activity
from oorg.crm.services.reminders import send_due_reminders
from oorg.notifications.models import Notification

from ..conftest import _run_pending_on_commit
from .activities_fixtures import make_record

pytestmark = pytest.mark.django_db


def send(**kwargs) -> int:
    sent = send_due_reminders(**kwargs)
    _run_pending_on_commit()  # the events are handed to notifications after commit
    return sent


def _activity(crm, subject="Call Lena", owner="member", **fields):
    lead = make_record(crm, "lead", "member")
    with workspace_scope(crm["workspace"]):
        return Activity.objects.create(workspace=crm["workspace"], lead=lead, kind="call", subject=subject,
                                       owner=crm["members"][owner],
                                       remind_at=timezone.now() - dt.timedelta(minutes=1), **fields)


def test_a_due_reminder_is_sent_once(crm):
    activity = _activity(crm)
    assert send() == 1
    assert send() == 0  # the job runs again: nothing more
    notices = list(Notification.objects.filter(user=crm["users"]["member"], kind=ACTIVITY_DUE))
    assert len(notices) == 1
    assert notices[0].title == "Call due: Call Lena"
    assert notices[0].url.startswith(f"/w/{crm['workspace'].slug}/crm/")
    with workspace_scope(crm["workspace"]):
        assert Activity.objects.get(pk=activity.pk).reminded_at is not None


def test_not_sent_for_done_or_future_or_changed(crm):
    _activity(crm, "done", done_at=timezone.now())
    future = _activity(crm, "later")
    with workspace_scope(crm["workspace"]):
        Activity.objects.filter(pk=future.pk).update(remind_at=timezone.now() + dt.timedelta(hours=1))
    assert send() == 0
    assert send(now=timezone.now() + dt.timedelta(hours=2)) == 1
    assert [n.title for n in Notification.objects.filter(kind=ACTIVITY_DUE)] == ["Call due: later"]


def test_two_workers_claim_once(crm):
    activity = _activity(crm)
    now = timezone.now()
    with workspace_scope(crm["workspace"]):
        first = Activity.objects.filter(pk=activity.pk, reminded_at__isnull=True).update(reminded_at=now)
    assert first == 1
    assert send() == 0  # the other worker's claim finds it taken
    assert not Notification.objects.filter(kind=ACTIVITY_DUE).exists()


def test_every_workspace_is_served(crm, other_crm):
    from oorg.crm.models import Lead

    _activity(crm)
    ws = other_crm["workspace"]
    with workspace_scope(ws):
        lead = Lead.objects.create(workspace=ws, full_name="Far", owner=other_crm["actor"].membership)
        Activity.objects.create(workspace=ws, lead=lead, kind="task", subject="far task",
                                owner=other_crm["actor"].membership, remind_at=timezone.now())
    assert send() == 2
    assert Notification.objects.filter(user=ws.owner, kind=ACTIVITY_DUE).count() == 1


def test_the_job_is_scheduled_every_minute(settings):
    from oorg.celery import app

    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "crm.send_due_reminders")
    assert entry["schedule"] == 60.0 and "crm.send_due_reminders" in app.tasks

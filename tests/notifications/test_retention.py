"""Retention and the periodic jobs: old notifications go (read: 90 days after reading; unread: after a year);
the email job runs every minute by its task name."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.conf import settings
from django.utils import timezone

from oorg.celery import app
from oorg.core.personal_data import RETENTION_CLASSES
from oorg.notifications import tasks
from oorg.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _made(user, *, age_days: int, read_days_ago: int | None = None, title: str):
    now = timezone.now()
    return Notification.objects.create(
        user=user, event_id=uuid.uuid4(), kind="test.pinged", title=title,
        created_at=now - dt.timedelta(days=age_days),
        read_at=None if read_days_ago is None else now - dt.timedelta(days=read_days_ago))


def test_old_notifications_are_purged(member):
    _made(member, age_days=100, read_days_ago=91, title="read long ago")
    _made(member, age_days=100, read_days_ago=89, title="read lately")
    _made(member, age_days=366, title="unread for over a year")
    _made(member, age_days=364, title="unread for months")

    assert tasks.purge_old_notifications() == 2

    assert sorted(Notification.objects.values_list("title", flat=True)) == ["read lately", "unread for months"]
    assert RETENTION_CLASSES["notifications"].startswith("a notification for 90 days after it is read")


def test_the_jobs_are_scheduled_by_name():
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert schedule["notifications.send_due_emails"] == 60.0
    assert "notifications.purge_old_notifications" in schedule
    assert {"notifications.send_due_emails", "notifications.purge_old_notifications"} <= set(app.tasks)


def test_the_email_task_sends_what_is_due(workspace, owner, member, outbox):
    from oorg.notifications.models import NotificationPreferences

    from .conftest import ping

    NotificationPreferences.objects.create(user=member, kinds={"test.pinged": {"email": "hourly"}})
    ping(workspace, owner, [member], title="Later")
    Notification.objects.filter(user=member).update(email_due_at=timezone.now() - dt.timedelta(minutes=1))

    assert tasks.send_due_emails() == 1
    assert tasks.send_due_emails() == 0
    assert outbox.to(member.email)[-1]["Subject"] == "Your hourly digest: 1 notification"

"""What a person is told, and how they want to be told.

A `Notification` is one notice for one person, made by the notifications consumer from an event (core/events.py):
of one workspace, or of none (an account notice, such as a security warning, shown in every workspace). It is
unique per (event, person), so an event handed over twice tells no one twice. Its email, if any, is planned
when it is made (`email_due_at`, from the person's preferences) and sent at most once (`emailed_at`).

`NotificationPreferences` holds one person's choices, for all their workspaces: per kind, shown in the app or not
and how it is emailed, and quiet hours in their own time zone. A person with no row has the defaults.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from oorg.core.personal_data import Category, Erasure


class EmailMode(models.TextChoices):
    IMMEDIATELY = "immediately", "Immediately"
    HOURLY = "hourly", "Hourly digest"
    DAILY = "daily", "Daily digest"
    OFF = "off", "Off"


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # NULL: an account notice (no workspace), shown in every workspace of the person.
    workspace = models.ForeignKey("core.Workspace", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    event_id = models.UUIDField()  # the core Event it came from (events are deleted after 30 days; no key)
    kind = models.CharField(max_length=80)  # a registered events.Kind
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)  # a path in the app
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")  # who did what the notice tells (None: the system)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    in_app = models.BooleanField(default=True)  # False: the person wants only its email
    email_mode = models.CharField(max_length=16, choices=EmailMode.choices, blank=True)  # as planned when made
    email_due_at = models.DateTimeField(null=True, blank=True)  # None: no email
    emailed_at = models.DateTimeField(null=True, blank=True)

    class PersonalData:
        subject = "user"
        fields = {"title": Category.ACTIVITY, "body": Category.ACTIVITY, "url": Category.ACTIVITY,
                  "actor": Category.IDENTITY, "read_at": Category.ACTIVITY, "emailed_at": Category.ACTIVITY}
        not_personal = ("email_mode", "email_due_at")  # when its email goes, planned from the kind's choice
        on_erasure = Erasure.DELETE
        retention = "notifications"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event_id", "user"], name="notification_once_per_event")]
        indexes = [
            # The bell's count: one index range of the unread, shown rows of (person, workspace).
            models.Index(fields=["user", "workspace"], condition=models.Q(read_at__isnull=True, in_app=True),
                         name="notification_unread"),
            models.Index(fields=["user", "created_at"], name="notification_by_user"),
            # The email job reads only what waits to be emailed: a small partial index.
            models.Index(fields=["email_due_at"], condition=models.Q(emailed_at__isnull=True,
                                                                     email_due_at__isnull=False),
                         name="notification_email_due"),
            models.Index(fields=["read_at"], name="notification_by_read"),
            models.Index(fields=["created_at"], name="notification_by_created"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


def _default_quiet_start() -> dt.time:
    return dt.time(22, 0)


def _default_quiet_end() -> dt.time:
    return dt.time(7, 0)


class NotificationPreferences(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preferences")
    # Only what differs from a kind's defaults: {"kind": {"in_app": bool, "email": EmailMode}}.
    kinds = models.JSONField(default=dict)
    quiet_hours_enabled = models.BooleanField(default=False)
    quiet_start = models.TimeField(default=_default_quiet_start)  # in the person's time zone (User.time_zone)
    quiet_end = models.TimeField(default=_default_quiet_end)
    updated_at = models.DateTimeField(auto_now=True)

    class PersonalData:
        subject = "user"
        fields = {"kinds": Category.ACTIVITY, "quiet_start": Category.ACTIVITY, "quiet_end": Category.ACTIVITY}
        on_erasure = Erasure.DELETE
        retention = "account"

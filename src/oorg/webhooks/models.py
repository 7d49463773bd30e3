"""Outgoing webhooks: a workspace's subscriptions, one delivery per (subscription, event), one row per attempt.

A delivery's body is written once, when the event is handed over, and sent unchanged on every attempt (only the
signature's timestamp changes), so a receiver that deduplicates on the event id sees the same thing each time.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from django.db import models

from oorg.core.crypto import decrypt
from oorg.core.personal_data import Category, Erasure
from oorg.core.tenancy import WorkspaceOwned

ALL_EVENTS = "*"


class WebhookSubscription(WorkspaceOwned):
    url = models.CharField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list)  # event type names, or ["*"]: every type offered to webhooks
    secret_encrypted = models.TextField()  # Fernet (core.crypto); shown in clear once, when made or rotated
    active = models.BooleanField(default=True)
    paused_reason = models.CharField(max_length=200, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)  # the first failure after the last success
    last_delivery_at = models.DateTimeField(null=True, blank=True)
    last_delivery_ok = models.BooleanField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # Whose eyes the subscription has: events about records its creator may not see (CRM record scopes) are
    # not sent. A subscription whose creator left (or made before this was kept) gets only unscoped events.
    created_by = models.ForeignKey("core.Membership", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class PersonalData:
        subject = "workspace"
        fields = {"created_by": Category.ACTIVITY}  # else where the workspace's systems listen, and their secret
        on_erasure = Erasure.RETAIN
        retention = "workspace"
        export = False

    class Meta:
        base_manager_name = "all_workspaces"
        indexes = [models.Index(fields=["workspace", "active"], name="webhook_sub_active")]

    def __str__(self):
        return self.description or self.host

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or self.url

    @property
    def secret(self) -> str:
        return decrypt(self.secret_encrypted)

    def wants(self, event_type: str) -> bool:
        return ALL_EVENTS in self.events or event_type in self.events


class WebhookDelivery(WorkspaceOwned):
    class State(models.TextChoices):
        PENDING = "pending", "Pending"  # waiting for its first attempt or a retry
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Failed"  # gave up: 24 hours of failed attempts (a test event: one)

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField()  # core.models.Event.id (a test event: its own); what receivers deduplicate on
    event_type = models.CharField(max_length=80)
    body = models.TextField()  # the JSON sent, the same on every attempt
    is_test = models.BooleanField(default=False)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)  # a sender holds it until then
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class PersonalData:
        subject = "workspace"
        fields = {"body": Category.ACTIVITY}  # the event's payload: names, emails of the people it is about
        on_erasure = Erasure.DELETE
        retention = "webhooks"
        export = False

    class Meta:
        base_manager_name = "all_workspaces"
        constraints = [models.UniqueConstraint(fields=["subscription", "event_id"], name="webhook_delivery_once")]
        indexes = [
            models.Index(fields=["subscription", "created_at"], name="webhook_delivery_log"),
            # The periodic job reads only what waits: a small partial index.
            models.Index(fields=["next_attempt_at"], condition=models.Q(state="pending"), name="webhook_delivery_due"),
            models.Index(fields=["created_at"], name="webhook_delivery_age"),
        ]


class WebhookAttempt(WorkspaceOwned):
    """One POST of a delivery (its redirects included). Written when it starts, so an attempt whose worker died
    shows as one without an outcome."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    finished = models.BooleanField(default=False)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    url = models.CharField(max_length=2000)  # the address last requested (after redirects)
    request_headers = models.JSONField(default=dict)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    response_body = models.TextField(blank=True)  # the first 2 KB

    class PersonalData:
        subject = "workspace"
        fields = {"response_body": Category.ACTIVITY}  # a receiver may echo what it was sent
        on_erasure = Erasure.DELETE
        retention = "webhooks"
        export = False

    class Meta:
        base_manager_name = "all_workspaces"
        indexes = [models.Index(fields=["delivery", "number"], name="webhook_attempt_order")]

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

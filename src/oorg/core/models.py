from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from .personal_data import Category, Erasure
from .tenancy import WorkspaceOwned


class Workspace(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    require_two_factor = models.BooleanField(default=False)
    time_zone = models.CharField(max_length=64, default="UTC")  # IANA name: the default for the workspace's pages
    locale = models.CharField(max_length=16, default="en-GB")  # date and number formats (workspaces.services.LOCALES)
    logo = models.CharField(max_length=255, blank=True)  # a private name in the storage API (core/files.py)
    created_at = models.DateTimeField(auto_now_add=True)

    class PersonalData:
        subject = "workspace"
        fields = {}
        not_personal = ("name", "logo")  # the company's name and logo, not a person's
        on_erasure = Erasure.RETAIN
        retention = "workspace"

    def __str__(self):
        return self.name

    @property
    def logo_url(self) -> str | None:
        """Where any member's pages load the logo (the shell's switcher and sidebar), or None.

        The query changes with each new logo (its stored name is random), so a cached old one is never shown.
        The URL name belongs to the workspaces area; reversing a name imports nothing from it."""
        if not self.logo:
            return None
        from django.urls import reverse

        url = reverse("workspaces:logo", kwargs={"workspace_slug": self.slug})
        return f"{url}?v={self.logo.rsplit('/', 1)[-1][:8]}"


class Role(WorkspaceOwned):
    """A named set of permissions. Built-in rows mirror `permissions.BUILTIN_ROLES` (their permissions
    come from code and cannot be edited); custom rows hold the permissions an admin chose."""

    key = models.SlugField(max_length=32)  # what Membership.role and Invitation.role hold; never changes
    name = models.CharField(max_length=60)
    description = models.CharField(max_length=200, blank=True)
    permissions = models.JSONField(default=list)
    is_builtin = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class PersonalData:
        subject = "workspace"
        fields = {}
        not_personal = ("name", "description")  # a role's name, not a person's
        on_erasure = Erasure.RETAIN
        retention = "workspace"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="role_unique_key")]
        base_manager_name = "all_workspaces"

    def __str__(self):
        return self.name


class Membership(WorkspaceOwned):
    OWNER = "owner"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, default="member")  # a Role.key of this workspace
    is_active = models.BooleanField(default=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique_user")]
        base_manager_name = "all_workspaces"

    @property
    def role_name(self) -> str:
        """The role's display name; also shown in the workspace switcher, outside any scope."""
        from .permissions import ROLE_LABELS

        if self.role in ROLE_LABELS:
            return ROLE_LABELS[self.role]
        role = Role.all_workspaces.filter(workspace_id=self.workspace_id, key=self.role).first()
        return role.name if role else self.role


class Invitation(WorkspaceOwned):
    email = models.EmailField()
    role = models.CharField(max_length=32, default="member")  # a Role.key of this workspace
    code_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class PersonalData:
        subject = "invitee"
        fields = {"email": Category.CONTACT}
        on_erasure = Erasure.DELETE
        retention = "invitation"

    class Meta:
        base_manager_name = "all_workspaces"


class AuditEvent(models.Model):
    """Append-only, keyed hash-chained per workspace (workspace NULL: the account-level chain)."""

    workspace = models.ForeignKey(Workspace, null=True, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveBigIntegerField()
    occurred_at = models.DateTimeField()
    action = models.CharField(max_length=80)
    actor_user_id = models.BigIntegerField(null=True)
    actor_label = models.CharField(max_length=254)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True, default="")  # its name when recorded (0010)
    ip_address = models.GenericIPAddressField(null=True)
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)  # HMAC-SHA256 under the audit key derived from the key named below
    key_id = models.CharField(max_length=16, blank=True, default="")  # audit.key_id() of that SECRET_KEY

    class PersonalData:
        subject = "actor"
        fields = {"actor_label": Category.IDENTITY, "target_label": Category.IDENTITY, "ip_address": Category.TECHNICAL,
                  "data": Category.ACTIVITY}
        on_erasure = Erasure.RETAIN
        retention = "audit"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "seq"], name="audit_seq_per_workspace"),
            models.UniqueConstraint(
                fields=["seq"], condition=models.Q(workspace__isnull=True), name="audit_seq_account_chain"
            ),
        ]
        # The log is read newest first within one workspace, filtered by one of these: each is an index range,
        # read backwards. Ascending on purpose: read backwards, (..., seq) + the row id SQLite appends gives
        # "seq DESC, id DESC" (the keyset order) with no sort; a "-seq" index leaves SQLite sorting by id.
        indexes = [
            models.Index(fields=["workspace", "-seq"]),
            models.Index(fields=["workspace", "action", "seq"], name="audit_by_action"),
            models.Index(fields=["workspace", "actor_user_id", "seq"], name="audit_by_actor"),
            models.Index(fields=["workspace", "target_type", "target_id", "seq"], name="audit_by_target"),
            models.Index(fields=["workspace", "occurred_at"], name="audit_by_time"),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit events are append-only")


class AuditChainHead(models.Model):
    """The newest event of each audit chain. Writers lock this row, and `oorg audit verify` compares
    it with the newest event, so deleting events from the end of a chain is caught too."""

    chain = models.CharField(max_length=40, unique=True)  # "workspace:<id>" or "account"
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)


class ThrottleLock(models.Model):
    """One row per throttle key (a keyed hash of e.g. an account or an IP), locked while its count is decided.

    Counting recent failures and recording a new one happen in one transaction that holds this row
    (SELECT ... FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions serialize writers), so
    parallel guesses queue and no more than the limit is ever evaluated.
    """

    key = models.CharField(max_length=64, unique=True)


class RateEvent(models.Model):
    """One counted event for a rate limit (resends, resets). Keys are keyed hashes, never raw emails."""

    key = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["key", "at"])]


class OutgoingEmail(models.Model):
    """An email waiting to be sent, written in the transaction of the change that sends it.

    The message (address, subject, body with its one-time code) is encrypted at rest, and the background
    task carries only this row's id, so neither the broker nor a copy of the database holds a code in
    clear. Once sent, the message is wiped and the row kept briefly so a retried task sends it only once.
    """

    message_encrypted = models.TextField(blank=True)  # Fernet(JSON {"to", "subject", "body"}); "" once sent
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)  # a sender holds it until then
    sent_at = models.DateTimeField(null=True, blank=True)

    class PersonalData:
        subject = "recipient"
        fields = {"message_encrypted": Category.CONTACT}
        on_erasure = Erasure.DELETE
        retention = "outbox"
        export = False

    class Meta:
        indexes = [models.Index(fields=["sent_at", "created_at"])]


class Job(WorkspaceOwned):
    """A piece of work that takes longer than a request (an import), run by Celery, watched by its creator.

    `progress` of `total` moves in the job's own short commits; `result` is JSON the kind defines. A job
    whose worker died is found by `core.recover_stale_jobs` (periodic): requeued when it never started,
    failed with a message when it stopped while running (core/jobs.py).
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=64)  # a registered kind (core/jobs.py), e.g. "org.employee.import"
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    params = models.JSONField(default=dict)  # what the run needs: a stored upload's private name, options
    result = models.JSONField(null=True, blank=True)
    created_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # last progress commit while running
    finished_at = models.DateTimeField(null=True, blank=True)

    class PersonalData:
        subject = "workspace"
        # An import's result quotes the cells of its bad rows (names, emails).
        fields = {"params": Category.EMPLOYMENT, "result": Category.EMPLOYMENT}
        on_erasure = Erasure.DELETE
        retention = "jobs"
        export = False

    class Meta:
        indexes = [models.Index(fields=["state", "heartbeat_at"]), models.Index(fields=["workspace", "-created_at"])]
        base_manager_name = "all_workspaces"

    @property
    def is_done(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)


class Event(models.Model):
    """One thing that happened, written in the transaction of the change (the transactional outbox).

    `audit.record()` writes it when the action is a registered event type (core/events.py); after commit a
    task hands it to every consumer (notifications, webhooks, later search and live updates), and a periodic
    job hands over again what no task did (a crash between commit and queueing). The id is what consumers
    deduplicate on: delivery is at least once. Workspace NULL: an account event (a sign-in, a password change).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workspace = models.ForeignKey(Workspace, null=True, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=80)  # a registered event type, e.g. "org.employee.created"
    created_at = models.DateTimeField(default=timezone.now)
    actor_user_id = models.BigIntegerField(null=True)
    actor_label = models.CharField(max_length=254, blank=True)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    audit_event_id = models.BigIntegerField(null=True)  # the audit record it came with (bulk events share one)
    data = models.JSONField(default=dict)  # the payload, as the type's schema describes it
    dispatched_at = models.DateTimeField(null=True, blank=True)  # every consumer has taken it
    attempts = models.PositiveSmallIntegerField(default=0)

    class PersonalData:
        subject = "workspace"
        fields = {"actor_label": Category.IDENTITY, "data": Category.ACTIVITY}
        on_erasure = Erasure.DELETE
        retention = "events"
        export = False

    class Meta:
        indexes = [
            # The redelivery job reads only what is still waiting: a small partial index.
            models.Index(fields=["created_at"], condition=models.Q(dispatched_at__isnull=True),
                         name="event_undispatched"),
            models.Index(fields=["dispatched_at"], name="event_by_dispatched"),
        ]

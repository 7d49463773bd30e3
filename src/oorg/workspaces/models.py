"""The workspaces area's own rows. Workspace, Membership, Invitation and Role live in core (every area uses them)."""
from __future__ import annotations

from django.db import models
from django.utils import timezone

from oorg.core.personal_data import Erasure
from oorg.core.tenancy import WorkspaceOwned


class OwnershipTransfer(WorkspaceOwned):
    """An owner's proposal to hand the workspace to another member, waiting for that member to accept.

    A row rather than a signed token, so the proposal can be listed (the new owner sees it on the members page
    and the dashboard), cancelled, and kept one at a time by the database: at most one pending row per workspace.
    A pending row past `expires_at` is expired; it is marked so when it is next looked at.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"

    from_member = models.ForeignKey("core.Membership", on_delete=models.CASCADE, related_name="+")
    to_member = models.ForeignKey("core.Membership", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)  # accepted, cancelled or found expired

    class PersonalData:
        subject = "member"
        fields = {}  # who proposed to whom is the two memberships; nothing else about a person
        on_erasure = Erasure.RETAIN
        retention = "workspace"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace"], condition=models.Q(state="pending"),
                                    name="ownership_transfer_one_pending"),
        ]
        base_manager_name = "all_workspaces"

    @property
    def is_expired(self) -> bool:
        return self.state == self.State.PENDING and self.expires_at <= timezone.now()

"""Reads about workspaces and members. Cross-workspace reads are limited to the user's own rows."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from oorg.accounts.models import ApiToken
from oorg.core import audit
from oorg.core.errors import NotFound, ValidationFailed
from oorg.core.models import AuditEvent, Invitation, Membership, Workspace
from oorg.core.permissions import (
    AUDIT_VIEW,
    MEMBERS_INVITE,
    MEMBERS_VIEW,
    SECURITY_MANAGE,
    SETTINGS_MANAGE,
    Actor,
    require,
)
from oorg.core.selectors import membership_in, memberships_of  # noqa: F401  (re-exported)

from .models import OwnershipTransfer


def members_visible_to(actor: Actor):
    require(actor, MEMBERS_VIEW)
    return Membership.objects.filter(is_active=True).select_related("user").order_by("user__full_name", "pk")


def get_member(actor: Actor, membership_id: int) -> Membership:
    m = members_visible_to(actor).filter(pk=membership_id).first()
    if m is None:
        raise NotFound()
    return m


def member_named_in_body(actor: Actor, membership_id: int, *, field: str = "member_id") -> Membership:
    """A member id from a request body: one that is not an active member here (another workspace's, say) is a 422
    naming the field, like any other id that points nowhere."""
    m = members_visible_to(actor).filter(pk=membership_id).first()
    if m is None:
        raise ValidationFailed("No member of this workspace has that id.", field=field)
    return m


def owner_count() -> int:
    return Membership.objects.filter(role=Membership.OWNER, is_active=True).count()


def current_workspace(actor: Actor):
    """The actor's workspace as stored now (the request's copy was read before any change this request made)."""
    return Workspace.objects.get(pk=actor.workspace.pk)


def live_token_count(membership: Membership) -> int:
    """How many API tokens of this member for this workspace still work (what removing or leaving ends)."""
    return ApiToken.objects.filter(membership=membership, revoked_at__isnull=True, expires_at__gt=timezone.now()).count()


def pending_ownership_transfer(actor: Actor):
    """The transfer of ownership waiting for an answer, for the owners and the member it is addressed to; None for
    everyone else, and once it has expired."""
    if actor.membership is None:
        return None
    transfer = (OwnershipTransfer.objects.filter(state=OwnershipTransfer.State.PENDING, expires_at__gt=timezone.now())
                .select_related("from_member__user", "to_member__user").first())
    if transfer is None or not (actor.role == Membership.OWNER or transfer.to_member_id == actor.membership.pk):
        return None
    return transfer


def invitations_visible_to(actor: Actor):
    require(actor, MEMBERS_INVITE)
    return Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True).order_by("-created_at", "-pk")


def get_invitation(actor: Actor, invitation_id: int) -> Invitation:
    inv = invitations_visible_to(actor).filter(pk=invitation_id).first()
    if inv is None:
        raise NotFound()
    return inv


def audit_events_for(actor: Actor, *, action: str | None = None, actor_user_id: int | None = None,
                     actor_label: str | None = None, target_type: str | None = None, target_id: str | None = None,
                     since: datetime | None = None, until: datetime | None = None, before: datetime | None = None):
    """The workspace's audit log, newest first. `action`: one action, or every action under a prefix ("org",
    "org.employee."); `since` and `until` include their instant, `before` does not. Each filter is one range of
    an AuditEvent index; the pages are keyset pages.

    With a time range the order is by time (the same as by seq in one chain, but a range of audit_by_time):
    ordered by seq, a day long ago would be found by reading every newer event first."""
    require(actor, AUDIT_VIEW)
    by_time = since is not None or until is not None or before is not None
    events = AuditEvent.objects.filter(workspace_id=actor.workspace.pk)
    events = events.order_by("-occurred_at", "-pk") if by_time else events.order_by("-seq", "-pk")
    if action in audit.ACTIONS:
        events = events.filter(action=action)  # one range of the audit_by_action index
    elif action:  # a prefix: read newest first until a page is found (no index range for LIKE in every collation)
        prefix = action if action.endswith(".") else action + "."
        events = events.filter(Q(action=action) | Q(action__startswith=prefix))
    if actor_user_id is not None:
        events = events.filter(actor_user_id=actor_user_id)
    if actor_label:
        events = events.filter(actor_label=actor_label)
    if target_type:
        events = events.filter(target_type=target_type)
    if target_id:
        events = events.filter(target_id=target_id)
    if since is not None:
        events = events.filter(occurred_at__gte=since)
    if until is not None:
        events = events.filter(occurred_at__lte=until)
    if before is not None:
        events = events.filter(occurred_at__lt=before)
    return events


def audit_actor_id(actor: Actor, email: str) -> int | None:
    """The user id behind an email among this workspace's members, former members included (their events stay
    in the log), or None."""
    require(actor, AUDIT_VIEW)
    return Membership.objects.filter(user__email=email.strip().lower()).values_list("user_id", flat=True).first()


def audit_actor_choices(actor: Actor, *, limit: int = 500) -> list[tuple[str, str]]:
    """(email, name) of the workspace's members, for the log's "who" picker; bounded, as every list."""
    require(actor, AUDIT_VIEW)
    rows = (Membership.objects.order_by("user__email").values_list("user__email", "user__full_name")[:limit])
    return list(rows)


# --- where the audit log links its targets (registered in apps.py): those that exist and the reader may open ---


def _members_page(actor: Actor, email: str) -> str:
    return reverse("workspaces:members", kwargs={"workspace_slug": actor.workspace.slug}) + "?" + urlencode({"q": email})


def _int_ids(ids: list[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit() and len(i) < 19]


def audit_member_links(actor: Actor, ids: list[str]) -> dict[str, str]:
    """A membership (role changed, removed): the members page, searched for them, while they are a member."""
    if not actor.can(MEMBERS_VIEW):
        return {}
    rows = Membership.objects.filter(pk__in=_int_ids(ids), is_active=True).values_list("pk", "user__email")
    return {str(pk): _members_page(actor, email) for pk, email in rows}


def audit_user_links(actor: Actor, ids: list[str]) -> dict[str, str]:
    """A person (signed in, changed their password): the members page, searched for them, while they are a member."""
    if not actor.can(MEMBERS_VIEW):
        return {}
    rows = Membership.objects.filter(user_id__in=_int_ids(ids), is_active=True).values_list("user_id", "user__email")
    return {str(pk): _members_page(actor, email) for pk, email in rows}


def audit_invitation_links(actor: Actor, ids: list[str]) -> dict[str, str]:
    """An invitation: the pending invitations on the members page, while it waits for an answer."""
    if not actor.can(MEMBERS_INVITE):
        return {}
    page = reverse("workspaces:members", kwargs={"workspace_slug": actor.workspace.slug}) + "#pending"
    rows = Invitation.objects.filter(pk__in=_int_ids(ids), accepted_at__isnull=True, revoked_at__isnull=True)
    return {str(pk): page for pk in rows.values_list("pk", flat=True)}


def audit_workspace_links(actor: Actor, ids: list[str]) -> dict[str, str]:
    """The workspace itself: its settings page, for those who may change them."""
    if str(actor.workspace.pk) not in ids or not (actor.can(SETTINGS_MANAGE) or actor.can(SECURITY_MANAGE)):
        return {}
    return {str(actor.workspace.pk): reverse("workspaces:settings", kwargs={"workspace_slug": actor.workspace.slug})}

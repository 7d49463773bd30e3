"""Reads about workspaces and members. Cross-workspace reads are limited to the user's own rows."""
from __future__ import annotations

from .errors import NotFound
from .models import AuditEvent, Invitation, Membership
from .permissions import AUDIT_VIEW, MEMBERS_INVITE, MEMBERS_VIEW, Actor, require


def memberships_of(user, *, include_inactive: bool = False):
    """Every active membership of one user, across workspaces (the switcher, sign-in, tokens);
    with `include_inactive`, also the ones that were ended (to revoke what they left behind)."""
    memberships = Membership.objects.unscoped().filter(user=user)
    if not include_inactive:
        memberships = memberships.filter(is_active=True)
    return memberships.select_related("workspace").order_by("workspace__name", "pk")


def membership_in(user, slug: str) -> Membership:
    m = memberships_of(user).filter(workspace__slug=slug).first()
    if m is None:
        raise NotFound()
    return m


def members_visible_to(actor: Actor):
    require(actor, MEMBERS_VIEW)
    return Membership.objects.filter(is_active=True).select_related("user").order_by("user__full_name", "pk")


def get_member(actor: Actor, membership_id: int) -> Membership:
    m = members_visible_to(actor).filter(pk=membership_id).first()
    if m is None:
        raise NotFound()
    return m


def invitations_visible_to(actor: Actor):
    require(actor, MEMBERS_INVITE)
    return Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True).order_by("-created_at", "-pk")


def get_invitation(actor: Actor, invitation_id: int) -> Invitation:
    inv = invitations_visible_to(actor).filter(pk=invitation_id).first()
    if inv is None:
        raise NotFound()
    return inv


def audit_events_for(actor: Actor, *, action: str | None = None):
    require(actor, AUDIT_VIEW)
    events = AuditEvent.objects.filter(workspace_id=actor.workspace.pk).order_by("-seq", "-pk")
    if action:
        events = events.filter(action__startswith=action)
    return events

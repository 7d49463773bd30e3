"""Reads that cross workspaces, so no scope can hold them: one user's memberships (the scope middleware, sign-in,
tokens, the switcher) and an invitation found by its code (before its workspace is known)."""
from __future__ import annotations

from django.utils import timezone

from .errors import NotFound
from .models import Invitation, Membership


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


def live_invitation(code_hash: str, *, lock: bool = False) -> Invitation | None:
    """The pending, unexpired invitation with this code hash, in whichever workspace it is."""
    invitations = Invitation.objects.unscoped()
    if lock:
        invitations = invitations.select_for_update()
    return (
        invitations.filter(code_hash=code_hash, accepted_at__isnull=True, revoked_at__isnull=True,
                           expires_at__gt=timezone.now())
        .select_related("workspace")
        .first()
    )

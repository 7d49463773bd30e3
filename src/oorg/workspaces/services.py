"""Workspaces and membership: create, invite, accept, change roles, security settings."""
from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from oorg.accounts.guard import secret_check

from . import audit, mail
from .crypto import hash_code
from .errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from .models import Invitation, Membership, Workspace
from .permissions import MEMBERS_CHANGE_ROLE, MEMBERS_INVITE, SECURITY_MANAGE, Actor, require, role_permissions
from .roles import check_assignable, seed_builtin_roles
from .tenancy import workspace_scope

INVITATION_LIFETIME = timedelta(days=7)
RESERVED_SLUGS = {"api", "admin", "static", "w", "app", "www", "signin", "signup", "privacy"}


class InvalidInvitation(DomainError):
    status = 400
    code = "invalid_invitation"
    message = "This invitation code is not valid, was already used, or has expired."


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "workspace"
    if base in RESERVED_SLUGS:
        base = f"{base}-team"
    slug, n = base, 1
    while Workspace.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_workspace(owner, *, name: str) -> Workspace:
    name = name.strip()
    if not name or len(name) > 120:
        raise ValidationFailed("A workspace name has 1 to 120 characters.", field="workspace_name")
    for _ in range(5):
        try:
            with transaction.atomic():
                workspace = Workspace.objects.create(name=name, slug=_unique_slug(name))
                break
        except IntegrityError:  # another signup took the slug between our check and insert
            continue
    else:
        raise Conflict("Could not pick a unique address for this workspace; try another name.", field="workspace_name")
    with workspace_scope(workspace):
        seed_builtin_roles(workspace)
        Membership.objects.create(workspace=workspace, user=owner, role=Membership.OWNER)
        audit.record(None, "workspace.created", workspace, workspace=workspace, user=owner, name=name)
    return workspace


def invite_member(actor: Actor, *, email: str, role: str) -> Invitation:
    require(actor, MEMBERS_INVITE)
    email = email.strip().lower()
    check_assignable(actor, role)
    if Membership.objects.filter(user__email__iexact=email, is_active=True).exists():
        raise Conflict("That person is already a member of this workspace.", field="email")
    code = secrets.token_urlsafe(18)
    with transaction.atomic():
        # A new invitation to the same address replaces the pending one.
        Invitation.objects.filter(email=email, accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        invitation = Invitation.objects.create(
            workspace=actor.workspace, email=email, role=role, code_hash=hash_code(f"invite:{code}"),
            invited_by=actor.user, expires_at=timezone.now() + INVITATION_LIFETIME,
        )
        audit.record(actor, "workspace.invitation_sent", invitation, email=email, role=role)
        inviter = actor.user.full_name if actor.user else "An administrator"
        mail.send(
            email,
            f"{inviter} invited you to {actor.workspace.name} on OORG",
            f"Hello,\n\n{inviter} invited you to join the workspace \"{actor.workspace.name}\" on OORG as {role}.\n\n"
            f"Your invitation code: {code}\n\nAccept it at {settings.BASE_URL}/invitations/accept?code={code}\n"
            "The invitation is valid for 7 days.\n",
        )
    invitation.plain_code = code  # for the caller's own use (tests, CLI); never stored
    return invitation


def revoke_invitation(actor: Actor, invitation: Invitation) -> None:
    require(actor, MEMBERS_INVITE, invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(actor, "workspace.invitation_revoked", invitation, email=invitation.email)


def _live_invitation(code: str, *, lock: bool = False):
    invitations = Invitation.objects.unscoped()
    if lock:
        invitations = invitations.select_for_update()
    return (
        invitations.filter(code_hash=hash_code(f"invite:{(code or '').strip()}"), accepted_at__isnull=True,
                           revoked_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("workspace")
        .first()
    )


@secret_check("the emailed invitation code (then the password of an existing account)")
def accept_invitation(*, code: str, password: str, full_name: str):
    """Join with an emailed code. Creates the account (already verified by the code) when needed;
    an existing account proves itself with its password. Returns (user, membership).

    A wrong code counts per client IP with the sign-in failures, a wrong password for the account; both are
    checked before the transaction below, so a refusal cannot roll its own count back."""
    from oorg.accounts.guard import reserve
    from oorg.accounts.models import User
    from oorg.accounts.services import check_new_password, check_password

    attempt = reserve(email=None)  # the code names no account until it matches
    invitation = _live_invitation(code)
    if invitation is None:
        raise InvalidInvitation(field="code")
    attempt.uncounted()
    existing = User.objects.filter(email__iexact=invitation.email).first()
    if existing is not None:
        # The same throttled, audited check as a sign-in: a valid code is no licence to guess passwords.
        check_password(email=invitation.email, password=password or "")
    now = timezone.now()
    with transaction.atomic():
        invitation = _live_invitation(code, lock=True)
        if invitation is None:  # accepted or revoked meanwhile
            raise InvalidInvitation(field="code")
        workspace = invitation.workspace
        user = User.objects.filter(email__iexact=invitation.email).first()
        if user is None:
            if not (full_name or "").strip():
                raise ValidationFailed("Enter your full name.", field="full_name")
            check_new_password(password, User(email=invitation.email, full_name=full_name))
            from oorg.web.policies import PRIVACY_POLICY_VERSION, TERMS_VERSION

            user = User.objects.create_user(
                invitation.email, password, full_name=full_name.strip(), email_verified_at=now,
                accepted_privacy_version=PRIVACY_POLICY_VERSION, accepted_terms_version=TERMS_VERSION,
                accepted_policies_at=now,
            )
        elif existing is None or existing.pk != user.pk:  # the account appeared after the password step
            raise Conflict("An account with this email was just created. Try again.", field="password")
        elif not user.email_verified:
            user.email_verified_at = now
            user.save(update_fields=["email_verified_at"])
        with workspace_scope(workspace):
            membership, created = Membership.objects.get_or_create(
                workspace=workspace, user=user, defaults={"role": invitation.role}
            )
            if not created and not membership.is_active:
                membership.is_active, membership.role = True, invitation.role
                membership.save(update_fields=["is_active", "role"])
            invitation.accepted_at = now
            invitation.save(update_fields=["accepted_at"])
            audit.record(None, "workspace.invitation_accepted", invitation, workspace=workspace, user=user,
                         email=invitation.email, role=membership.role)
    return user, membership


def change_member_role(actor: Actor, membership: Membership, *, role: str) -> Membership:
    require(actor, MEMBERS_CHANGE_ROLE, membership)
    check_assignable(actor, role)
    # Nobody changes the role of someone who holds more than they do (so only owners change owners).
    if not role_permissions(actor.workspace.pk, membership.role) <= actor.permissions:
        raise PermissionDenied("You can't change the role of someone who holds rights you don't have.", field="role")
    if membership.role == role:
        return membership
    with transaction.atomic():
        if membership.role == Membership.OWNER:
            owners = Membership.objects.select_for_update().filter(role=Membership.OWNER, is_active=True)
            if owners.count() <= 1:
                raise Conflict("A workspace needs at least one owner. Make someone else owner first.", field="role")
        old = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        audit.record(actor, "workspace.member_role_changed", membership, user_email=membership.user.email,
                     old_role=old, new_role=role)
    return membership


def end_membership(actor: Actor, membership: Membership) -> Membership:
    """Access ends at once: web pages and API tokens check `is_active` on every request. The row stays
    (audit trail, re-invitation reactivates it). Callers check their own permission; this keeps the
    workspace's last owner and refuses to end the access of someone who holds more than the actor."""
    if not role_permissions(actor.workspace.pk, membership.role) <= actor.permissions:
        raise PermissionDenied("You can't end the access of someone who holds rights you don't have.", field="member")
    with transaction.atomic():
        if membership.role == Membership.OWNER:
            owners = Membership.objects.select_for_update().filter(role=Membership.OWNER, is_active=True)
            if owners.count() <= 1:
                raise Conflict("This is the workspace's only owner; make someone else owner first.", field="member")
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        audit.record(actor, "workspace.member_removed", membership, user_email=membership.user.email)
    return membership


def set_two_factor_requirement(actor: Actor, *, required: bool) -> Workspace:
    require(actor, SECURITY_MANAGE)
    if required and actor.user is not None and not actor.user.two_factor_enabled:
        # Otherwise the owner's own API token stops at once, with no way back through the API.
        raise Conflict("Turn on two-factor sign-in for yourself first, then require it for everyone.",
                       field="require_two_factor")
    workspace = Workspace.objects.get(pk=actor.workspace.pk)
    if workspace.require_two_factor != required:
        workspace.require_two_factor = required
        workspace.save(update_fields=["require_two_factor"])
        audit.record(actor, "workspace.two_factor_requirement_changed", workspace, required=required)
    return workspace


def get_workspace_or_404(slug: str) -> Workspace:
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        raise NotFound()
    return workspace

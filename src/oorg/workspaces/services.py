"""Workspaces and membership: create, settings and logo, invite, accept, change roles, remove, leave,
transfer ownership. Each is the one door the API and the pages share: permission check and audit inside."""
from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from oorg.accounts.guard import secret_check
from oorg.accounts.models import ApiToken
from oorg.core import audit, files, images, mail
from oorg.core.crypto import hash_code
from oorg.core.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    Problems,
    ValidationFailed,
    describe_choices,
)
from oorg.core.models import Invitation, Membership, Workspace
from oorg.core.permissions import (
    MEMBERS_CHANGE_ROLE,
    MEMBERS_INVITE,
    MEMBERS_REMOVE,
    OWNERSHIP_TRANSFER,
    SECURITY_MANAGE,
    SETTINGS_MANAGE,
    Actor,
    require,
    role_permissions,
)
from oorg.core.places import time_zone_names
from oorg.core.ratelimit import hit
from oorg.core.roles import check_assignable, role_names, seed_builtin_roles
from oorg.core.selectors import live_invitation
from oorg.core.tenancy import workspace_scope

from .models import OwnershipTransfer

INVITATION_LIFETIME = timedelta(days=7)
TRANSFER_LIFETIME = timedelta(days=7)
RESERVED_SLUGS = {"api", "admin", "static", "w", "app", "www", "signin", "signup", "privacy"}
# A signed-in user may create this many more workspaces (sign-up's first one has its own per-IP limit).
WORKSPACE_CREATE_LIMITS = [(10, timedelta(days=1))]
# The workspace's default formats for dates, times and numbers (the interface language is the user's own). A short
# list we can stand behind rather than every CLDR locale; add one when a customer needs it.
LOCALES = {
    "en-GB": "English (United Kingdom)",
    "en-US": "English (United States)",
    "de-DE": "Deutsch (Deutschland)",
    "fr-FR": "Français (France)",
    "es-ES": "Español (España)",
    "it-IT": "Italiano (Italia)",
    "nl-NL": "Nederlands (Nederland)",
    "pl-PL": "Polski (Polska)",
    "pt-PT": "Português (Portugal)",
    "pt-BR": "Português (Brasil)",
}
SETTINGS_FIELDS = ("name", "time_zone", "locale")
LOGO_BACKGROUND = (255, 255, 255)  # a transparent logo is stored on white


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


class LastOwner(Conflict):
    code = "last_owner"


def _clean_name(name: str, *, field: str) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > 120:
        raise ValidationFailed("A workspace name has 1 to 120 characters.", field=field)
    return name


def create_workspace(owner, *, name: str, field: str = "workspace_name") -> Workspace:
    """A new workspace with `owner` as its owner (sign-up's first workspace, and `add_workspace`)."""
    name = _clean_name(name, field=field)
    for _ in range(5):
        try:
            with transaction.atomic():
                workspace = Workspace.objects.create(name=name, slug=_unique_slug(name))
                break
        except IntegrityError:  # another signup took the slug between our check and insert
            continue
    else:
        raise Conflict("Could not pick a unique address for this workspace; try another name.", field=field)
    with workspace_scope(workspace):
        seed_builtin_roles(workspace)
        Membership.objects.create(workspace=workspace, user=owner, role=Membership.OWNER)
        audit.record(None, "workspace.created", workspace, workspace=workspace, user=owner, name=name)
    return workspace


def add_workspace(user, *, name: str) -> Workspace:
    """A signed-in user creates another workspace and becomes its owner (the switcher's "Create workspace",
    POST /workspaces). The address (slug) comes from the name; renaming later keeps it."""
    if not (user.is_active and user.email_verified):
        raise PermissionDenied("Verify your email address before you create a workspace.")
    name = _clean_name(name, field="name")  # a typo costs no quota
    hit("workspace-create", f"user:{user.pk}", limits=WORKSPACE_CREATE_LIMITS)
    with transaction.atomic():  # never a workspace without its roles and owner
        return create_workspace(user, name=name, field="name")


# --- settings and logo ----------------------------------------------------------------------------------------


def _clean_setting(field: str, value) -> str:
    if field == "name":
        return _clean_name(value, field="name")
    if field == "time_zone":
        if not isinstance(value, str) or value not in time_zone_names():
            raise ValidationFailed("Choose a time zone from the list, such as Europe/Berlin.", field="time_zone")
        return value
    if value not in LOCALES:
        raise ValidationFailed(f"Choose a locale from the list: {describe_choices(LOCALES.items())}.", field="locale")
    return value


def update_workspace(actor: Actor, **changes) -> Workspace:
    """Change any of name, time_zone, locale (workspace.settings.manage) and require_two_factor
    (workspace.security.manage), all or nothing; every bad value is reported at once. The address (slug) never
    changes, so links and bookmarks keep working after a rename."""
    if set(changes) != {"require_two_factor"}:  # an owner-only security change alone needs no settings right
        require(actor, SETTINGS_MANAGE)
    if "require_two_factor" in changes:
        require(actor, SECURITY_MANAGE)
    cleaned = {}
    with Problems() as problems:
        for field in sorted(set(changes) - {*SETTINGS_FIELDS, "require_two_factor"}):
            problems.add(f"Unknown field {field!r}.", field=field)
        for field in SETTINGS_FIELDS:
            if field in changes:
                with problems.check():
                    cleaned[field] = _clean_setting(field, changes[field])
        if "require_two_factor" in changes and not isinstance(changes["require_two_factor"], bool):
            problems.add("Send true or false.", field="require_two_factor")
    with transaction.atomic():
        workspace = Workspace.objects.select_for_update().get(pk=actor.workspace.pk)
        changed = {f: {"from": getattr(workspace, f), "to": v} for f, v in cleaned.items() if getattr(workspace, f) != v}
        if changed:
            for field, change in changed.items():
                setattr(workspace, field, change["to"])
            workspace.save(update_fields=list(changed))
            audit.record(actor, "workspace.settings_changed", workspace, fields=sorted(changed), changes=changed)
        if "require_two_factor" in changes:
            workspace = set_two_factor_requirement(actor, required=changes["require_two_factor"])
    return workspace


def set_workspace_logo(actor: Actor, data: bytes | None) -> Workspace:
    """Store a cleaned copy of the logo (checked, at most 512×512, re-encoded as JPEG without metadata, exactly as an
    employee photo is; transparency on white), or remove it when `data` is None. The old file goes after commit."""
    require(actor, SETTINGS_MANAGE)
    workspace = Workspace.objects.get(pk=actor.workspace.pk)
    if data is None and not workspace.logo:
        return workspace

    def write(name: str) -> None:
        workspace.logo = name
        workspace.save(update_fields=["logo"])
        audit.record(actor, "workspace.logo_changed", workspace, fields=["logo"], removed=data is None)

    try:
        images.replace_stored_photo(data, folder=f"workspaces/{workspace.pk}/logo", old=workspace.logo, write=write,
                                    background=LOGO_BACKGROUND)
    except ValidationFailed as exc:  # the photo's wording, said of the logo
        raise ValidationFailed(exc.message.replace("photo", "logo"), field="logo") from None
    return workspace


def workspace_logo(actor: Actor) -> bytes:
    """The stored logo (JPEG) of the actor's workspace; every member may see it (the switcher shows it)."""
    logo = Workspace.objects.filter(pk=actor.workspace.pk).values_list("logo", flat=True).first()
    if not logo:
        raise NotFound("No logo.")
    return files.read(logo)


# --- invitations ---------------------------------------------------------------------------------------------


def invite_member(actor: Actor, *, email: str, role: str | None = None) -> Invitation:
    """Send an invitation code by email. Inviting an address that has a pending invitation replaces it (the old code
    stops working) and keeps its role unless `role` names another; the answer says which happened:
    `invitation.replaced` and `invitation.previous_role` (None when nothing was pending)."""
    require(actor, MEMBERS_INVITE)
    email = email.strip().lower()
    if Membership.objects.filter(user__email__iexact=email, is_active=True).exists():
        raise Conflict("That person is already a member of this workspace.", field="email")
    code = secrets.token_urlsafe(18)
    with transaction.atomic():
        pending = list(Invitation.objects.select_for_update().filter(
            email=email, accepted_at__isnull=True, revoked_at__isnull=True).order_by("-created_at", "-pk"))
        previous_role = pending[0].role if pending else None
        role = role or previous_role or "member"
        check_assignable(actor, role)
        now = timezone.now()
        Invitation.objects.filter(pk__in=[i.pk for i in pending]).update(revoked_at=now)
        invitation = Invitation.objects.create(
            workspace=actor.workspace, email=email, role=role, code_hash=hash_code(f"invite:{code}"),
            invited_by=actor.user, expires_at=now + INVITATION_LIFETIME,
        )
        audit.record(actor, "workspace.invitation_sent", invitation, email=email, role=role,
                     replaced=bool(pending), previous_role=previous_role)
        inviter = actor.user.full_name if actor.user else "An administrator"
        role_name = role_names().get(role, role)
        mail.send(
            email,
            f"{inviter} invited you to {actor.workspace.name} on OORG",
            f"Hello,\n\n{inviter} invited you to join the workspace \"{actor.workspace.name}\" on OORG as "
            f"{role_name}.\n\n"
            f"Your invitation code: {code}\n\nAccept it at {settings.BASE_URL}/invitations/accept?code={code}\n"
            "The invitation is valid for 7 days."
            + (" It replaces the invitation we sent you earlier, whose code no longer works." if pending else "")
            + "\n",
        )
    invitation.plain_code = code  # for the caller's own use (tests, CLI); never stored
    invitation.replaced, invitation.previous_role = bool(pending), previous_role
    return invitation


def revoke_invitation(actor: Actor, invitation: Invitation) -> None:
    require(actor, MEMBERS_INVITE, invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(actor, "workspace.invitation_revoked", invitation, email=invitation.email)


def _live_invitation(code: str, *, lock: bool = False):
    return live_invitation(hash_code(f"invite:{(code or '').strip()}"), lock=lock)


@secret_check("an invitation code, to show what it invites to before it is accepted")
def describe_invitation(*, code: str) -> dict:
    """What the invitation page shows for a code: the workspace, who invited, the role, the address, the expiry.
    An unknown, used, withdrawn or expired code is one refusal that tells nothing more, counted per client IP
    with the sign-in failures (so the page cannot be used to test codes faster than accepting them)."""
    from oorg.accounts.guard import reserve

    attempt = reserve(email=None)
    invitation = _live_invitation(code)
    if invitation is None:
        raise InvalidInvitation(field="code")
    attempt.uncounted()
    with workspace_scope(invitation.workspace):
        role = role_names().get(invitation.role, invitation.role)
    inviter = invitation.invited_by
    return {"workspace": invitation.workspace.name, "invited_by": inviter.full_name if inviter else None,
            "role": role, "email": invitation.email, "expires_at": invitation.expires_at}


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
            from oorg.accounts.policies import PRIVACY_POLICY_VERSION, TERMS_VERSION

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
                         email=invitation.email, role=membership.role, member_id=membership.pk)
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
                     fields=["role"], old_role=old, new_role=role)
    return membership


def _end_access(actor: Actor, membership: Membership, *, action: str, last_owner: str) -> Membership:
    """The membership ends: pages check `is_active` on every request (the session stays signed in for the user's
    other workspaces, but this one's pages answer 404 from the next request on), and the member's API tokens for
    this workspace are revoked now, so a later re-invitation cannot bring them back. Pending ownership transfers
    from or to the member are cancelled. The row stays (audit trail; a re-invitation reactivates it), and so does
    an employee record linked to it (org keeps the link: the record shows who it was)."""
    with transaction.atomic():
        membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
        if not membership.is_active:
            raise NotFound()
        if membership.role == Membership.OWNER:
            owners = Membership.objects.select_for_update().filter(role=Membership.OWNER, is_active=True)
            if owners.count() <= 1:
                raise LastOwner(last_owner, field="member")
        now = timezone.now()
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        tokens = ApiToken.objects.filter(membership=membership, revoked_at__isnull=True).update(revoked_at=now)
        OwnershipTransfer.objects.filter(Q(from_member=membership) | Q(to_member=membership),
                                         state=OwnershipTransfer.State.PENDING).update(
            state=OwnershipTransfer.State.CANCELLED, decided_at=now)
        audit.record(actor, action, membership, user_email=membership.user.email, role=membership.role,
                     tokens_revoked=tokens)
    return membership


def end_membership(actor: Actor, membership: Membership) -> Membership:
    """End someone else's access (see `_end_access`). Callers check their own permission (`remove_member`, org's
    terminate); this keeps the workspace's last owner and refuses to end the access of someone who holds more than
    the actor."""
    if not role_permissions(actor.workspace.pk, membership.role) <= actor.permissions:
        raise PermissionDenied("You can't end the access of someone who holds rights you don't have.", field="member")
    return _end_access(actor, membership, action="workspace.member_removed",
                       last_owner="This is the workspace's only owner; make someone else owner first.")


def remove_member(actor: Actor, membership: Membership) -> Membership:
    """Remove a member (someone who left): their pages and API tokens for this workspace stop at once."""
    require(actor, MEMBERS_REMOVE, membership)
    return end_membership(actor, membership)


def leave_workspace(actor: Actor) -> Membership:
    """The actor leaves the workspace. The last owner cannot: ownership goes to someone else first."""
    if actor.membership is None:
        raise PermissionDenied("Only a member can leave a workspace.")
    return _end_access(actor, actor.membership, action="workspace.member_left",
                       last_owner=f"You are the only owner of {actor.workspace.name}. Transfer ownership to another "
                                  "member first, then leave.")


# --- ownership transfer -------------------------------------------------------------------------------------------


class TransferNotPending(Conflict):
    code = "transfer_not_pending"


def _pending_transfer(*, lock: bool = False) -> OwnershipTransfer | None:
    transfers = OwnershipTransfer.objects.filter(state=OwnershipTransfer.State.PENDING)
    if lock:
        transfers = transfers.select_for_update()
    return transfers.select_related("from_member__user", "to_member__user").first()


def propose_ownership_transfer(actor: Actor, membership: Membership) -> OwnershipTransfer:
    """An owner offers ownership to another active member, who has 7 days to accept. One at a time per workspace."""
    require(actor, OWNERSHIP_TRANSFER, membership)
    if actor.membership is None or actor.role != Membership.OWNER:
        raise PermissionDenied("Only an owner can hand over ownership.")
    if membership.pk == actor.membership.pk:
        raise ValidationFailed("Choose another member: you are already an owner.", field="member_id")
    if not membership.is_active:
        raise NotFound()
    if membership.role == Membership.OWNER:
        raise Conflict(f"{membership.user.full_name} is already an owner.", field="member_id")
    now = timezone.now()
    with transaction.atomic():
        OwnershipTransfer.objects.filter(state=OwnershipTransfer.State.PENDING, expires_at__lte=now).update(
            state=OwnershipTransfer.State.EXPIRED, decided_at=now)
        pending = _pending_transfer(lock=True)
        if pending is not None:
            raise Conflict(f"A transfer of ownership to {pending.to_member.user.full_name} is already waiting for an "
                           "answer. Cancel it first.", field="member_id", code="transfer_pending")
        try:
            with transaction.atomic():
                transfer = OwnershipTransfer.objects.create(
                    workspace=actor.workspace, from_member=actor.membership, to_member=membership,
                    expires_at=now + TRANSFER_LIFETIME)
        except IntegrityError:  # a parallel proposal got there first
            raise Conflict("Another transfer of ownership was just proposed. Reload the page.", field="member_id",
                           code="transfer_pending") from None
        audit.record(actor, "workspace.ownership_transfer_proposed", transfer, to_user_email=membership.user.email,
                     expires_at=transfer.expires_at.isoformat())
        proposer = actor.user.full_name
        mail.send(
            membership.user.email,
            f"{proposer} wants to make you the owner of {actor.workspace.name} on OORG",
            f"Hello {membership.user.full_name},\n\n{proposer} proposes to hand the workspace "
            f"\"{actor.workspace.name}\" over to you. If you accept, you become its owner and {proposer} becomes an "
            f"admin.\n\nAccept or decline on the members page: "
            f"{settings.BASE_URL}/w/{actor.workspace.slug}/members/\n"
            "The proposal is valid for 7 days.\n",
        )
    return transfer


def accept_ownership_transfer(actor: Actor) -> OwnershipTransfer:
    """The member a transfer is addressed to accepts it: they become owner and the proposing owner becomes admin,
    in one transaction, so the workspace always has an owner. The newest transfer to the actor decides the
    answer: none is a 404; accepted, cancelled or expired is a 409 that says which."""
    if actor.membership is None:
        raise PermissionDenied("Only a member can accept ownership.")
    with transaction.atomic():
        transfer = (OwnershipTransfer.objects.select_for_update().filter(to_member_id=actor.membership.pk)
                    .select_related("from_member__user", "to_member__user").order_by("-created_at", "-pk").first())
        if transfer is None:
            raise NotFound("No transfer of ownership is waiting for you.")
        if transfer.state == OwnershipTransfer.State.ACCEPTED:
            raise TransferNotPending("You already accepted this transfer: you are an owner of this workspace.")
        if transfer.state == OwnershipTransfer.State.CANCELLED:
            raise TransferNotPending("This transfer of ownership was cancelled.")
        if transfer.state == OwnershipTransfer.State.EXPIRED or transfer.is_expired:
            raise TransferNotPending("This transfer of ownership expired. Ask the owner to propose it again.",
                                     code="transfer_expired")
        old_owner = Membership.objects.select_for_update().select_related("user").get(pk=transfer.from_member_id)
        new_owner = Membership.objects.select_for_update().get(pk=transfer.to_member_id)
        if not (old_owner.is_active and old_owner.role == Membership.OWNER):
            raise TransferNotPending("The person who proposed this is no longer an owner, so the proposal lapsed.")
        previous_role = new_owner.role
        new_owner.role, old_owner.role = Membership.OWNER, "admin"
        new_owner.save(update_fields=["role"])
        old_owner.save(update_fields=["role"])
        transfer.state, transfer.decided_at = OwnershipTransfer.State.ACCEPTED, timezone.now()
        transfer.save(update_fields=["state", "decided_at"])
        transfer.from_member, transfer.to_member = old_owner, new_owner  # as they are now, for the answer
        audit.record(actor, "workspace.ownership_transferred", transfer, from_user_email=old_owner.user.email,
                     to_user_email=actor.user.email, new_owner_previous_role=previous_role,
                     previous_owner_new_role="admin")
        mail.send(
            old_owner.user.email,
            f"{actor.user.full_name} is now the owner of {actor.workspace.name} on OORG",
            f"Hello {old_owner.user.full_name},\n\n{actor.user.full_name} accepted your proposal and is now the "
            f"owner of \"{actor.workspace.name}\". You are an admin of it from now on.\n",
        )
    return transfer


def cancel_ownership_transfer(actor: Actor) -> OwnershipTransfer:
    """An owner withdraws the pending transfer, or the member it is addressed to declines it."""
    with transaction.atomic():
        transfer = _pending_transfer(lock=True)
        is_owner = actor.can(OWNERSHIP_TRANSFER) and actor.role == Membership.OWNER
        addressee = transfer is not None and actor.membership is not None and transfer.to_member_id == actor.membership.pk
        if transfer is None or transfer.is_expired or not (is_owner or addressee):
            raise NotFound("No transfer of ownership is waiting for an answer.")
        transfer.state, transfer.decided_at = OwnershipTransfer.State.CANCELLED, timezone.now()
        transfer.save(update_fields=["state", "decided_at"])
        action = "workspace.ownership_transfer_declined" if addressee else "workspace.ownership_transfer_cancelled"
        audit.record(actor, action, transfer, to_user_email=transfer.to_member.user.email)
    return transfer


def set_two_factor_requirement(actor: Actor, *, required: bool) -> Workspace:
    require(actor, SECURITY_MANAGE)
    if required and actor.user is not None and not actor.user.two_factor_enabled:
        # Otherwise the owner's own API token stops at once, with no way back through the API.
        raise Conflict("Turn on two-factor sign-in for yourself first, then require it for everyone.",
                       field="require_two_factor")
    with transaction.atomic():
        workspace = Workspace.objects.select_for_update().get(pk=actor.workspace.pk)
        if workspace.require_two_factor != required:
            workspace.require_two_factor = required
            workspace.save(update_fields=["require_two_factor"])
            audit.record(actor, "workspace.two_factor_requirement_changed", workspace, fields=["require_two_factor"],
                         required=required)
    return workspace


def get_workspace_or_404(slug: str) -> Workspace:
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        raise NotFound()
    return workspace

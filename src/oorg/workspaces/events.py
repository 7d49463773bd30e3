"""The workspaces area's events: members joining, changing role and leaving, ownership changing hands, settings
changing (for webhooks and later search), and the notices people get for the ones that concern them.

Payloads name members by membership id and user id, with the name and email address the members page shows;
never an invitation code or a token. `notify` reads the payload and at most one row (the workspace, for its
name and address), so the notifications consumer needs no workspace scope.
"""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from django.urls import reverse

from oorg.core import events
from oorg.core.models import Membership, Role, Workspace
from oorg.core.permissions import ROLE_LABELS
from oorg.core.schemas import StrictSchema


class MemberRef(StrictSchema):  # strict: a payload carries these keys and nothing else
    id: int  # the membership
    user_id: int
    full_name: str
    email: str


class InvitationAcceptedData(StrictSchema):
    invitation_id: int
    member: MemberRef
    role: str
    invited_by_user_id: int | None


class MemberRoleChangedData(StrictSchema):
    member_id: int
    user_id: int
    old_role: str
    old_role_name: str
    new_role: str
    new_role_name: str


class MemberEndedData(StrictSchema):
    member_id: int
    user_id: int
    role: str


class OwnershipTransferData(StrictSchema):
    id: int
    state: str  # pending (proposed) or accepted (transferred)
    from_member: MemberRef
    to_member: MemberRef
    expires_at: datetime


class WorkspaceSettingsData(StrictSchema):
    id: int
    slug: str
    name: str
    time_zone: str
    locale: str
    require_two_factor: bool
    fields: list[str]  # what this change set


def _member(membership: Membership) -> dict:
    user = membership.user
    return {"id": membership.pk, "user_id": user.pk, "full_name": user.full_name, "email": user.email}


def _role_names(*keys: str) -> dict[str, str]:
    names = dict(Role.objects.filter(key__in=keys).values_list("key", "name"))
    return {key: names.get(key) or ROLE_LABELS.get(key, key) for key in keys}


def _invitation_accepted(invitation, data: dict) -> dict:
    membership = Membership.objects.select_related("user").get(pk=data["member_id"])
    return {"invitation_id": invitation.pk, "member": _member(membership), "role": membership.role,
            "invited_by_user_id": invitation.invited_by_id}


def _role_changed(membership, data: dict) -> dict:
    names = _role_names(data["old_role"], data["new_role"])
    return {"member_id": membership.pk, "user_id": membership.user_id, "old_role": data["old_role"],
            "old_role_name": names[data["old_role"]], "new_role": data["new_role"],
            "new_role_name": names[data["new_role"]]}


def _member_ended(membership, data: dict) -> dict:
    return {"member_id": membership.pk, "user_id": membership.user_id, "role": membership.role}


def _transfer(transfer, data: dict) -> dict:
    return {"id": transfer.pk, "state": transfer.state, "from_member": _member(transfer.from_member),
            "to_member": _member(transfer.to_member), "expires_at": transfer.expires_at}


def _settings(workspace, data: dict) -> dict:
    return {"id": workspace.pk, "slug": workspace.slug, "name": workspace.name, "time_zone": workspace.time_zone,
            "locale": workspace.locale, "require_two_factor": workspace.require_two_factor,
            "fields": list(data.get("fields") or [])}


# --- notices ------------------------------------------------------------------------------------------------

INVITATION_ACCEPTED = "workspaces.invitation_accepted"
ROLE_CHANGED = "workspaces.role_changed"
OWNERSHIP_OFFERED = "workspaces.ownership_offered"


def _workspace(event) -> dict | None:
    return Workspace.objects.filter(pk=event.workspace_id).values("slug", "name").first()


def notify_invitation_accepted(event) -> list[events.Notice]:
    """The person who sent the invitation learns it was taken up."""
    inviter, member = event.data.get("invited_by_user_id"), event.data.get("member")
    workspace = _workspace(event) if member and inviter is not None and inviter != event.actor_user_id else None
    if workspace is None:
        return []
    members = reverse("workspaces:members", kwargs={"workspace_slug": workspace["slug"]})
    return [events.Notice(user_id=inviter, kind=INVITATION_ACCEPTED,
                          title=f"{member['full_name']} accepted your invitation",
                          body=f"{member['full_name']} ({member['email']}) joined {workspace['name']}.",
                          url=f"{members}?{urlencode({'q': member['full_name']})}")]


def notify_role_changed(event) -> list[events.Notice]:
    """The member learns their new role; the home page of the workspace says it ("You are HR of ...")."""
    data = event.data
    workspace = _workspace(event) if data.get("user_id") not in (None, event.actor_user_id) else None
    if workspace is None:
        return []
    return [events.Notice(user_id=data["user_id"], kind=ROLE_CHANGED, title=f"Your role is now {data['new_role_name']}",
                          body=f"Your role in {workspace['name']} changed from {data['old_role_name']} to "
                               f"{data['new_role_name']}.",
                          url=reverse("web:workspace-home", kwargs={"workspace_slug": workspace["slug"]}))]


def notify_ownership_offered(event) -> list[events.Notice]:
    """The member the ownership is offered to, who accepts or declines it on the members page."""
    offered_by, to = event.data.get("from_member"), event.data.get("to_member") or {}
    workspace = _workspace(event) if offered_by and to.get("user_id") not in (None, event.actor_user_id) else None
    if workspace is None:
        return []
    return [events.Notice(user_id=to["user_id"], kind=OWNERSHIP_OFFERED,
                          title=f"{offered_by['full_name']} wants to make you the owner of {workspace['name']}",
                          body=f"If you accept, you become the owner and {offered_by['full_name']} becomes an admin. "
                               "Accept or decline on the members page; the offer is valid for 7 days.",
                          url=reverse("workspaces:members", kwargs={"workspace_slug": workspace["slug"]}))]


events.register_types([
    events.EventType("workspace.invitation_accepted", "Someone accepted an invitation and joined the workspace.",
                     payload=InvitationAcceptedData, build=_invitation_accepted,
                     notify=notify_invitation_accepted),
    events.EventType("workspace.member_role_changed", "A member's role changed.", payload=MemberRoleChangedData,
                     build=_role_changed, notify=notify_role_changed),
    events.EventType("workspace.member_removed", "A member was removed from the workspace.",
                     payload=MemberEndedData, build=_member_ended),
    events.EventType("workspace.member_left", "A member left the workspace.", payload=MemberEndedData,
                     build=_member_ended),
    events.EventType("workspace.ownership_transfer_proposed", "An owner offered ownership to another member.",
                     payload=OwnershipTransferData, build=_transfer,
                     notify=notify_ownership_offered),
    events.EventType("workspace.ownership_transferred", "A member accepted ownership and became the owner.",
                     payload=OwnershipTransferData, build=_transfer),
    events.EventType("workspace.settings_changed", "The workspace's name, time zone or locale changed.",
                     payload=WorkspaceSettingsData, build=_settings),
    events.EventType("workspace.two_factor_requirement_changed",
                     "The workspace started or stopped requiring two-factor sign-in.", payload=WorkspaceSettingsData,
                     build=_settings),
], group="Workspace")

events.register_kinds([
    events.Kind(INVITATION_ACCEPTED, "Someone accepted your invitation",
                description="A person you invited joined the workspace."),
    events.Kind(ROLE_CHANGED, "Your role changed", description="Someone gave you another role in the workspace."),
    events.Kind(OWNERSHIP_OFFERED, "Ownership offered to you",
                description="An owner wants to hand the workspace over to you."),
], group="Workspace")

"""The workspace API: who I am, my workspaces, the workspace's settings and logo, members (remove, leave,
ownership transfer), invitations, the audit log, permissions and roles."""
import datetime as dt

from django.conf import settings
from django.http import HttpResponse
from ninja import Field, File, Query, Router, Status
from ninja.files import UploadedFile

from oorg.accounts.api import user_out
from oorg.core import audit, roles
from oorg.core.api import Page, list_of, paginate
from oorg.core.errors import NotFound, ValidationFailed
from oorg.core.permissions import PERMISSIONS
from oorg.core.schemas import Id

from . import selectors, services
from .schemas import (
    AuditEventOut,
    InvitationAcceptedOut,
    InvitationAcceptIn,
    InvitationIn,
    InvitationOut,
    InvitationSentOut,
    MemberOut,
    MemberPatch,
    MeOut,
    MyWorkspaceOut,
    OwnershipTransferIn,
    OwnershipTransferOut,
    PermissionOut,
    RoleIn,
    RoleOut,
    RolePatch,
    WorkspaceCreatedOut,
    WorkspaceIn,
    WorkspacePatch,
    WorkspaceSettingsOut,
)

router = Router(tags=["workspace"])


def workspace_out(workspace) -> dict:
    # Plain dicts validate several times faster than models read through ninja's attribute getter.
    return {"id": workspace.pk, "slug": workspace.slug, "name": workspace.name,
            "require_two_factor": workspace.require_two_factor, "time_zone": workspace.time_zone,
            "locale": workspace.locale, "logo": workspace.logo}


@router.get("/me", response=MeOut, summary="Who the token belongs to")
def me(request):
    a = request.actor
    return {"user": user_out(a.user), "workspace": workspace_out(a.workspace), "role": a.role,
            "permissions": sorted(a.permissions), "two_factor_enabled": a.user.two_factor_enabled}


@router.get("/workspaces", response=list_of(MyWorkspaceOut), summary="The workspaces I belong to")
def my_workspaces(request, page: Query[Page]):
    memberships = selectors.memberships_of(request.actor.user)
    data = paginate(memberships, page)
    data["items"] = [{"workspace": m.workspace, "role": m.role} for m in data["items"]]
    return data


@router.post("/workspaces", response={201: WorkspaceCreatedOut},
             summary="Create another workspace, with you as its owner (10 a day)")
def create_workspace(request, payload: WorkspaceIn):
    workspace = services.add_workspace(request.actor.user, name=payload.name)
    # A token belongs to one workspace, so this one does not reach the new workspace; the password does.
    how = (f'A token works in one workspace. Get one for this workspace from POST /api/v1/auth/token with your email, '
           f'password and "workspace": "{workspace.slug}".')
    return Status(201, {"workspace": workspace_out(workspace), "role": "owner",
                        "token_request": {"detail": how, "path": "/api/v1/auth/token", "workspace": workspace.slug}})


@router.get("/workspace", response=WorkspaceSettingsOut, summary="The token's workspace and its settings")
def get_workspace(request):
    return workspace_out(selectors.current_workspace(request.actor))


@router.patch("/workspace", response=WorkspaceSettingsOut,
              summary="Rename the workspace, set its time zone and locale (owner/admin), require two-factor (owner)")
def patch_workspace(request, payload: WorkspacePatch):
    return workspace_out(services.update_workspace(request.actor, **payload.model_dump(exclude_unset=True)))


@router.get("/workspace/logo", response={200: None}, summary="The workspace's logo (JPEG)")
def workspace_logo(request):
    return HttpResponse(services.workspace_logo(request.actor), content_type="image/jpeg")


@router.post("/workspace/logo", response=WorkspaceSettingsOut,
             summary="Upload a logo (JPEG, PNG, WebP or GIF up to 5 MB; stored resized, without metadata)")
def workspace_logo_upload(request, file: UploadedFile = File(...)):
    return workspace_out(services.set_workspace_logo(request.actor, file.read()))


@router.delete("/workspace/logo", response={204: None}, summary="Remove the logo")
def workspace_logo_delete(request):
    services.set_workspace_logo(request.actor, None)
    return Status(204, None)


@router.post("/workspace/leave", response={204: None},
             summary="Leave the token's workspace; this token stops working (409 for its only owner)")
def leave_workspace(request):
    services.leave_workspace(request.actor)
    return Status(204, None)


@router.get("/workspace/transfer-ownership", response=OwnershipTransferOut,
            summary="The transfer of ownership waiting for an answer (owners and its addressee; 404 when none)")
def get_ownership_transfer(request):
    transfer = selectors.pending_ownership_transfer(request.actor)
    if transfer is None:
        raise NotFound("No transfer of ownership is waiting for an answer.")
    return transfer


@router.post("/workspace/transfer-ownership", response={201: OwnershipTransferOut},
             summary="Offer ownership to another member (owner); they accept within 7 days")
def propose_ownership_transfer(request, payload: OwnershipTransferIn):
    membership = selectors.member_named_in_body(request.actor, payload.member_id)
    return Status(201, services.propose_ownership_transfer(request.actor, membership))


@router.post("/workspace/transfer-ownership/accept", response=OwnershipTransferOut,
             summary="Accept the ownership offered to you: you become owner, the proposing owner becomes admin")
def accept_ownership_transfer(request):
    return services.accept_ownership_transfer(request.actor)


@router.delete("/workspace/transfer-ownership", response={204: None},
               summary="Cancel the pending transfer (an owner) or decline it (its addressee)")
def cancel_ownership_transfer(request):
    services.cancel_ownership_transfer(request.actor)
    return Status(204, None)


@router.get("/members", response=list_of(MemberOut), summary="Members of the token's workspace")
def members(request, page: Query[Page]):
    return paginate(selectors.members_visible_to(request.actor), page)


@router.patch("/members/{int:member_id}", response=MemberOut, summary="Change a member's role (owner/admin)")
def patch_member(request, member_id: Id, payload: MemberPatch):
    membership = selectors.get_member(request.actor, member_id)
    return services.change_member_role(request.actor, membership, role=payload.role)


@router.delete("/members/{int:member_id}", response={204: None},
               summary="Remove a member: their API tokens for this workspace stop at once (owner/admin)")
def remove_member(request, member_id: Id):
    services.remove_member(request.actor, selectors.get_member(request.actor, member_id))
    return Status(204, None)


@router.get("/invitations", response=list_of(InvitationOut), summary="Pending invitations (owner/admin)")
def invitations(request, page: Query[Page]):
    return paginate(selectors.invitations_visible_to(request.actor), page)


@router.post("/invitations", response={201: InvitationSentOut},
             summary="Invite someone by email (owner/admin); replaces a pending invitation to the address, keeping "
                     "its role unless `role` is given")
def invite(request, payload: InvitationIn):
    return Status(201, services.invite_member(request.actor, email=payload.email, role=payload.role))


@router.delete("/invitations/{int:invitation_id}", response={204: None}, summary="Withdraw a pending invitation")
def withdraw_invitation(request, invitation_id: Id):
    services.revoke_invitation(request.actor, selectors.get_invitation(request.actor, invitation_id))
    return Status(204, None)


@router.post("/invitations/accept", auth=None, response={201: InvitationAcceptedOut},
             summary="Accept an invitation with its emailed code (creates the account when needed)")
def accept_invitation(request, payload: InvitationAcceptIn):
    user, membership = services.accept_invitation(code=payload.code, password=payload.password,
                                                  full_name=payload.full_name)
    return Status(201, {"user": user_out(user), "workspace": membership.workspace, "role": membership.role})


class AuditFilter(Page):
    actor_id: Id | None = Field(None, description="Only events by this user (their actor_user_id)")
    action: str | None = Field(None, max_length=80, pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)*\.?$",
                               description="One action (org.employee.created), or every action under a prefix "
                                           "(org, org.employee.)")
    target_type: str | None = Field(None, max_length=80, description="Only events about this kind of target "
                                                                     "(Employee, Membership, ...)")
    target_id: str | None = Field(None, max_length=64, description="With target_type: only events about this one")
    since: dt.datetime | None = Field(None, description="Events at or after this time (ISO 8601; without an offset, UTC)")
    until: dt.datetime | None = Field(None, description="Events at or before this time (ISO 8601; without an offset, UTC)")


def _audit_filters(filters: AuditFilter) -> dict:
    """The selector's arguments; every bad combination is reported at once, each naming its field."""
    problems, instants = [], {}
    for name in ("since", "until"):
        value = getattr(filters, name)
        try:
            instants[name] = value and (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
        except (OverflowError, ValueError):  # year 1 or 9999 with an offset leaves the calendar
            problems.append(ValidationFailed(f"{name} is out of range.", field=name))
    if instants.get("since") and instants.get("until") and instants["since"] > instants["until"]:
        problems.append(ValidationFailed("until is before since.", field="until"))
    if filters.target_type and filters.target_type not in audit.TARGETS:
        problems.append(ValidationFailed(f"target_type is one of {', '.join(sorted(audit.TARGETS))}.",
                                         field="target_type"))
    if filters.target_id and not filters.target_type:
        problems.append(ValidationFailed("Send target_type with target_id.", field="target_type"))
    if problems:
        raise ValidationFailed(problems=problems)
    return {"action": filters.action, "actor_user_id": filters.actor_id, "target_type": filters.target_type,
            "target_id": filters.target_id, **instants}


def audit_event_out(event, links: dict[tuple[str, str], str]) -> dict:
    path = links.get((event.target_type, event.target_id))
    return {"id": event.pk, "seq": event.seq, "occurred_at": event.occurred_at, "action": event.action,
            "action_label": audit.action_label(event.action), "actor_label": event.actor_label,
            "actor_user_id": event.actor_user_id, "target_type": event.target_type, "target_id": event.target_id,
            "target_label": audit.target_name(event), "target_url": settings.BASE_URL + path if path else None,
            "ip_address": event.ip_address, "data": event.data}


@router.get("/audit-events", response=list_of(AuditEventOut), summary="The workspace audit log (owner/admin)")
def audit_events(request, filters: Query[AuditFilter]):
    data = paginate(selectors.audit_events_for(request.actor, **_audit_filters(filters)), filters)
    links = audit.target_links(request.actor, data["items"])
    data["items"] = [audit_event_out(event, links) for event in data["items"]]
    return data


# --- permissions and roles ---------------------------------------------------------------------------


def role_out(role, counts: dict[str, int]) -> dict:
    return {"id": role.pk, "key": role.key, "name": role.name, "description": role.description,
            "is_builtin": role.is_builtin, "permissions": roles.permissions_of(role),
            "member_count": counts.get(role.key, 0)}


@router.get("/permissions", response=list_of(PermissionOut), summary="Every permission a role can hold")
def permissions(request):
    items = [{"name": name, "description": text} for name, text in sorted(PERMISSIONS.items())]
    return {"items": items, "count": len(items)}


@router.get("/roles", response=list_of(RoleOut), summary="Built-in and custom roles")
def role_list(request, page: Query[Page]):
    data = paginate(roles.roles_visible_to(request.actor), page)
    counts = roles.member_counts()
    data["items"] = [role_out(r, counts) for r in data["items"]]
    return data


@router.post("/roles", response={201: RoleOut}, summary="Create a custom role (roles.manage)")
def role_create(request, payload: RoleIn):
    return Status(201, role_out(roles.create_role(request.actor, **payload.model_dump()), {}))


@router.get("/roles/{int:role_id}", response=RoleOut, summary="One role")
def role_detail(request, role_id: Id):
    return role_out(roles.get_role(request.actor, role_id), roles.member_counts())


@router.patch("/roles/{int:role_id}", response=RoleOut, summary="Rename or recompose a custom role")
def role_update(request, role_id: Id, payload: RolePatch):
    role = roles.update_role(request.actor, roles.get_role(request.actor, role_id),
                             **payload.model_dump(exclude_unset=True))
    return role_out(role, roles.member_counts())


@router.delete("/roles/{int:role_id}", response={204: None},
               summary="Delete a custom role nobody holds (409 if in use; 403 if it holds rights you lack)")
def role_delete(request, role_id: Id):
    roles.delete_role(request.actor, roles.get_role(request.actor, role_id))
    return Status(204, None)

from django.db.models import QuerySet
from ninja import Field, Query, Router, Schema, Status

from . import pagination, roles, selectors, services
from .errors import ValidationFailed
from .permissions import PERMISSIONS
from .schemas import (
    AuditEventOut,
    Id,
    InvitationAcceptedOut,
    InvitationAcceptIn,
    InvitationIn,
    InvitationOut,
    Limit,
    MemberOut,
    MemberPatch,
    MeOut,
    MyWorkspaceOut,
    Offset,
    PermissionOut,
    RoleIn,
    RoleOut,
    RolePatch,
    WorkspaceOut,
    WorkspacePatch,
)

router = Router(tags=["workspace"])


class Page(Schema):
    limit: Limit = pagination.DEFAULT_LIMIT
    offset: Offset = 0
    cursor: str | None = Field(None, max_length=pagination.MAX_CURSOR_LENGTH,
                               description="next_cursor of the previous page")


def check_page(page: Page) -> None:
    pagination.check_limit(page.limit)
    if page.offset and page.cursor:
        raise ValidationFailed("Send a cursor or an offset, not both.", field="offset")


def paginate(queryset: QuerySet, page: Page) -> dict:
    """A page of an ordered queryset: after `cursor` (cheap at any depth), or at `offset` (slow deep down)."""
    check_page(page)
    if page.offset:
        return pagination.offset_page(queryset, limit=page.limit, offset=page.offset).as_dict()
    return pagination.keyset_page(queryset, limit=page.limit, cursor=page.cursor).as_dict()


def list_of(schema):
    # count: the total, counted on the first page and carried by the cursor; next_cursor: null on the last page.
    annotations = {"items": list[schema], "count": int | None, "next_cursor": str | None}
    return type(f"{schema.__name__}List", (Schema,), {"__annotations__": annotations, "next_cursor": None})


def user_out(user) -> dict:
    return {"id": user.pk, "email": user.email, "full_name": user.full_name, "email_verified": user.email_verified}


def workspace_out(workspace) -> dict:
    # Plain dicts validate several times faster than models read through ninja's attribute getter.
    return {"id": workspace.pk, "slug": workspace.slug, "name": workspace.name,
            "require_two_factor": workspace.require_two_factor}


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


@router.patch("/workspace", response=WorkspaceOut, summary="Change the token's workspace settings (owner)")
def patch_workspace(request, payload: WorkspacePatch):
    return services.set_two_factor_requirement(request.actor, required=payload.require_two_factor)


@router.get("/members", response=list_of(MemberOut), summary="Members of the token's workspace")
def members(request, page: Query[Page]):
    return paginate(selectors.members_visible_to(request.actor), page)


@router.patch("/members/{int:member_id}", response=MemberOut, summary="Change a member's role (owner/admin)")
def patch_member(request, member_id: Id, payload: MemberPatch):
    membership = selectors.get_member(request.actor, member_id)
    return services.change_member_role(request.actor, membership, role=payload.role)


@router.get("/invitations", response=list_of(InvitationOut), summary="Pending invitations (owner/admin)")
def invitations(request, page: Query[Page]):
    return paginate(selectors.invitations_visible_to(request.actor), page)


@router.post("/invitations", response={201: InvitationOut}, summary="Invite someone by email (owner/admin)")
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
    action: str | None = None


@router.get("/audit-events", response=list_of(AuditEventOut), summary="The workspace audit log (owner/admin)")
def audit_events(request, filters: Query[AuditFilter]):
    return paginate(selectors.audit_events_for(request.actor, action=filters.action), filters)


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

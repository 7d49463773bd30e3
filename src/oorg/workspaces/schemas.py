"""Request and answer shapes of the workspace API: workspaces, members, invitations, roles, the audit log."""
from datetime import datetime

from ninja import Schema
from pydantic import Field

from oorg.accounts.schemas import UserOut
from oorg.core.schemas import Email, Id, StrictSchema, WorkspaceOut


class WorkspaceSettingsOut(WorkspaceOut):
    time_zone: str
    locale: str
    has_logo: bool = False

    @staticmethod
    def resolve_has_logo(obj):
        return bool(obj["logo"] if isinstance(obj, dict) else obj.logo)


class MyWorkspaceOut(Schema):
    workspace: WorkspaceOut
    role: str


class MeOut(Schema):
    user: UserOut
    workspace: WorkspaceSettingsOut
    role: str
    permissions: list[str]
    two_factor_enabled: bool


class MemberOut(Schema):
    id: int
    user: UserOut
    role: str
    joined_at: datetime
    two_factor_enabled: bool

    @staticmethod
    def resolve_two_factor_enabled(obj):
        return obj.user.two_factor_enabled


class MemberPatch(StrictSchema):
    role: str = Field(min_length=1, max_length=32)


class InvitationIn(StrictSchema):
    email: Email
    role: str | None = Field(default=None, min_length=1, max_length=32,
                             description="Leave out to keep the role of a pending invitation to this address "
                                         "(\"member\" when there is none)")


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    created_at: datetime
    expires_at: datetime


class InvitationSentOut(InvitationOut):
    replaced: bool = Field(description="A pending invitation to this address was replaced (its code no longer works)")
    previous_role: str | None = Field(description="The replaced invitation's role; null when none was pending")


class InvitationAcceptIn(StrictSchema):
    code: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=4096)
    full_name: str = Field(default="", max_length=150)


class InvitationAcceptedOut(Schema):
    user: UserOut
    workspace: WorkspaceOut
    role: str


class WorkspacePatch(StrictSchema):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    time_zone: str | None = Field(default=None, max_length=64, description="An IANA name, such as Europe/Berlin")
    locale: str | None = Field(default=None, max_length=16, description="One of en-GB, en-US, de-DE, fr-FR, es-ES, "
                                                                        "it-IT, nl-NL, pl-PL, pt-PT, pt-BR")
    require_two_factor: bool | None = None


class WorkspaceIn(StrictSchema):
    name: str = Field(min_length=1, max_length=120)


class TokenRequestOut(Schema):
    detail: str
    path: str
    workspace: str


class WorkspaceCreatedOut(Schema):
    workspace: WorkspaceSettingsOut
    role: str
    token_request: TokenRequestOut


class OwnershipTransferIn(StrictSchema):
    member_id: Id


class OwnershipTransferOut(Schema):
    id: int
    state: str
    from_member: MemberOut
    to_member: MemberOut
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None


class AuditEventOut(Schema):
    id: int
    seq: int
    occurred_at: datetime
    action: str
    action_label: str = Field(description="What a person reads for the action (\"Employee created\")")
    actor: str = Field(alias="actor_label")
    actor_user_id: int | None
    target_type: str
    target_id: str
    target_label: str = Field(description="The target's name when the event was recorded (events from before "
                                          "names were kept: its kind and id); empty without a target")
    target_url: str | None = Field(description="Its page, while it exists and the caller may open it; else null")
    ip_address: str | None
    data: dict = Field(description="Details of the action; `fields` names the fields an update changed")


class PermissionOut(Schema):
    name: str
    description: str


class RoleOut(Schema):
    id: int
    key: str
    name: str
    description: str
    is_builtin: bool
    permissions: list[str]
    member_count: int = 0


class RoleIn(StrictSchema):
    name: str = Field(min_length=1, max_length=60)
    description: str = Field(default="", max_length=200)
    permissions: list[str] = Field(max_length=500)


class RolePatch(StrictSchema):
    name: str | None = Field(default=None, min_length=1, max_length=60)
    description: str | None = Field(default=None, max_length=200)
    permissions: list[str] | None = Field(default=None, max_length=500)

from datetime import datetime
from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field

# Every integer the API takes is bounded, so a number no database column holds (a 64-bit signed integer)
# is a 422 at the door rather than an overflow in a query. tests/core/test_api_strictness.py walks the
# OpenAPI document and fails on any integer parameter or body field without these bounds.
MAX_INT64 = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_INT64)]  # a row id, in a path, a query string or a body
Offset = Annotated[int, Field(ge=0, le=MAX_INT64)]
Limit = Annotated[int, Field(ge=1, le=200)]  # pagination.MAX_LIMIT


class StrictSchema(Schema):
    """The base of every request body: an unknown field is a 422 naming it, never silently dropped
    (a typo such as `time_zon` must not look like a success)."""

    model_config = ConfigDict(extra="forbid")


class ErrorItem(Schema):
    field: str | None = None
    message: str


class ErrorOut(Schema):
    """What every 4xx and 5xx answer of the API looks like (`errors` with 422s only)."""

    detail: str
    code: str
    field: str | None = None
    errors: list[ErrorItem] | None = None


def _email(value: str) -> str:
    value = value.strip().lower()
    try:
        validate_email(value)
    except DjangoValidationError:
        raise ValueError("Enter a valid email address.") from None
    return value


# Django's validator rather than email-validator's: the latter refuses reserved domains (.test, .local)
# that self-hosted and test workspaces use.
Email = Annotated[str, Field(max_length=254), AfterValidator(_email)]


class UserOut(Schema):
    id: int
    email: str
    full_name: str
    email_verified: bool


class WorkspaceOut(Schema):
    id: int
    slug: str
    name: str
    require_two_factor: bool = False


class MyWorkspaceOut(Schema):
    workspace: WorkspaceOut
    role: str


class MeOut(Schema):
    user: UserOut
    workspace: WorkspaceOut
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
    role: str = Field(default="member", min_length=1, max_length=32)


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    created_at: datetime
    expires_at: datetime


class InvitationAcceptIn(StrictSchema):
    code: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=4096)
    full_name: str = Field(default="", max_length=150)


class InvitationAcceptedOut(Schema):
    user: UserOut
    workspace: WorkspaceOut
    role: str


class WorkspacePatch(StrictSchema):
    require_two_factor: bool


class AuditEventOut(Schema):
    id: int
    seq: int
    occurred_at: datetime
    action: str
    actor: str = Field(alias="actor_label")
    actor_user_id: int | None
    target_type: str
    target_id: str
    ip_address: str | None
    data: dict


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

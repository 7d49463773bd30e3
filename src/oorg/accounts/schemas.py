from datetime import datetime

from ninja import Schema
from pydantic import Field

from oorg.core.schemas import Email, StrictSchema, WorkspaceOut


class UserOut(Schema):
    id: int
    email: str
    full_name: str
    email_verified: bool


class SignupIn(StrictSchema):
    email: Email
    password: str = Field(min_length=1, max_length=4096)
    full_name: str = Field(min_length=1, max_length=150)
    workspace_name: str = Field(min_length=1, max_length=120)


class SignupOut(Schema):
    user: UserOut
    workspace: WorkspaceOut


class VerifyEmailIn(StrictSchema):
    email: Email
    code: str = Field(min_length=1, max_length=12)


class EmailIn(StrictSchema):
    email: Email


class TokenIn(StrictSchema):
    email: Email
    password: str = Field(min_length=1, max_length=4096)
    workspace: str | None = Field(default=None, max_length=60)
    name: str | None = Field(default=None, max_length=80)
    otp: str | None = Field(default=None, max_length=20)


class NewTokenIn(StrictSchema):
    name: str = Field(min_length=1, max_length=80)
    expires_in_days: int | None = Field(default=None, ge=1, le=366)


class NewTokenOut(Schema):
    id: int
    name: str
    token: str
    expires_at: datetime


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None


class PasswordResetConfirmIn(StrictSchema):
    email: Email
    code: str = Field(min_length=1, max_length=12)
    new_password: str = Field(min_length=1, max_length=4096)


class SessionOut(Schema):
    id: int
    device: str
    ip_address: str | None
    created_at: datetime
    last_seen_at: datetime


class TwoFactorSetupOut(Schema):
    secret: str
    otpauth_uri: str


class CodeIn(StrictSchema):
    code: str = Field(min_length=1, max_length=12)


class RecoveryCodesOut(Schema):
    recovery_codes: list[str]
    revoked_tokens: int  # API tokens made before two-factor was on, revoked now (this one included)
    detail: str


class PasswordIn(StrictSchema):
    password: str = Field(min_length=1, max_length=4096)


class DetailOut(Schema):
    detail: str


class PasswordChangeIn(StrictSchema):
    current_password: str = Field(min_length=1, max_length=4096)
    new_password: str = Field(min_length=1, max_length=4096)


class EmailChangeIn(StrictSchema):
    new_email: Email
    password: str = Field(min_length=1, max_length=4096)


class EmailChangedOut(Schema):
    detail: str
    email: str


class RecoveryCodesRegenerateIn(StrictSchema):
    """Confirm with the password or a fresh code from the authenticator app (one of them)."""

    password: str | None = Field(default=None, min_length=1, max_length=4096)
    code: str | None = Field(default=None, min_length=1, max_length=12)


class NewRecoveryCodesOut(Schema):
    recovery_codes: list[str]  # shown this once: only their hashes are kept
    detail: str


class ProfileOut(Schema):
    email: str
    full_name: str
    time_zone: str
    language: str
    has_photo: bool


class ProfilePatch(StrictSchema):
    full_name: str | None = Field(default=None, max_length=150)
    time_zone: str | None = Field(default=None, max_length=64, description="An IANA name, such as Europe/Berlin")
    language: str | None = Field(default=None, max_length=12, description="A code from settings.LANGUAGES")

from ninja import Router, Status

from oorg.core.api import list_of, user_out
from oorg.core.schemas import Id

from . import services
from .schemas import (
    CodeIn,
    DetailOut,
    EmailIn,
    NewTokenIn,
    NewTokenOut,
    PasswordIn,
    PasswordResetConfirmIn,
    RecoveryCodesOut,
    SessionOut,
    SignupIn,
    SignupOut,
    TokenIn,
    TokenOut,
    TwoFactorSetupOut,
    VerifyEmailIn,
)

router = Router(tags=["auth"])


@router.post("/signup", auth=None, response={201: SignupOut}, summary="Create an account and its workspace (409 if the email is taken; 10 per hour per IP, then 429)")
def signup(request, payload: SignupIn):
    user, workspace = services.sign_up(**payload.model_dump())
    return Status(201, {"user": user_out(user), "workspace": workspace})


@router.post("/verify-email", auth=None, response=DetailOut, summary="Confirm the email with the 6-digit code")
def verify_email(request, payload: VerifyEmailIn):
    services.verify_email(email=payload.email, code=payload.code)
    return {"detail": "Email verified."}


@router.post("/verify-email/resend", auth=None, response={202: DetailOut}, summary="Send a new verification code")
def resend_verification(request, payload: EmailIn):
    services.resend_verification(email=payload.email)
    return Status(202, {"detail": "If that account waits for verification, a new code is on its way."})


@router.post("/token", auth=None, response={201: NewTokenOut}, summary="Exchange email + password for an API token")
def token(request, payload: TokenIn):
    row, secret = services.create_token_by_password(**payload.model_dump())
    return Status(201, {"id": row.pk, "name": row.name, "token": secret, "expires_at": row.expires_at})


@router.post("/password-reset", auth=None, response={202: DetailOut}, summary="Email a password reset code")
def password_reset(request, payload: EmailIn):
    services.request_password_reset(email=payload.email)
    return Status(202, {"detail": "If an account uses that email, a reset code is on its way."})


@router.post("/password-reset/confirm", auth=None, response=DetailOut, summary="Set a new password with the code")
def password_reset_confirm(request, payload: PasswordResetConfirmIn):
    services.confirm_password_reset(**payload.model_dump())
    return {"detail": "Password changed. Every session and token was signed out."}


@router.get("/sessions", response=list_of(SessionOut), summary="My signed-in browser sessions")
def sessions(request):
    items = list(services.sessions_of(request.actor.user))
    return {"items": items, "count": len(items)}


@router.delete("/sessions/{int:session_id}", response={204: None}, summary="Sign one browser session out")
def revoke_session(request, session_id: Id):
    services.revoke_session(request.actor.user, session_id)
    return Status(204, None)


@router.delete("/sessions", response={204: None}, summary="Sign every browser session out")
def revoke_all_sessions(request):
    services.revoke_other_sessions(request.actor.user)
    return Status(204, None)


@router.get("/tokens", response=list_of(TokenOut), summary="My live API tokens in this workspace")
def tokens(request):
    items = list(services.tokens_of(request.actor.user))
    return {"items": items, "count": len(items)}


@router.post("/tokens", response={201: NewTokenOut}, summary="Create another API token (shown once)")
def create_token(request, payload: NewTokenIn):
    a = request.actor
    row, secret = services.issue_token(a.user, a.membership, name=payload.name, days=payload.expires_in_days)
    return Status(201, {"id": row.pk, "name": row.name, "token": secret, "expires_at": row.expires_at})


@router.delete("/tokens/{int:token_id}", response={204: None}, summary="Revoke an API token")
def revoke_token(request, token_id: Id):
    services.revoke_token(request.actor.user, token_id)
    return Status(204, None)


@router.post("/two-factor/setup", response=TwoFactorSetupOut, summary="Start two-factor setup: a new TOTP secret")
def two_factor_setup(request):
    secret, uri = services.begin_two_factor_setup(request.actor.user)
    return {"secret": secret, "otpauth_uri": uri}


@router.post("/two-factor/enable", response=RecoveryCodesOut, summary="Confirm with a code; get 10 recovery codes (revokes your existing API tokens)")
def two_factor_enable(request, payload: CodeIn):
    codes = services.enable_two_factor(request.actor.user, code=payload.code)
    return {"recovery_codes": codes, "revoked_tokens": codes.revoked_tokens,
            "detail": services.tokens_revoked_notice(codes, asked_by_token=True)}


@router.post("/two-factor/disable", response=DetailOut, summary="Turn two-factor sign-in off (needs the password)")
def two_factor_disable(request, payload: PasswordIn):
    services.disable_two_factor(request.actor.user, password=payload.password)
    return {"detail": "Two-factor sign-in is off."}

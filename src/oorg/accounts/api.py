from django.http import HttpResponse
from ninja import File, Router, Status
from ninja.files import UploadedFile

from oorg.core.api import list_of
from oorg.core.schemas import Id

from . import services
from .schemas import (
    CodeIn,
    DetailOut,
    EmailChangedOut,
    EmailChangeIn,
    EmailIn,
    NewRecoveryCodesOut,
    NewTokenIn,
    NewTokenOut,
    PasswordChangeIn,
    PasswordIn,
    PasswordResetConfirmIn,
    ProfileOut,
    ProfilePatch,
    RecoveryCodesOut,
    RecoveryCodesRegenerateIn,
    SessionOut,
    SignupIn,
    SignupOut,
    TokenIn,
    TokenOut,
    TwoFactorSetupOut,
    VerifyEmailIn,
)

router = Router(tags=["auth"])


def user_out(user) -> dict:
    return {"id": user.pk, "email": user.email, "full_name": user.full_name, "email_verified": user.email_verified}


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


# --- the account itself: password, email, profile, recovery codes -------------------------------------------
# A wrong password or code here is a 422 naming its field (`current_password`, `password`, `code`), like any
# other bad value, and counts with the sign-in failures: after 5, 429 with Retry-After.


@router.post("/password", response=DetailOut,
             summary="Change my password (ends every browser session; API tokens keep working; 429 after 5 wrong)")
def change_password(request, payload: PasswordChangeIn):
    ended = services.change_password(request.actor.user, **payload.model_dump())
    return {"detail": f"Password changed. {services.sessions_ended_sentence(ended)} Your API tokens keep working."}


@router.post("/email", response={202: DetailOut},
             summary="Ask to change my email: a code goes to the new address, a notice to the current one "
                     "(409 if another account uses it)")
def request_email_change(request, payload: EmailChangeIn):
    services.request_email_change(request.actor.user, new_email=payload.new_email, password=payload.password)
    return Status(202, {"detail": f"We sent a 6-digit code to {payload.new_email}. Confirm it within 10 minutes."})


@router.post("/email/confirm", response=EmailChangedOut, summary="Confirm the new email with its 6-digit code")
def confirm_email_change(request, payload: CodeIn):
    user = services.confirm_email_change(request.actor.user, code=payload.code)
    return {"detail": "Your email address is changed.", "email": user.email}


@router.post("/two-factor/recovery-codes", response=NewRecoveryCodesOut,
             summary="Replace my recovery codes (confirm with password or an app code); the old ones stop working")
def regenerate_recovery_codes(request, payload: RecoveryCodesRegenerateIn):
    codes = services.regenerate_recovery_codes(request.actor.user, password=payload.password, code=payload.code)
    return {"recovery_codes": codes,
            "detail": "Save these codes now: they are shown only this once. Your old codes no longer work."}


def _profile(user) -> dict:
    return {"email": user.email, "full_name": user.full_name, "time_zone": user.time_zone,
            "language": user.language, "has_photo": bool(user.photo)}


@router.get("/profile", response=ProfileOut, summary="My profile: name, time zone, language, whether I have a photo")
def profile(request):
    return _profile(request.actor.user)


@router.patch("/profile", response=ProfileOut, summary="Change my name, time zone (IANA) or language")
def update_profile(request, payload: ProfilePatch):
    user = request.actor.user
    services.update_profile(user, **payload.model_dump(exclude_unset=True))
    return _profile(user)


@router.get("/profile/photo", response={200: None}, summary="My photo (JPEG)")
def profile_photo(request):
    return HttpResponse(services.profile_photo(request.actor.user), content_type="image/jpeg")


@router.post("/profile/photo", response=ProfileOut,
             summary="Upload my photo (JPEG, PNG, WebP or GIF up to 5 MB; stored resized, without metadata)")
def profile_photo_upload(request, file: UploadedFile = File(...)):
    user = request.actor.user
    services.set_profile_photo(user, file.read())
    return _profile(user)


@router.delete("/profile/photo", response={204: None}, summary="Remove my photo")
def profile_photo_delete(request):
    services.set_profile_photo(request.actor.user, None)
    return Status(204, None)

"""Accounts: signup, email verification, sign-in, two-factor, password reset, sessions, API tokens.

Every write and rule lives here; the API (accounts/api.py) and the pages (web/views) call these.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

import pyotp
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from oorg.core import audit, files, images, mail, request_context
from oorg.core.crypto import constant_time_equal, decrypt, encrypt, hash_code
from oorg.core.errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    Problems,
    ValidationFailed,
    refuse_all,
)
from oorg.core.models import Membership
from oorg.core.places import time_zone_names
from oorg.core.ratelimit import hit
from oorg.core.selectors import memberships_of
from oorg.core.tenancy import workspace_scope

from . import guard
from .codes import InvalidCode, consume_code, issue_code, was_last_code
from .devices import describe
from .guard import secret_check
from .models import ApiToken, EmailCode, KnownDevice, RecoveryCode, User, UserSession
from .policies import PRIVACY_POLICY_VERSION, TERMS_VERSION

# Every secret check shares one ledger and limits: see guard.py.
SIGNIN_WINDOW = guard.WINDOW
SIGNIN_MAX_FAILURES_PER_ACCOUNT = guard.MAX_FAILURES_PER_ACCOUNT
SIGNIN_MAX_FAILURES_PER_IP = guard.MAX_FAILURES_PER_IP
RESEND_LIMITS = [(1, timedelta(seconds=60)), (5, timedelta(hours=1))]
RECOVERY_CODE_COUNT = 10


class EmailNotVerified(DomainError):
    status = 403
    code = "email_not_verified"
    message = "Verify your email address first: enter the 6-digit code we sent you."


class SecondFactorRequired(DomainError):
    status = 401
    code = "otp_required"
    message = "Enter the code from your authenticator app (or a recovery code)."


class TwoFactorSetupRequired(DomainError):
    status = 403
    code = "two_factor_setup_required"
    message = "This workspace requires two-factor sign-in. Set it up first."


# --- passwords ---------------------------------------------------------------------------


def check_new_password(password: str, user: User | None = None, *, field: str = "password") -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as e:
        raise ValidationFailed(" ".join(e.messages), field=field) from None


def _send_verification(user: User) -> None:
    code = issue_code(user, EmailCode.Purpose.VERIFY_EMAIL)
    mail.send(
        user.email,
        f"Your OORG verification code: {code}",
        f"Hello {user.full_name},\n\nYour OORG verification code is {code}.\n"
        f"It is valid for 10 minutes. Enter it at {settings.BASE_URL}/verify\n\n"
        "If you did not sign up for OORG, ignore this email.\n",
    )


# --- signup and verification ---------------------------------------------------------------


def sign_up(*, email: str, password: str, full_name: str, workspace_name: str):
    """Create an unverified user, their workspace (they own it) and send the 6-digit code."""
    from oorg.workspaces.services import create_workspace

    email = email.strip().lower()
    full_name = full_name.strip()
    if not full_name:
        raise ValidationFailed("Enter your full name.", field="full_name")
    if not workspace_name.strip():
        raise ValidationFailed("Enter a workspace name.", field="workspace_name")
    check_new_password(password, User(email=email, full_name=full_name))
    # The 409 below tells whether an address has an account, so sign-ups are counted per client IP first.
    hit("signup", request_context.client_ip.get() or "unknown", limits=guard.SIGNUP_LIMITS)
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict("An account with this email already exists. Sign in instead.", field="email")
    try:
        with transaction.atomic():
            now = timezone.now()
            user = User.objects.create_user(
                email, password, full_name=full_name,
                accepted_privacy_version=PRIVACY_POLICY_VERSION, accepted_terms_version=TERMS_VERSION,
                accepted_policies_at=now,
            )
            workspace = create_workspace(user, name=workspace_name.strip())
            with workspace_scope(workspace):
                audit.record(None, "account.signed_up", user, workspace=workspace, user=user,
                             privacy_version=PRIVACY_POLICY_VERSION, terms_version=TERMS_VERSION)
            _send_verification(user)
    except IntegrityError:
        raise Conflict("An account with this email already exists. Sign in instead.", field="email") from None
    return user, workspace


@secret_check("the emailed 6-digit email verification code")
def verify_email(*, email: str, code: str) -> User:
    attempt = guard.reserve(email=email)
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is not None and user.email_verified and was_last_code(user, EmailCode.Purpose.VERIFY_EMAIL, code):
        attempt.uncounted()
        return user  # a repeated submit of the good code (a double click, a retry) is not an error
    consume_code(user, EmailCode.Purpose.VERIFY_EMAIL, code)
    attempt.uncounted()
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    for m in memberships_of(user):
        audit.record(None, "account.email_verified", user, workspace=m.workspace, user=user)
    return user


def resend_verification(*, email: str) -> None:
    """Always succeeds quietly for unknown or verified emails; throttled per address. The request only counts
    and queues a job (which looks the account up), so its work is the same for every address."""
    from .tasks import send_verification_code

    email = email.strip().lower()
    hit("verify-resend", email, limits=RESEND_LIMITS)
    sealed = encrypt(email)  # the broker never holds the address in clear
    transaction.on_commit(lambda: send_verification_code.delay(sealed))


def send_verification_code(*, email: str) -> None:
    """The job behind resend_verification."""
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is not None and not user.email_verified:
        with transaction.atomic():
            _send_verification(user)


# --- sign-in ---------------------------------------------------------------------------------


def _audit_account(user: User | None, action: str, *, email: str, **data) -> None:
    """Account events go into every workspace the user belongs to (admins see their members' sign-ins)."""
    workspaces = [m.workspace for m in memberships_of(user)] if user is not None else []
    for i, workspace in enumerate(workspaces or [None]):  # one event for notifications: the first copy's
        audit.record(None, action, user, workspace=workspace, user=user, actor_label=email, emit=i == 0, **data)


@secret_check("the password, at sign-in and wherever an account proves itself with it")
def check_password(*, email: str, password: str) -> User:
    """The first step of every sign-in. Same error for an unknown email and a wrong password;
    429 after 5 failures for the account or 20 from the IP within 15 minutes, even with the right password."""
    email = email.strip().lower()
    attempt = guard.reserve(email=email)
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        User(email=email).set_password(password)  # same work as a real check, so timing tells nothing
        ok = False
    else:
        ok = user.check_password(password) and user.is_active
    if ok and user.two_factor_enabled:
        # With two-factor on, the sign-in succeeds only at the second step (which records it), so a
        # right password cannot reset the count of wrong codes.
        attempt.uncounted()
    elif ok:
        attempt.passed()
    if not ok:
        _audit_account(user, "auth.signin_failed", email=email, reason="bad_credentials")
        raise AuthenticationFailed("Email or password is incorrect.")
    return user


@secret_check("the second factor at sign-in: a TOTP code or a recovery code")
def check_second_factor(user: User, otp: str | None) -> None:
    """Raise unless `otp` is a fresh TOTP code or an unused recovery code (then spent)."""
    if not user.two_factor_enabled:
        return
    if not otp:
        raise SecondFactorRequired(field="otp")
    attempt = guard.reserve(email=user.email)
    otp = otp.strip().replace(" ", "")
    now = timezone.now()
    if otp.isdigit() and len(otp) == 6:
        if accept_totp(user, otp):
            attempt.passed()
            return
    else:
        spent = RecoveryCode.objects.filter(
            user=user, used_at__isnull=True, code_hash=hash_code(f"recovery:{user.pk}:{otp.lower()}")
        ).update(used_at=now)
        if spent:
            _audit_account(user, "auth.recovery_code_used", email=user.email)
            attempt.passed()
            return
    _audit_account(user, "auth.signin_failed", email=user.email, reason="bad_second_factor")
    raise AuthenticationFailed("That two-factor code is not valid.", field="otp")


def accept_totp(user: User, otp: str) -> bool:
    """True when `otp` is a current code of the user's app (one step of clock drift either way) that was not used
    before; its time step is then spent, so the same code never works twice. Call only from a registered check."""
    totp = pyotp.TOTP(decrypt(user.totp_secret_encrypted))
    now = timezone.now()
    for offset in (-1, 0, 1):
        at = now + timedelta(seconds=30 * offset)
        step = totp.timecode(at)
        if constant_time_equal(totp.at(at), otp) and (user.totp_last_step or 0) < step:
            # Conditional, so two requests racing with one code cannot both spend it.
            fresh = User.objects.filter(pk=user.pk).filter(
                models.Q(totp_last_step__isnull=True) | models.Q(totp_last_step__lt=step))
            if not fresh.update(totp_last_step=step):
                return False
            user.totp_last_step = step
            return True
    return False


def record_signin(user: User, *, method: str) -> None:
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    _audit_account(user, "auth.signed_in", email=user.email, method=method)


KNOWN_DEVICES_KEPT = 20  # browsers remembered per user; the one seen least recently is forgotten first


def _device_hash(device_id: str) -> str:
    return hash_code(f"device:{device_id}")


def recognise_device(user: User, device_id: str | None, *, method: str) -> str:
    """A browser signed in as `user`, showing `device_id` from its device cookie (None: it has none, or a forged
    one). A browser this user signed in from before is only seen again. Any other is remembered and, unless it
    is the account's first (a new account's first sign-in), told to the user: the security notice of the audit
    action auth.new_device_signin. Answers the device id the browser keeps from now on."""
    now = timezone.now()
    if device_id and KnownDevice.objects.filter(user=user, device_id_hash=_device_hash(device_id)).update(
            last_seen_at=now):
        return device_id
    device_id = device_id or secrets.token_urlsafe(24)  # a signed id another account of this browser got is kept
    label = describe(request_context.user_agent.get() or "")[:80]
    with transaction.atomic():
        first = not KnownDevice.objects.filter(user=user).exists()
        try:
            with transaction.atomic():
                KnownDevice.objects.create(user=user, device_id_hash=_device_hash(device_id), label=label,
                                           first_seen_at=now, last_seen_at=now)
        except IntegrityError:  # the same browser signing in twice at once: the other request remembered it
            return device_id
        forgotten = list(KnownDevice.objects.filter(user=user).order_by("-last_seen_at", "-pk")
                         .values_list("pk", flat=True)[KNOWN_DEVICES_KEPT:])
        if forgotten:
            KnownDevice.objects.filter(pk__in=forgotten).delete()
        if not first:
            _audit_account(user, "auth.new_device_signin", email=user.email, device=label, method=method,
                           ip_address=request_context.client_ip.get())
    return device_id


def workspace_requires_setup(user: User, membership: Membership) -> bool:
    return membership.workspace.require_two_factor and not user.two_factor_enabled


# --- browser sessions ---------------------------------------------------------------------------


def start_session(user: User, *, session_key: str = "") -> UserSession:
    return UserSession.objects.create(
        public_id=secrets.token_hex(16), user=user, session_key=session_key,
        ip_address=request_context.client_ip.get(), user_agent=request_context.user_agent.get(),
        two_factor_passed=user.two_factor_enabled,
    )


def sessions_of(user: User):
    now = timezone.now()
    live = UserSession.objects.filter(
        user=user, revoked_at__isnull=True,
        last_seen_at__gt=now - timedelta(minutes=settings.SESSION_IDLE_MINUTES),
        created_at__gt=now - timedelta(hours=settings.SESSION_MAX_HOURS),
    )
    return live.order_by("-last_seen_at")


def revoke_session(user: User, session_id: int) -> None:
    updated = UserSession.objects.filter(user=user, pk=session_id, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if not updated:
        raise NotFound()
    _audit_account(user, "auth.session_revoked", email=user.email, session_id=session_id)


def sign_out(user: User, user_session: UserSession | None) -> None:
    if user_session is not None:
        UserSession.objects.filter(pk=user_session.pk, user=user).update(revoked_at=timezone.now())
    _audit_account(user, "auth.signed_out", email=user.email)


def revoke_other_sessions(user: User, *, keep_public_id: str | None = None) -> int:
    sessions = UserSession.objects.filter(user=user, revoked_at__isnull=True)
    if keep_public_id:
        sessions = sessions.exclude(public_id=keep_public_id)
    count = sessions.update(revoked_at=timezone.now())
    if count:
        _audit_account(user, "auth.sessions_revoked", email=user.email, count=count)
    return count


# --- API tokens -----------------------------------------------------------------------------------


def _pick_membership(user: User, workspace_slug: str | None) -> Membership:
    memberships = list(memberships_of(user))
    if workspace_slug:
        chosen = [m for m in memberships if m.workspace.slug == workspace_slug]
        if not chosen:
            raise PermissionDenied("You are not a member of that workspace.", field="workspace")
        return chosen[0]
    if len(memberships) == 1:
        return memberships[0]
    if not memberships:
        raise PermissionDenied("You are not a member of any workspace.")
    slugs = ", ".join(m.workspace.slug for m in memberships)
    raise ValidationFailed(f"You belong to several workspaces; name one in 'workspace' ({slugs}).", field="workspace")


def create_token_by_password(*, email: str, password: str, workspace: str | None = None,
                             name: str | None = None, otp: str | None = None):
    """POST /auth/token: password (+ second factor) -> a new API token for one membership."""
    user = check_password(email=email, password=password)
    if not user.email_verified:
        raise EmailNotVerified()
    membership = _pick_membership(user, workspace)
    check_second_factor(user, otp)
    if workspace_requires_setup(user, membership):
        raise TwoFactorSetupRequired()
    record_signin(user, method="api_token")
    return issue_token(user, membership, name=name or "API token")


def issue_token(user: User, membership: Membership, *, name: str, days: int | None = None):
    """Returns (token row, the plaintext token). The plaintext is never stored and shown only now."""
    if not user.email_verified:
        raise EmailNotVerified()
    if workspace_requires_setup(user, membership):
        raise TwoFactorSetupRequired()
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise ValidationFailed("Give the token a name of 1 to 80 characters.", field="name")
    days = days or settings.API_TOKEN_DAYS
    if not 1 <= days <= 366:
        raise ValidationFailed("A token lasts from 1 to 366 days.", field="expires_in_days")
    secret = "oorg_" + secrets.token_urlsafe(32)
    with workspace_scope(membership.workspace):
        token = ApiToken.objects.create(
            workspace=membership.workspace, membership=membership, user=user, name=name,
            prefix=secret[:12], token_hash=hash_code(f"token:{secret}"),
            expires_at=timezone.now() + timedelta(days=days),
        )
        audit.record(None, "auth.api_token_created", token, workspace=membership.workspace, user=user, name=name)
    return token, secret


def tokens_of(user: User):
    """The user's live tokens in the current workspace scope."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()).order_by("-created_at")


def revoke_token(user: User, token_id: int) -> None:
    token = tokens_of(user).filter(pk=token_id).first()
    if token is None:
        raise NotFound()
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(None, "auth.api_token_revoked", token, workspace=token.workspace, user=user, name=token.name)


# --- password reset --------------------------------------------------------------------------------


def request_password_reset(*, email: str) -> None:
    """Always quiet: the caller answers 202 whether or not the account exists. The request only counts (per
    address) and queues one job, which looks the account up and sends the code, so the request does the
    same work, in the same time, for known and unknown addresses."""
    from .tasks import send_password_reset_code

    email = email.strip().lower()
    if not hit("password-reset", email, limits=RESEND_LIMITS, raise_error=False):
        return
    sealed = encrypt(email)  # the broker never holds the address in clear
    transaction.on_commit(lambda: send_password_reset_code.delay(sealed))


def send_password_reset_code(*, email: str) -> None:
    """The job behind request_password_reset."""
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        return
    with transaction.atomic():
        code = issue_code(user, EmailCode.Purpose.PASSWORD_RESET)
        mail.send(
            user.email,
            f"Your OORG password reset code: {code}",
            f"Hello {user.full_name},\n\nSomeone asked to reset the password of your OORG account.\n"
            f"Your reset code is {code}. It is valid for 10 minutes: {settings.BASE_URL}/reset/confirm\n\n"
            "If this was not you, ignore this email; your password stays as it is.\n",
        )


@secret_check("the emailed 6-digit password reset code")
def confirm_password_reset(*, email: str, code: str, new_password: str) -> User:
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    # Checked the same way whether or not the account exists, so the answer tells nothing about it.
    check_new_password(new_password, user or User(email=email.strip()), field="new_password")
    attempt = guard.reserve(email=email)
    consume_code(user, EmailCode.Purpose.PASSWORD_RESET, code)
    attempt.passed()  # the mailbox is proven and the password new: the account's count starts again
    with transaction.atomic():
        user.set_password(new_password)
        if not user.email_verified:
            user.email_verified_at = timezone.now()  # the emailed code proved the address
        user.save()
        UserSession.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        _revoke_all_tokens(user, reason="password_reset")
        # The security notice of this event is the email that tells the person (accounts/events.py).
        _audit_account(user, "auth.password_reset", email=user.email)
    return user


# --- two-factor ----------------------------------------------------------------------------------------


def begin_two_factor_setup(user: User) -> tuple[str, str]:
    """A new secret (not active until confirmed by a code). Returns (secret, otpauth URI)."""
    if user.two_factor_enabled:
        raise Conflict("Two-factor sign-in is already on. Turn it off first to change devices.", field="two_factor")
    secret = pyotp.random_base32()
    user.totp_secret_encrypted = encrypt(secret)
    user.save(update_fields=["totp_secret_encrypted"])
    return secret, pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="OORG")


def pending_two_factor_setup(user: User) -> tuple[str, str] | None:
    """The secret begun but not yet confirmed, and its otpauth URI, so the setup page can show them again."""
    if user.two_factor_enabled or not user.totp_secret_encrypted:
        return None
    secret = decrypt(user.totp_secret_encrypted)
    return secret, pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="OORG")


class RecoveryCodes(list):
    """The new recovery codes, and how many API tokens turning two-factor on revoked."""

    revoked_tokens = 0


@secret_check("the TOTP code that confirms two-factor setup")
def enable_two_factor(user: User, *, code: str) -> RecoveryCodes:
    """Confirm the secret with a code from the app; returns 10 single-use recovery codes (shown once).

    Every API token of the user made before is revoked: it was obtained without a second factor."""
    if user.two_factor_enabled:
        raise Conflict("Two-factor sign-in is already on.", field="code")
    if not user.totp_secret_encrypted:
        raise ValidationFailed("Start the setup first.", field="code")
    totp = pyotp.TOTP(decrypt(user.totp_secret_encrypted))
    attempt = guard.reserve(email=user.email)
    if not totp.verify((code or "").strip(), valid_window=1):
        raise InvalidCode("That code does not match. Check the time on your phone and try again.", field="code")
    attempt.uncounted()
    with transaction.atomic():
        user.totp_enabled_at = timezone.now()
        user.totp_last_step = totp.timecode(timezone.now())
        user.save(update_fields=["totp_enabled_at", "totp_last_step"])
        codes = RecoveryCodes(replace_recovery_codes(user))
        UserSession.objects.filter(user=user).update(two_factor_passed=True)
        _audit_account(user, "auth.two_factor_enabled", email=user.email)
        codes.revoked_tokens = _revoke_all_tokens(user, reason="two_factor_enabled")
    return codes


def tokens_revoked_notice(codes: RecoveryCodes, *, asked_by_token: bool) -> str:
    n = codes.revoked_tokens
    if not n:
        return "Two-factor sign-in is on."
    this_one = ", this one included" if asked_by_token else ""
    return (f"Two-factor sign-in is on. {n} API token{' was' if n == 1 else 's were'} revoked (signed out)"
            f"{this_one}: create new ones with your password and a code.")


def _revoke_all_tokens(user: User, *, reason: str) -> int:
    """Revoke the user's live API tokens in every workspace (ended memberships too); audited per workspace."""
    now, total = timezone.now(), 0
    for membership in memberships_of(user, include_inactive=True):
        with workspace_scope(membership.workspace):
            count = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
            if count:
                audit.record(None, "auth.api_tokens_revoked", user, workspace=membership.workspace, user=user,
                             count=count, reason=reason)
        total += count
    return total


@secret_check("the password that turns two-factor off")
def disable_two_factor(user: User, *, password: str) -> None:
    """Wrong passwords count with the sign-in failures (the same throttle: 429 even for the right one)."""
    attempt = guard.reserve(email=user.email)
    if not user.check_password(password or ""):
        _audit_account(user, "auth.signin_failed", email=user.email, reason="bad_password_two_factor_off")
        raise AuthenticationFailed("Password is incorrect.", field="password")
    attempt.uncounted()
    if any(m.workspace.require_two_factor for m in memberships_of(user)):
        raise Conflict("A workspace you belong to requires two-factor sign-in.", field="two_factor")
    with transaction.atomic():
        user.totp_enabled_at = None
        user.totp_secret_encrypted = ""
        user.totp_last_step = None
        user.save(update_fields=["totp_enabled_at", "totp_secret_encrypted", "totp_last_step"])
        RecoveryCode.objects.filter(user=user).delete()
        _audit_account(user, "auth.two_factor_disabled", email=user.email)


def replace_recovery_codes(user: User) -> list[str]:
    """New single-use recovery codes; the old ones stop working in the same transaction. Only hashes are kept,
    so the plain codes returned here can be shown once and never again."""
    codes = [f"{secrets.token_hex(2)}-{secrets.token_hex(2)}-{secrets.token_hex(2)}"
             for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=hash_code(f"recovery:{user.pk}:{c}")) for c in codes
    )
    return codes


def remaining_recovery_codes(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


# --- account: password, email, profile, recovery codes -----------------------------------------------------
# Each check of a secret here goes through the guard (a wrong one counts with the sign-in failures; a right one
# is not counted, as when turning two-factor off). A refusal names every problem it found at once.

EMAIL_CHANGE_LIMITS = [(3, timedelta(minutes=10)), (10, timedelta(days=1))]  # per account
PHOTO_FOLDER = "accounts/photos"
PROFILE_FIELDS = ("full_name", "time_zone", "language")


class WrongPassword(ValidationFailed):
    code = "wrong_password"
    message = "That is not your current password."


class EmailTaken(Conflict):
    code = "email_taken"
    message = "Another account already uses this email address."


def _wrong_secret(user: User, reason: str, exc: DomainError) -> DomainError:
    _audit_account(user, "auth.signin_failed", email=user.email, reason=reason)
    return exc


@secret_check("the current password, to set a new one")
def change_password(user: User, *, current_password: str, new_password: str,
                    keep_session: str | None = None) -> int:
    """Set a new password; every browser session of the user ends except `keep_session` (the public id of the
    one asking, which the caller re-keys). API tokens stay (see SECURITY.md). Returns how many sessions ended."""
    problems: list[DomainError] = []
    try:
        check_new_password(new_password, user, field="new_password")
    except ValidationFailed as exc:
        problems.append(exc)
    attempt = guard.reserve(email=user.email)
    if not user.check_password(current_password or ""):
        problems.insert(0, _wrong_secret(user, "bad_password_change", WrongPassword(field="current_password")))
    else:
        attempt.uncounted()
        if new_password == current_password:
            problems.append(ValidationFailed("Choose a password different from your current one.",
                                             field="new_password"))
    refuse_all(problems)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        ended = revoke_other_sessions(user, keep_public_id=keep_session)
        # The security notice of this event is the email that tells the person (accounts/events.py).
        _audit_account(user, "account.password_changed", email=user.email, sessions_ended=ended)
    return ended


def sessions_ended_sentence(ended: int) -> str:
    if not ended:
        return "No other device was signed in."
    return f"{ended} other signed-in session{'s were' if ended != 1 else ' was'} signed out."


@secret_check("the password that asks to move the account to a new email address")
def request_email_change(user: User, *, new_email: str, password: str) -> None:
    """Send a 6-digit code to `new_email` and a notice to the current address; nothing changes until the code
    comes back (confirm_email_change). 409 when another account uses the address, as sign-up says; only a
    signed-in user who knows the password can ask, a few times a day."""
    new_email = new_email.strip().lower()
    problems: list[DomainError] = []
    if new_email == user.email.lower():
        problems.append(ValidationFailed("That is already your email address.", field="new_email"))
    attempt = guard.reserve(email=user.email)
    if not user.check_password(password or ""):
        problems.insert(0, _wrong_secret(user, "bad_password_email_change", WrongPassword(field="password")))
    else:
        attempt.uncounted()
    refuse_all(problems)
    hit("email-change", str(user.pk), limits=EMAIL_CHANGE_LIMITS)  # before the answer can tell "taken"
    if User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
        raise EmailTaken(field="new_email")
    with transaction.atomic():
        code = issue_code(user, EmailCode.Purpose.CHANGE_EMAIL, new_email=new_email)
        mail.send(
            new_email,
            f"Your OORG code to confirm this address: {code}",
            f"Hello {user.full_name},\n\nYou asked to use this address for your OORG account.\n"
            f"Your code is {code}. It is valid for 10 minutes: {settings.BASE_URL}/account/email\n\n"
            "If you did not ask for this, ignore this email; nothing changes without the code.\n",
        )
        mail.send(
            user.email,
            "Someone asked to change your OORG email address",
            f"Hello {user.full_name},\n\nSomeone signed in to your OORG account asked to change its email address "
            f"to {new_email}. It changes only when the code we sent there is entered.\n\n"
            f"If this was not you, change your password now at {settings.BASE_URL}/account/password "
            "and tell your workspace admin.\n",
        )
        _audit_account(user, "account.email_change_requested", email=user.email, new_email=new_email)


def pending_email_change(user: User) -> str | None:
    """The address a live change-email code was sent to, if any."""
    return (EmailCode.objects.filter(user=user, purpose=EmailCode.Purpose.CHANGE_EMAIL, used_at__isnull=True,
                                     expires_at__gt=timezone.now())
            .order_by("-created_at").values_list("new_email", flat=True).first())


@secret_check("the emailed 6-digit code that confirms a new email address")
def confirm_email_change(user: User, *, code: str) -> User:
    """Switch the account to the address the code was sent to (proven by the code). A code works once."""
    attempt = guard.reserve(email=user.email)
    spent = consume_code(user, EmailCode.Purpose.CHANGE_EMAIL, code)
    attempt.uncounted()
    old, new = user.email, spent.new_email
    taken = EmailTaken("Another account started using this address in the meantime.", field="code")
    if User.objects.filter(email__iexact=new).exclude(pk=user.pk).exists():
        raise taken
    try:
        with transaction.atomic():
            user.email = new
            user.email_verified_at = timezone.now()
            user.save(update_fields=["email", "email_verified_at"])
            _audit_account(user, "account.email_changed", email=new, old_email=old, new_email=new)
            mail.send(
                old,
                "Your OORG email address was changed",
                f"Hello {user.full_name},\n\nYour OORG account now uses {new}; this address ({old}) no longer "
                "signs in.\n\nIf this was not you, contact your workspace admin at once.\n",
            )
    except IntegrityError:
        user.email = old
        raise taken from None
    return user


def language_names() -> dict[str, str]:
    return dict(settings.LANGUAGES)


def _clean_profile_value(user: User, name: str, value) -> str:
    if name == "full_name":
        text = " ".join(str(value or "").split())
        if not text:
            raise ValidationFailed("Enter your full name.", field="full_name")
        if len(text) > 150:
            raise ValidationFailed("A name has at most 150 characters.", field="full_name")
        return text
    if name == "time_zone":
        # What the picker offers; a zone stored before the list dropped it may be kept, not chosen anew.
        if value not in time_zone_names() and value != user.time_zone:
            raise ValidationFailed("Choose a time zone from the list, such as Europe/Berlin.", field="time_zone")
        return value
    if value not in language_names():
        raise ValidationFailed(f"Choose a language from the list ({', '.join(language_names().values())}).",
                               field="language")
    return value


def update_profile(user: User, **changes) -> list[str]:
    """Change full_name, time_zone and/or language; every bad value is reported at once. Returns what changed."""
    cleaned = {}
    with Problems() as problems:
        for name, value in changes.items():
            with problems.check():
                if name not in PROFILE_FIELDS:
                    raise ValidationFailed(f"Unknown field {name!r}.", field=name)
                cleaned[name] = _clean_profile_value(user, name, value)
    changed = [name for name, value in cleaned.items() if getattr(user, name) != value]
    if changed:
        with transaction.atomic():
            for name in changed:
                setattr(user, name, cleaned[name])
            user.save(update_fields=changed)
            _audit_account(user, "account.profile_updated", email=user.email, fields=changed)
    return changed


def set_profile_photo(user: User, data: bytes | None) -> User:
    """Store a cleaned copy of the photo (at most 5 MB and 40 megapixels in; 512×512 JPEG without metadata out),
    or remove it when `data` is None. The old file goes once the change is committed."""
    old = user.photo
    if data is None and not old:
        return user

    def write(name: str) -> None:
        user.photo = name
        user.save(update_fields=["photo"])
        _audit_account(user, "account.profile_updated", email=user.email, fields=["photo"],
                       photo_removed=data is None)

    try:
        images.replace_stored_photo(data, folder=PHOTO_FOLDER, old=old, write=write)
    except Exception:
        user.photo = old  # the signed-in user object keeps showing the photo that is still stored
        raise
    return user


def profile_photo(user: User) -> bytes:
    if not user.photo:
        raise NotFound("No photo.")
    return files.read(user.photo)


@secret_check("the password or app code that replaces the recovery codes")
def regenerate_recovery_codes(user: User, *, password: str | None = None, code: str | None = None) -> list[str]:
    """New recovery codes; the old ones stop working at once. Proven with the password or a fresh app code."""
    if not user.two_factor_enabled:
        raise Conflict("Two-factor sign-in is off, so there are no recovery codes to replace.", field="two_factor")
    if not password and not code:
        raise ValidationFailed("Confirm with your password or a code from your authenticator app.", field="password")
    attempt = guard.reserve(email=user.email)
    if password:
        if not user.check_password(password):
            raise _wrong_secret(user, "bad_password_recovery_codes", WrongPassword(field="password"))
    else:
        otp = code.strip().replace(" ", "")
        if not (otp.isdigit() and len(otp) == 6 and accept_totp(user, otp)):
            raise _wrong_secret(user, "bad_code_recovery_codes", ValidationFailed(
                "That code does not match, or it was used already. Wait for the next one.", field="code",
                code="invalid_code"))
    attempt.uncounted()
    with transaction.atomic():
        codes = replace_recovery_codes(user)
        _audit_account(user, "account.recovery_codes_regenerated", email=user.email, count=len(codes))
    return codes

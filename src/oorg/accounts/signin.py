"""The browser side of signing in: what the session remembers between steps, and the last step.

The rules (passwords, codes, throttles, second factor) are in services; this only carries a
proven step from one page to the next and ties the Django login to a UserSession row.
"""
from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import login, update_session_auth_hash
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from . import services
from .middleware import SESSION_KEY
from .models import User, UserSession

PENDING_SECOND_FACTOR = "oorg_pending_2fa"
PASSWORD_PROVEN = "oorg_password_proven"  # set by signup / password sign-in of a not yet verified account
PENDING_LIFETIME = 600  # seconds to finish the second step
PASSWORD_PROOF_LIFETIME = 3600  # seconds in which verifying the email also signs this browser in
SECOND_FACTOR_TRIES = 5  # then back to the password step, whose throttle counts these failures
# The browser's device id (services.recognise_device): signed, so only ids this server gave count; HttpOnly.
DEVICE_COOKIE = "oorg_device"
DEVICE_COOKIE_SALT = "oorg.accounts.device"
DEVICE_COOKIE_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie


def safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def remember_password_proven(request, user: User) -> None:
    """Lets the verification page sign this browser in: it just proved the password."""
    request.session[PASSWORD_PROVEN] = {"user": user.pk, "since": time.time()}


def take_password_proven(request, user: User) -> bool:
    proof = request.session.pop(PASSWORD_PROVEN, None) or {}
    return proof.get("user") == user.pk and time.time() - proof.get("since", 0) < PASSWORD_PROOF_LIFETIME


def continue_signin(request, user: User, *, next_url: str | None, method: str = "password"):
    """After the password (or an equivalent proof): ask for the second factor if the user has one."""
    if user.two_factor_enabled:
        request.session[PENDING_SECOND_FACTOR] = {
            "user": user.pk, "next": next_url, "method": method, "since": time.time(), "tries": 0,
        }
        return redirect("accounts:signin-two-factor")
    finish_signin(request, user, method=method)
    return keep_device(request, redirect(next_url or reverse("web:app")))


def pending_second_factor(request) -> tuple[User | None, dict]:
    pending = request.session.get(PENDING_SECOND_FACTOR) or {}
    if not pending or time.time() - pending.get("since", 0) > PENDING_LIFETIME:
        request.session.pop(PENDING_SECOND_FACTOR, None)
        return None, {}
    return User.objects.filter(pk=pending["user"], is_active=True).first(), pending


def count_second_factor_failure(request, pending: dict) -> bool:
    """Count a wrong code; True when the pending sign-in is used up and must start over."""
    pending["tries"] = pending.get("tries", 0) + 1
    if pending["tries"] >= SECOND_FACTOR_TRIES:
        request.session.pop(PENDING_SECOND_FACTOR, None)
        return True
    request.session[PENDING_SECOND_FACTOR] = pending
    return False


def finish_second_factor(request, user: User, pending: dict):
    request.session.pop(PENDING_SECOND_FACTOR, None)
    finish_signin(request, user, method=f"{pending.get('method', 'password')}+two_factor")
    return keep_device(request, redirect(pending.get("next") or reverse("web:app")))


def finish_signin(request, user: User, *, method: str) -> None:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    row = services.start_session(user, session_key=request.session.session_key or "")
    request.session[SESSION_KEY] = row.public_id
    request.user_session = row
    services.record_signin(user, method=method)
    presented = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_COOKIE_SALT)
    request.oorg_device_id = services.recognise_device(user, presented, method=method)


def keep_device(request, response):
    """Set (or renew) the device cookie of a browser that just signed in (finish_signin decided its id)."""
    device_id = getattr(request, "oorg_device_id", None)
    if device_id:
        response.set_signed_cookie(DEVICE_COOKIE, device_id, salt=DEVICE_COOKIE_SALT, max_age=DEVICE_COOKIE_AGE,
                                   httponly=True, samesite="Lax",
                                   secure=settings.SESSION_COOKIE_SECURE or request.is_secure())
    return response


def stay_signed_in(request, user: User) -> None:
    """After this browser changed the password: it stays signed in under a new session key (the old key, which
    may have been seen elsewhere, no longer works), and its UserSession row follows the key."""
    update_session_auth_hash(request, user)  # also cycles the session key
    if request.user_session is not None:
        UserSession.objects.filter(pk=request.user_session.pk).update(session_key=request.session.session_key or "")

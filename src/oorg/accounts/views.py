"""Account pages: sign up, verify, sign in (+ second factor), reset, security, invitations.

Each view parses a form, calls the same service as the API, and lets `service_errors` put a refusal
on the form. Session bookkeeping between sign-in steps lives in `signin.py`.
"""
from __future__ import annotations

import time
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from oorg.core.crypto import decrypt, encrypt
from oorg.core.errors import Throttled
from oorg.core.forms import render_form, service_errors
from oorg.core.selectors import membership_in, memberships_of
from oorg.core.tenancy import workspace_scope
from oorg.workspaces import services as workspace_services

from . import account_views, services, signin
from .forms import (
    AcceptInvitationForm,
    NewTokenForm,
    PasswordConfirmForm,
    PasswordResetConfirmForm,
    PasswordResetForm,
    ResendCodeForm,
    SecondFactorForm,
    SignInForm,
    SignUpForm,
    TwoFactorEnableForm,
    VerifyEmailForm,
)
from .qr import qr_svg

GET_POST = require_http_methods(["GET", "POST"])


def _url(name: str, **query) -> str:
    query = {k: v for k, v in query.items() if v}
    return reverse(name) + (f"?{urlencode(query)}" if query else "")


def _bound(form_class, request, **initial):
    return form_class(request.POST) if request.method == "POST" else form_class(initial=initial)


# --- sign up and verify ----------------------------------------------------------------------------


@GET_POST
def signup(request):
    form = _bound(SignUpForm, request)
    if request.method == "POST" and form.is_valid():
        with service_errors(form):
            user, _workspace = services.sign_up(**form.service_args())
            signin.remember_password_proven(request, user)
            return redirect(_url("accounts:verify", email=user.email))
    return render_form(request, "accounts/signup.html", {"form": form}, form)


@GET_POST
def verify(request):
    email = request.GET.get("email", "")
    form = VerifyEmailForm(initial={"email": email})
    resend_form = ResendCodeForm(initial={"email": email})
    if request.method == "POST" and request.POST.get("action") == "resend":
        resend_form = ResendCodeForm(request.POST)
        if resend_form.is_valid():
            with service_errors(resend_form):
                services.resend_verification(email=resend_form.cleaned_data["email"])
                messages.info(request, "If that account is waiting for verification, a new code is on its way.")
                return redirect(_url("accounts:verify", email=resend_form.cleaned_data["email"]))
    elif request.method == "POST":
        form = VerifyEmailForm(request.POST)
        if form.is_valid():
            with service_errors(form):
                user = services.verify_email(**form.cleaned_data)
                return _after_verification(request, user)
    return render_form(request, "accounts/verify.html", {"form": form, "resend_form": resend_form}, form, resend_form)


def _after_verification(request, user):
    # Only the browser that proved the password is signed in: a code alone is not a password.
    if signin.take_password_proven(request, user):
        return signin.continue_signin(request, user, next_url=None)
    messages.success(request, "Your email address is verified. Sign in to continue.")
    return redirect(_url("accounts:signin", email=user.email))


# --- sign in and out ---------------------------------------------------------------------------------


@GET_POST
def signin_view(request):
    next_url = signin.safe_next(request)
    if request.method == "GET" and request.user.is_authenticated:
        return redirect(next_url or reverse("web:app"))
    form = _bound(SignInForm, request, email=request.GET.get("email", ""))
    if request.method == "POST" and form.is_valid():
        with service_errors(form):
            user = services.check_password(**form.cleaned_data)
            if not user.email_verified:
                signin.remember_password_proven(request, user)
                messages.info(request, services.EmailNotVerified.message)
                return redirect(_url("accounts:verify", email=user.email))
            return signin.continue_signin(request, user, next_url=next_url)
    return render_form(request, "accounts/signin.html", {"form": form, "next": next_url}, form)


@GET_POST
def signin_two_factor(request):
    user, pending = signin.pending_second_factor(request)
    if user is None:
        messages.info(request, "Your sign-in expired. Enter your email and password again.")
        return redirect("accounts:signin")
    form = _bound(SecondFactorForm, request)
    if request.method == "POST" and form.is_valid():
        with service_errors(form):
            services.check_second_factor(user, form.cleaned_data["otp"])
            return signin.finish_second_factor(request, user, pending)
        if signin.count_second_factor_failure(request, pending):
            messages.error(request, "Too many wrong codes. Sign in again.")
            return redirect("accounts:signin")
    return render_form(request, "accounts/signin_two_factor.html", {"form": form}, form)


@require_POST
def signout(request):
    if request.user.is_authenticated:
        services.sign_out(request.user, request.user_session)
    logout(request)
    messages.info(request, "You are signed out.")
    return redirect("accounts:signin")


# --- password reset ------------------------------------------------------------------------------------


@GET_POST
def password_reset(request):
    form = _bound(PasswordResetForm, request)
    if request.method == "POST" and form.is_valid():
        with service_errors(form):
            services.request_password_reset(email=form.cleaned_data["email"])
            messages.info(request, "If an account uses that email address, we sent it a 6-digit reset code. "
                                   "It is valid for 10 minutes.")
            return redirect(_url("accounts:reset-confirm", email=form.cleaned_data["email"]))
    return render_form(request, "accounts/reset.html", {"form": form}, form)


@GET_POST
def password_reset_confirm(request):
    form = _bound(PasswordResetConfirmForm, request, email=request.GET.get("email", ""))
    if request.method == "POST" and form.is_valid():
        with service_errors(form):
            user = services.confirm_password_reset(**form.cleaned_data)
            messages.success(request, "Your password is changed and every session was signed out. "
                                      "Sign in with the new password.")
            return redirect(_url("accounts:signin", email=user.email))
    return render_form(request, "accounts/reset_confirm.html", {"form": form}, form)


# --- invitations ------------------------------------------------------------------------------------------


@GET_POST
def accept_invitation(request):
    form = _bound(AcceptInvitationForm, request, code=request.GET.get("code", ""))
    if request.method == "POST" and form.is_valid():
        with service_errors(form):
            user, membership = workspace_services.accept_invitation(**form.cleaned_data)
            home = reverse("web:workspace-home", kwargs={"workspace_slug": membership.workspace.slug})
            return signin.continue_signin(request, user, next_url=home, method="invitation")
    # What the code invites to (workspace, inviter, role), through the same throttled door as accepting it. A code
    # the POST just refused is not looked up again: that refusal already counted.
    code = (request.POST if request.method == "POST" else request.GET).get("code", "")
    context, status, retry_after = {"form": form, "invitation": None, "lookup_error": None}, None, None
    if code and "code" not in form.errors:
        try:
            context["invitation"] = workspace_services.describe_invitation(code=code)
        except Throttled as exc:
            context["lookup_error"], status, retry_after = exc.message, exc.status, exc.retry_after
        except workspace_services.InvalidInvitation as exc:
            context["lookup_error"] = exc.message
    response = render_form(request, "accounts/accept_invitation.html", context, form)
    if status is not None and response.status_code == 200:
        response.status_code, response["Retry-After"] = status, str(retry_after)
    return response


# --- account security ----------------------------------------------------------------------------------------


def _security_page(request, *, status_forms=(), new_token=None, token_form=None, disable_form=None):
    user = request.user
    current = request.user_session.public_id if request.user_session else None
    workspaces = []
    for m in memberships_of(user):
        with workspace_scope(m.workspace):
            tokens = list(services.tokens_of(user))
        form = token_form if token_form is not None and token_form["workspace"].value() == m.workspace.slug \
            else NewTokenForm(initial={"workspace": m.workspace.slug})
        workspaces.append({"membership": m, "tokens": tokens, "form": form,
                           "blocked": services.workspace_requires_setup(user, m)})
    context = {
        "sessions": list(services.sessions_of(user)),
        "current_session": current,
        "workspaces": workspaces,
        "new_token": new_token,
        "recovery_codes_left": services.remaining_recovery_codes(user) if user.two_factor_enabled else None,
        "pending_email": services.pending_email_change(user),
        "disable_form": disable_form or PasswordConfirmForm(),
    }
    return render_form(request, "accounts/security.html", context, *status_forms)


@login_required
@require_safe
def security(request):
    return _security_page(request, new_token=_take_new_token(request))


@login_required
@require_POST
def revoke_session(request, session_id: int):
    services.revoke_session(request.user, session_id)
    if request.user_session is not None and request.user_session.pk == session_id:
        logout(request)
        messages.info(request, "You signed this device out.")
        return redirect("accounts:signin")
    messages.success(request, "That session is signed out.")
    return redirect("accounts:security")


@login_required
@require_POST
def revoke_other_sessions(request):
    keep = request.user_session.public_id if request.user_session else None
    count = services.revoke_other_sessions(request.user, keep_public_id=keep)
    messages.success(request, f"Signed out {count} other session{'s' if count != 1 else ''}.")
    return redirect("accounts:security")


@login_required
@require_POST
def create_token(request):
    form = NewTokenForm(request.POST)
    if form.is_valid():
        membership = membership_in(request.user, form.cleaned_data["workspace"])
        with service_errors(form):
            token, secret = services.issue_token(request.user, membership, name=form.cleaned_data["name"])
            _keep_new_token(request, token, secret, membership)
            return redirect(reverse("accounts:security") + "#new-token")
    return _security_page(request, status_forms=[form], token_form=form)


# A new token's secret is shown once, on the page the POST redirects to: sealed in this browser's session until
# that page is shown (a few minutes at most), then gone; only its keyed hash is stored.
NEW_TOKEN = "oorg_new_token"
NEW_TOKEN_LIFETIME = 300  # seconds


def _keep_new_token(request, token, secret: str, membership) -> None:
    request.session[NEW_TOKEN] = {"sealed": encrypt(secret), "id": token.pk, "workspace": membership.workspace.slug,
                                  "since": time.time()}


def _take_new_token(request) -> dict | None:
    kept = request.session.pop(NEW_TOKEN, None)
    if not kept or time.time() - kept.get("since", 0) > NEW_TOKEN_LIFETIME:
        return None
    membership = next((m for m in memberships_of(request.user) if m.workspace.slug == kept["workspace"]), None)
    if membership is None:
        return None
    with workspace_scope(membership.workspace):
        row = services.tokens_of(request.user).filter(pk=kept["id"]).first()
    return row and {"row": row, "secret": decrypt(kept["sealed"]), "membership": membership}


@login_required
@require_POST
def revoke_token(request, token_id: int):
    membership = membership_in(request.user, request.POST.get("workspace", ""))
    with workspace_scope(membership.workspace):
        services.revoke_token(request.user, token_id)
    messages.success(request, "The token is revoked; programs using it are refused from now on.")
    return redirect("accounts:security")


@login_required
@GET_POST
def two_factor_setup(request):
    user = request.user
    if user.two_factor_enabled:
        messages.info(request, "Two-factor sign-in is already on.")
        return redirect("accounts:security")
    action = request.POST.get("action")
    if action == "begin":
        services.begin_two_factor_setup(user)  # a new secret; one begun earlier and never confirmed is replaced
        return redirect("accounts:two-factor-setup")  # the page shows it, so a reload does not make another
    form = TwoFactorEnableForm(request.POST if action == "enable" else None)
    if action == "enable" and form.is_valid():
        with service_errors(form):
            codes = services.enable_two_factor(user, code=form.cleaned_data["code"])
            if codes.revoked_tokens:
                messages.warning(request, services.tokens_revoked_notice(codes, asked_by_token=False))
            account_views.keep_codes_to_show(request, codes, reason="enabled")
            return redirect("accounts:recovery-codes")
    required_by = [m.workspace for m in memberships_of(user) if m.workspace.require_two_factor]
    context = {"form": None, "required_by": required_by}
    pending = services.pending_two_factor_setup(user)
    if pending is not None:
        secret, uri = pending
        context.update(form=form, secret=secret, otpauth_uri=uri,
                       qr_code=qr_svg(uri, label="QR code for your authenticator app"))
    return render_form(request, "accounts/two_factor_setup.html", context, form)


@login_required
@require_POST
def two_factor_disable(request):
    form = PasswordConfirmForm(request.POST)
    if form.is_valid():
        with service_errors(form):
            services.disable_two_factor(request.user, password=form.cleaned_data["password"])
            messages.success(request, "Two-factor sign-in is off.")
            return redirect("accounts:security")
    return _security_page(request, status_forms=[form], disable_form=form)

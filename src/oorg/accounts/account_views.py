"""The signed-in user's own account pages: profile and photo, password, email, recovery codes.

Each page calls the same service as the API (accounts/api.py). After a successful POST the browser is redirected
(POST/redirect/GET), so a reload never repeats a change; a refused POST re-renders its form with every problem on
its field. A GET on a URL that only takes a form's POST goes to the page that holds the form (`redirect_get_to`).
"""
from __future__ import annotations

import json
import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from oorg.core.crypto import decrypt, encrypt
from oorg.core.forms import redirect_get_to, render_form, service_errors

from . import services, signin
from .forms import (
    EmailChangeForm,
    EmailConfirmForm,
    PasswordChangeForm,
    ProfileForm,
    ProfilePhotoForm,
    RecoveryCodesForm,
)
from .models import RecoveryCode

GET_POST = require_http_methods(["GET", "POST"])


# --- recovery codes, shown once ------------------------------------------------------------------------------
# Only hashes are stored, so the plain codes exist for the page that follows their making: sealed (encrypted) in
# this browser's session for a few minutes, and only while they are still the account's codes.

SHOWN_CODES = "oorg_new_recovery_codes"
SHOWN_CODES_LIFETIME = 15 * 60  # seconds


def keep_codes_to_show(request, codes: list[str], *, reason: str) -> None:
    ids = sorted(RecoveryCode.objects.filter(user=request.user).values_list("pk", flat=True))
    request.session[SHOWN_CODES] = {"sealed": encrypt(json.dumps(codes)), "ids": ids, "since": time.time(),
                                    "reason": reason}


def codes_to_show(request) -> tuple[list[str], str] | None:
    kept = request.session.get(SHOWN_CODES)
    if not kept:
        return None
    live = sorted(RecoveryCode.objects.filter(user=request.user).values_list("pk", flat=True))
    if time.time() - kept.get("since", 0) > SHOWN_CODES_LIFETIME or live != kept.get("ids"):
        request.session.pop(SHOWN_CODES, None)  # expired, or replaced since (elsewhere, by the API)
        return None
    return json.loads(decrypt(kept["sealed"])), kept.get("reason", "regenerated")


@login_required
@GET_POST
def recovery_codes(request):
    """GET: the new codes if they were just made in this browser, else the form that replaces them."""
    user = request.user
    if request.method == "POST" and request.POST.get("action") == "done":
        request.session.pop(SHOWN_CODES, None)
        return redirect("accounts:security")
    form = RecoveryCodesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form):
            codes = services.regenerate_recovery_codes(user, password=form.cleaned_data["password"] or None,
                                                       code=form.cleaned_data["code"] or None)
            keep_codes_to_show(request, codes, reason="regenerated")
            return redirect("accounts:recovery-codes")
    elif request.method == "GET":
        shown = codes_to_show(request)
        if shown is not None:
            codes, reason = shown
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "reason": reason})
        if not user.two_factor_enabled:
            messages.info(request, "Turn on two-factor sign-in first: recovery codes come with it.")
            return redirect("accounts:security")
    context = {"form": form, "left": services.remaining_recovery_codes(user)}
    return render_form(request, "accounts/recovery_codes_regenerate.html", context, form)


@login_required
@require_safe
def recovery_codes_download(request):
    shown = codes_to_show(request)
    if shown is None:
        messages.info(request, "Recovery codes can be downloaded only right after they are made. "
                               "Make new ones if you lost them.")
        return redirect("accounts:recovery-codes")
    codes, _reason = shown
    text = ("OORG recovery codes for " + request.user.email + "\n"
            "Each code signs you in once instead of a code from your authenticator app.\n\n"
            + "\n".join(codes) + "\n")
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="oorg-recovery-codes.txt"'
    response["Cache-Control"] = "no-store"
    return response


# --- profile and photo -----------------------------------------------------------------------------------------


def _profile_initial(user) -> dict:
    return {"full_name": user.full_name, "time_zone": user.time_zone, "language": user.language}


def _profile_page(request, *, form=None, photo_form=None):
    user = request.user
    form = form or ProfileForm(initial=_profile_initial(user))
    context = {"form": form, "photo_form": photo_form or ProfilePhotoForm()}
    return render_form(request, "accounts/profile.html", context, form, photo_form)


@login_required
@GET_POST
def profile(request):
    if request.method == "POST":
        user = request.user
        form = ProfileForm(request.POST, initial=_profile_initial(user))  # keeps a stored zone no longer offered
        if form.is_valid():
            with service_errors(form):
                changed = services.update_profile(user, **form.cleaned_data)
                messages.success(request, "Your profile is saved." if changed else "Nothing to change.")
                return redirect("accounts:profile")
        return _profile_page(request, form=form)
    return _profile_page(request)


@login_required
@require_safe
def photo(request):
    return HttpResponse(services.profile_photo(request.user), content_type="image/jpeg")


@redirect_get_to("accounts:profile")
@login_required
@require_POST
def photo_upload(request):
    form = ProfilePhotoForm(request.POST, request.FILES)
    if form.is_valid():
        with service_errors(form):
            services.set_profile_photo(request.user, form.cleaned_data["photo"].read())
            messages.success(request, "Your photo is saved.")
            return redirect("accounts:profile")
    return _profile_page(request, photo_form=form)


@redirect_get_to("accounts:profile")
@login_required
@require_POST
def photo_remove(request):
    services.set_profile_photo(request.user, None)
    messages.success(request, "Your photo is removed.")
    return redirect("accounts:profile")


# --- password and email -----------------------------------------------------------------------------------------


@login_required
@GET_POST
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        keep = request.user_session.public_id if request.user_session else None
        with service_errors(form):
            ended = services.change_password(request.user, **form.cleaned_data, keep_session=keep)
            signin.stay_signed_in(request, request.user)
            messages.success(request, f"Your password is changed. {services.sessions_ended_sentence(ended)}")
            return redirect("accounts:security")
    return render_form(request, "accounts/password_change.html", {"form": form}, form)


@login_required
@GET_POST
def email_change(request):
    user = request.user
    action = request.POST.get("action")
    request_form = EmailChangeForm(request.POST if action == "request" else None)
    confirm_form = EmailConfirmForm(request.POST if action == "confirm" else None)
    if action == "request" and request_form.is_valid():
        with service_errors(request_form):
            services.request_email_change(user, **request_form.cleaned_data)
            return redirect("accounts:email")
    elif action == "confirm" and confirm_form.is_valid():
        with service_errors(confirm_form):
            services.confirm_email_change(user, code=confirm_form.cleaned_data["code"])
            messages.success(request, f"Your email address is now {user.email}.")
            return redirect("accounts:security")
    pending = services.pending_email_change(user)
    context = {"pending": pending, "request_form": request_form, "confirm_form": confirm_form,
               "asking_again": action == "request" or request.GET.get("again") == "1"}
    return render_form(request, "accounts/email_change.html", context, request_form, confirm_form)

"""Notification pages under /w/<workspace_slug>/ (the centre, the bell's partial, preferences) and the
unsubscribe link of emails (/unsubscribe/<token>, no sign-in). Every successful POST redirects."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from oorg.core import events, pagination
from oorg.core.errors import DomainError
from oorg.core.forms import redirect_get_to, render_form

from . import emails, preferences, selectors, services
from .forms import PreferencesForm
from .models import EmailMode

GET_POST = require_http_methods(["GET", "POST"])
FILTERS = {"unread": True, "read": False}


def _local_path(request, url: str | None) -> str | None:
    if url and url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                                                          require_https=request.is_secure()):
        return url
    return None


def _back(request, workspace_slug):
    """To the page the form was on (`next`, a path of this site), else the notification centre."""
    return redirect(_local_path(request, request.POST.get("next")) or
                    redirect_to_list(workspace_slug))


def redirect_to_list(workspace_slug) -> str:
    from django.urls import reverse

    return reverse("notifications:list", kwargs={"workspace_slug": workspace_slug})


@require_safe
def notification_list(request, workspace_slug):
    show = request.GET.get("show") if request.GET.get("show") in FILTERS else "all"
    rows = selectors.notifications_for(request.actor, unread=FILTERS.get(show))
    return render(request, "notifications/list.html", {"page": pagination.page_for(request, rows), "show": show})


@require_safe
def bell(request, workspace_slug):
    """The bell's parts, swapped in out of band by htmx: the summary with the count (polled), and with ?panel=1
    the dropdown's latest notifications (when it is opened)."""
    count = selectors.unread_count(request.actor)
    context = {"count": count, "oob": True, "panel": request.GET.get("panel") == "1"}
    if context["panel"]:
        context["items"] = selectors.latest_for(request.actor)
        current = request.htmx.current_url_abs_path if request.htmx else None
        context["next"] = _local_path(request, current) or redirect_to_list(workspace_slug)
    return render(request, "notifications/_bell_update.html", context)


@redirect_get_to("notifications:list")
@require_POST
def open_notification(request, workspace_slug, notification_id: int):
    """Clicking a notification: mark it read and go where it leads."""
    notification = selectors.get_notification(request.actor, notification_id)
    services.mark_read(request.actor, notification)
    return redirect(_local_path(request, notification.url) or redirect_to_list(workspace_slug))


@redirect_get_to("notifications:list")
@require_POST
def read(request, workspace_slug, notification_id: int):
    services.mark_read(request.actor, selectors.get_notification(request.actor, notification_id))
    return _back(request, workspace_slug)


@redirect_get_to("notifications:list")
@require_POST
def unread(request, workspace_slug, notification_id: int):
    services.mark_unread(request.actor, selectors.get_notification(request.actor, notification_id))
    return _back(request, workspace_slug)


@redirect_get_to("notifications:list")
@require_POST
def read_all(request, workspace_slug):
    count = services.mark_all_read(request.actor)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read." if count
                     else "Nothing was unread.")
    return _back(request, workspace_slug)


@GET_POST
def preferences_page(request, workspace_slug):
    user = request.actor.user
    state = selectors.preference_state(user)
    if request.method != "POST":
        form = PreferencesForm(state=state)
        return render_form(request, "notifications/preferences.html", {"form": form, "state": state}, form)
    form = PreferencesForm(request.POST, state=state)
    valid = form.is_valid()
    kinds, quiet = form.changes()
    if valid:
        try:
            services.update_preferences(user, kinds=kinds, quiet_hours=quiet)
        except DomainError as exc:
            _add_problems(form, exc.problems, kinds)
        else:
            messages.success(request, "Notification preferences saved.")
            return redirect("notifications:preferences", workspace_slug=workspace_slug)
    else:  # every problem at once: the rules too, on what passed its shape check
        _add_problems(form, services.check_preferences(user, kinds=kinds, quiet_hours=quiet)[0], kinds)
    form.error_status = 422
    return render_form(request, "notifications/preferences.html", {"form": form, "state": state}, form)


def _add_problems(form, problems, kinds) -> None:
    for problem in problems:
        field = form.field_for(problem.field, kinds)
        if field is not None and field in form.errors:
            continue  # its shape check has said it
        form.add_error(field, problem.message)


def _masked(email: str) -> str:
    name, _, domain = email.partition("@")
    return f"{name[:1]}{'•' * 3}@{domain}"


@csrf_exempt  # a mail client's one-click POST (RFC 8058) carries no cookie; the signed token is the proof
@GET_POST
def unsubscribe(request, token: str):
    """GET: a page with a button; POST (that button, or a mail client's one-click `List-Unsubscribe=One-Click`):
    the kinds the token names are emailed no more. A token we did not sign is a 404 and changes nothing."""
    user, names = emails.read_unsubscribe_token(token)
    kinds = [events.KINDS[n] for n in names if n in events.KINDS and not events.KINDS[n].security]
    if request.method == "POST":
        services.unsubscribe(user, [k.name for k in kinds])
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return render(request, "notifications/unsubscribe.html",
                          {"kinds": kinds, "done": True, "email": _masked(user.email)})
        return redirect("notifications:unsubscribe", token=token)
    prefs = selectors.preferences_of(user)
    done = all(preferences.settings_for(prefs, k)[1] == EmailMode.OFF for k in kinds)
    return render(request, "notifications/unsubscribe.html", {"kinds": kinds, "done": done, "token": token,
                                                              "email": _masked(user.email)})

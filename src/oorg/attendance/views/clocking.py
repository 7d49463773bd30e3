"""Clocking pages: the clock widget's POST (attendance:clock, from the home dashboard) and one's own kiosk PIN
(attendance:my-pin). The same services as the API; every POST redirects back with a message (PRG)."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from oorg.core.errors import DomainError, NotFound
from oorg.core.forms import ServiceForm, redirect_get_to, render_form, service_errors

from ..calendar import zone_of
from ..scopes import own_employee
from ..services import clocking as services
from ..services import kiosks

DONE = {"in": "Clocked in at {time}.", "out": "Clocked out at {time}.", "break-start": "Break started at {time}.",
        "break-end": "Break ended at {time}."}


def _back(request, workspace_slug):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect("web:workspace-home", workspace_slug=workspace_slug)


@redirect_get_to("web:workspace-home")
@require_POST
def clock(request, workspace_slug):
    actor = request.actor
    action = request.POST.get("action")
    if action not in services.ACTIONS:
        messages.error(request, "Choose Clock in, Clock out, Start break or End break.")
        return _back(request, workspace_slug)
    try:
        employee = services.target_employee(actor)
        answer = services.ACTIONS[action](
            actor, employee, source="web", latitude=request.POST.get("latitude") or None,
            longitude=request.POST.get("longitude") or None, accuracy_m=request.POST.get("accuracy_m") or None)
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, " ".join(p.message for p in exc.problems))
        return _back(request, workspace_slug)
    session = answer["session"]
    when = (session["breaks"][-1]["started_at"] if action == "break-start" and session else None)
    moment = (when or timezone.now()).astimezone(zone_of(employee))
    message = DONE[action].format(time=moment.strftime("%H:%M"))
    if action == "in" and session and session["outside_site"]:
        message += " You are outside the allowed sites: the day is flagged for HR."
    messages.success(request, message)
    return _back(request, workspace_slug)


class MyPinForm(ServiceForm):
    pin = forms.CharField(label="New PIN", min_length=4, max_length=8,
                          widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "new-password"}),
                          help_text="4 to 8 digits; not an easy one like 0000 or 1234.")
    password = forms.CharField(label="Your password", max_length=200,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                               help_text="To confirm it is you.")

    def check_rules(self, data, *, unchecked):
        problems = []
        if "pin" not in unchecked and data.get("pin"):
            try:
                kiosks.clean_pin(data["pin"])
            except DomainError as exc:
                problems.append(exc)
        return problems


@require_http_methods(["GET", "POST"])
def my_pin(request, workspace_slug):
    actor = request.actor
    services.target_employee(actor)  # 409 for an account without an employee record, 403 without the right
    form = MyPinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form):
            kiosks.set_my_pin(actor, **form.service_data())
            messages.success(request, "Your kiosk PIN is set. Use it with your employee code at the office kiosk.")
            return redirect("attendance:my-pin", workspace_slug=workspace_slug)
    employee = own_employee(actor)
    context = {"form": form, "employee": employee, "has_pin": kiosks.has_pin(employee)}
    return render_form(request, "attendance/clock/my_pin.html", context, form)


urlpatterns = [
    path("clock", clock, name="clock"),
    path("my-pin/", my_pin, name="my-pin"),
]

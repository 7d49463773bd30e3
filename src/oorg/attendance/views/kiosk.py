"""The kiosk page (/kiosk/<key>/): a shared office device where employees clock in and out with their
employee code and PIN, without signing in.

Its secret key names the kiosk and so the workspace (services/kiosks.kiosk_by_key); an unknown or inactive
kiosk, or a workspace with kiosks turned off, answers 404. The POST checks the PIN through the throttle and
then calls the same clocking service as the web app and the API, with source "kiosk" and the kiosk's own request
address for the IP allow-list. It exempts CSRF: it never acts with a session's rights, only with the code and
PIN it is given (the system acts), so a forged post has nothing to borrow. The page is never framed.
"""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from oorg.core import request_context
from oorg.core.errors import DomainError, Throttled
from oorg.core.forms import add_service_error, render_form
from oorg.core.permissions import Actor
from oorg.core.tenancy import workspace_scope

from ..calendar import zone_of
from ..services import clocking, kiosks

ACTIONS = {"in": "Clock in", "out": "Clock out", "break-start": "Start break", "break-end": "End break"}


class KioskForm(forms.Form):
    code = forms.CharField(label="Employee code", max_length=32,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "spellcheck": "false"}))
    pin = forms.CharField(label="PIN", max_length=8, strip=True,
                          widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                                            "pattern": "[0-9]*"}))


def _greeting(now) -> str:
    hour = now.hour
    return "Good morning" if hour < 12 else "Good afternoon" if hour < 18 else "Good evening"


def _confirmation(employee, action: str) -> str:
    now = timezone.now().astimezone(zone_of(employee))
    first = employee.full_name.split()[0] if employee.full_name else employee.code
    what = {"in": "clocked in at", "out": "clocked out at", "break-start": "break started at",
            "break-end": "break ended at"}[action]
    greeting = _greeting(now) if action == "in" else ("Goodbye" if action == "out" else "Thank you")
    return f"{greeting}, {first} — {what} {now:%H:%M}."


def _kiosk_or_404(key: str):
    kiosk = kiosks.kiosk_by_key(key)
    if kiosk is None:
        raise Http404("No such kiosk.")
    return kiosk


@csrf_exempt
@require_http_methods(["GET", "POST"])
def kiosk_page(request, key):
    kiosk = _kiosk_or_404(key)
    with workspace_scope(kiosk.workspace_id):
        form = KioskForm(request.POST or None)
        if request.method == "POST":
            action = request.POST.get("action")
            if action not in ACTIONS:
                form.add_error(None, "Choose Clock in, Clock out, Start break or End break.")
            elif form.is_valid():
                try:
                    employee = kiosks.check_pin(kiosk, code=form.cleaned_data["code"], pin=form.cleaned_data["pin"])
                    actor = Actor.system(kiosk.workspace)
                    clocking.ACTIONS[action](actor, employee, source="kiosk", ip=request_context.ip_of(request))
                except Throttled as exc:
                    add_service_error(form, exc)
                except DomainError as exc:
                    add_service_error(form, exc, keep_status=exc.status in (403, 409))
                else:
                    messages.success(request, _confirmation(employee, action))
                    return redirect("attendance-public:kiosk", key=key)
        context = {"kiosk": kiosk, "form": form, "actions": ACTIONS, "key": key}
        return render_form(request, "attendance/kiosk/page.html", context, form)


urlpatterns = [path("kiosk/<str:key>/", kiosk_page, name="kiosk")]

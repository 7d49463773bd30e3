"""Correction pages: my requests and those waiting for me (with approve / reject forms), and the request form
(prefilled with ?date=). Every action goes through attendance/services/corrections.py."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from oorg.core.errors import DomainError
from oorg.core.forms import redirect_get_to, render_form, service_errors

from ..calendar import zone_of
from ..scopes import own_employee
from ..services import corrections as services


class CorrectionForm(forms.Form):
    work_date = forms.CharField(label="Day to correct", required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    clock_in = forms.CharField(label="Clocked in at", required=False,
                               widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    clock_out = forms.CharField(label="Clocked out at", required=False,
                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    reason = forms.CharField(label="Why", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    comment = forms.CharField(label="Comment (optional)", required=False, max_length=2000)


def _rows(actor, queryset):
    rows = []
    for c in queryset:
        zone = zone_of(c.employee)
        rows.append({"c": c, "clock_in": c.clock_in.astimezone(zone).strftime("%d %b %H:%M"),
                     "clock_out": c.clock_out.astimezone(zone).strftime("%d %b %H:%M")})
    return rows


@require_http_methods(["GET", "HEAD"])
def correction_list(request, workspace_slug):
    actor = request.actor
    me = own_employee(actor)
    mine = services.correction_list(actor, employee_id=me.pk) if me is not None else []
    waiting = services.correction_list(actor, waiting_for_me=True)
    return render(request, "attendance/corrections/list.html", {
        "mine": _rows(actor, list(mine[:100]) if me is not None else []),
        "waiting": _rows(actor, list(waiting[:100])), "has_employee": me is not None,
        "decision_form": DecisionForm()})


@require_http_methods(["GET", "HEAD", "POST"])
def correction_new(request, workspace_slug):
    actor = request.actor
    me = own_employee(actor)
    if request.method == "POST":
        form = CorrectionForm(request.POST)
        if form.is_valid():
            with service_errors(form):
                services.request_correction(actor, **form.cleaned_data)
                messages.success(request, "Your correction was sent for approval.")
                return redirect("attendance:corrections", workspace_slug=workspace_slug)
    else:
        initial = {}
        try:
            day = dt.date.fromisoformat(request.GET.get("date", ""))
        except ValueError:
            day = None
        if day is not None:
            initial = {"work_date": day.isoformat(), "clock_in": f"{day.isoformat()}T09:00",
                       "clock_out": f"{day.isoformat()}T17:00"}
        form = CorrectionForm(initial=initial)
    return render_form(request, "attendance/corrections/new.html", {"form": form, "has_employee": me is not None,
                                                                    "zone": str(zone_of(me)) if me else ""}, form)


def _act(request, workspace_slug, correction_id, action):
    actor = request.actor
    correction = services.get_correction(actor, correction_id)
    form = DecisionForm(request.POST)
    form.is_valid()
    try:
        if action == "withdraw":
            services.withdraw(actor, correction)
        else:
            getattr(services, action)(actor, correction, comment=form.cleaned_data.get("comment"))
    except DomainError as exc:
        if exc.status not in (409, 422):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, {"approve": "Correction approved.", "reject": "Correction rejected.",
                                   "withdraw": "Correction withdrawn."}[action])
    return redirect("attendance:corrections", workspace_slug=workspace_slug)


@require_POST
@redirect_get_to("attendance:corrections")
def correction_approve(request, workspace_slug, correction_id):
    return _act(request, workspace_slug, correction_id, "approve")


@require_POST
@redirect_get_to("attendance:corrections")
def correction_reject(request, workspace_slug, correction_id):
    return _act(request, workspace_slug, correction_id, "reject")


@require_POST
@redirect_get_to("attendance:corrections")
def correction_withdraw(request, workspace_slug, correction_id):
    return _act(request, workspace_slug, correction_id, "withdraw")


urlpatterns = [
    path("corrections/", correction_list, name="corrections"),
    path("corrections/new/", correction_new, name="correction-new"),
    path("corrections/<int:correction_id>/approve/", correction_approve, name="correction-approve"),
    path("corrections/<int:correction_id>/reject/", correction_reject, name="correction-reject"),
    path("corrections/<int:correction_id>/withdraw/", correction_withdraw, name="correction-withdraw"),
]

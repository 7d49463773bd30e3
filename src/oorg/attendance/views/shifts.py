"""Shift pages: the list of shifts with a form to add one, and who works them (assignments) on the same page;
one shift's page to change or delete it. Writes need attendance.manage (the services check it)."""
from __future__ import annotations

from django import forms
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from oorg.core.forms import redirect_get_to, render_form, service_errors
from oorg.org.models import Branch, Employee

from ..models import WEEKDAYS
from ..permissions import MANAGE
from ..services import shifts as services

DAY_CHOICES = [(d, label) for d, label in zip(WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                                         "Saturday", "Sunday"))]


class ShiftForm(forms.Form):
    name = forms.CharField(label="Name", required=False, max_length=200)
    starts = forms.CharField(label="Starts (HH:MM)", required=False, max_length=8,
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "09:00"}))
    ends = forms.CharField(label="Ends (HH:MM; at or before the start: the next day)", required=False, max_length=8,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "17:00"}))
    break_minutes = forms.CharField(label="Break (minutes)", required=False, max_length=6)
    break_after_minutes = forms.CharField(label="Break due after (minutes of work)", required=False, max_length=6)
    grace_minutes = forms.CharField(label="Grace (minutes)", required=False, max_length=6)
    working_days = forms.MultipleChoiceField(label="Working days (none: the branch's)", required=False,
                                             choices=DAY_CHOICES, widget=forms.CheckboxSelectMultiple)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("break_minutes", "grace_minutes"):
            data[name] = data[name] or 0
        data["break_after_minutes"] = data["break_after_minutes"] or None
        return data


class AssignmentForm(forms.Form):
    shift_id = forms.ChoiceField(label="Shift", required=False)
    employee_id = forms.ChoiceField(label="Employee", required=False)
    branch_id = forms.ChoiceField(label="or a whole branch", required=False)
    starts_on = forms.CharField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.CharField(label="Until (empty: open-ended)", required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shift_id"].choices = [("", "Choose a shift")] + [
            (s.pk, s.name) for s in services.Shift.objects.order_by("name")[:500]]
        self.fields["employee_id"].choices = [("", "Nobody in particular")] + [
            (e.pk, f"{e.full_name} ({e.code})") for e in Employee.objects.exclude(status="terminated")
            .order_by("full_name")[:1000]]
        self.fields["branch_id"].choices = [("", "No branch")] + [
            (b.pk, b.name) for b in Branch.objects.order_by("name")[:500]]


def _context(request, *, shift_form=None, assignment_form=None):
    actor = request.actor
    return {"shifts": list(services.shift_list(actor)[:500]),
            "assignments": list(services.assignment_list(actor)[:500]),
            "manage": actor.can(MANAGE), "shift_form": shift_form or ShiftForm(prefix="shift"),
            "assignment_form": assignment_form or AssignmentForm(prefix="assign")}


@require_http_methods(["GET", "HEAD"])
def shift_list(request, workspace_slug):
    return render(request, "attendance/shifts/list.html", _context(request))


@require_POST
@redirect_get_to("attendance:shifts")
def shift_add(request, workspace_slug):
    form = ShiftForm(request.POST, prefix="shift")
    if form.is_valid():
        with service_errors(form):
            services.create_shift(request.actor, **form.service_data())
            return redirect("attendance:shifts", workspace_slug=workspace_slug)
    return render_form(request, "attendance/shifts/list.html", _context(request, shift_form=form), form)


@require_POST
@redirect_get_to("attendance:shifts")
def assignment_add(request, workspace_slug):
    form = AssignmentForm(request.POST, prefix="assign")
    if form.is_valid():
        with service_errors(form):
            data = {k: (v or None) for k, v in form.cleaned_data.items()}
            services.create_assignment(request.actor, **data)
            return redirect("attendance:shifts", workspace_slug=workspace_slug)
    return render_form(request, "attendance/shifts/list.html", _context(request, assignment_form=form), form)


@require_POST
@redirect_get_to("attendance:shifts")
def assignment_delete(request, workspace_slug, assignment_id):
    assignment = services.get_assignment(request.actor, assignment_id)
    services.delete_assignment(request.actor, assignment)
    return redirect("attendance:shifts", workspace_slug=workspace_slug)


@require_http_methods(["GET", "HEAD", "POST"])
def shift_detail(request, workspace_slug, shift_id):
    actor = request.actor
    shift = services.get_shift(actor, shift_id)
    initial = {"name": shift.name, "starts": shift.starts.strftime("%H:%M"), "ends": shift.ends.strftime("%H:%M"),
               "break_minutes": shift.break_minutes, "break_after_minutes": shift.break_after_minutes or "",
               "grace_minutes": shift.grace_minutes, "working_days": list(shift.working_days or [])}
    if request.method == "POST":
        form = ShiftForm(request.POST)
        if form.is_valid():
            with service_errors(form):
                services.update_shift(actor, shift, **form.service_data())
                return redirect("attendance:shift", workspace_slug=workspace_slug, shift_id=shift.pk)
    else:
        form = ShiftForm(initial=initial)
    assignments = list(services.assignment_list(actor, shift_id=shift.pk)[:200])
    return render_form(request, "attendance/shifts/detail.html",
                       {"shift": shift, "form": form, "manage": actor.can(MANAGE), "assignments": assignments}, form)


@require_POST
@redirect_get_to("attendance:shifts")
def shift_delete(request, workspace_slug, shift_id):
    shift = services.get_shift(request.actor, shift_id)
    services.delete_shift(request.actor, shift)
    return redirect("attendance:shifts", workspace_slug=workspace_slug)


urlpatterns = [
    path("shifts/", shift_list, name="shifts"),
    path("shifts/add/", shift_add, name="shift-add"),
    path("shifts/<int:shift_id>/", shift_detail, name="shift"),
    path("shifts/<int:shift_id>/delete/", shift_delete, name="shift-delete"),
    path("shifts/assignments/add/", assignment_add, name="assignment-add"),
    path("shifts/assignments/<int:assignment_id>/delete/", assignment_delete, name="assignment-delete"),
]

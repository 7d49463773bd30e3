"""Leave policy admin and balances pages.

- leave:types (list), leave:type-new, leave:type (edit): the leave types and their policies, for leave.manage.
- leave:balances: one's balances for a year with the ledger below; those who see others' leave pick an employee
  in their scope; leave.manage adds an adjustment form (leave:balance-adjust, POST).
Every write goes through leave/services/types.py and balances.py.
"""
from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from oorg.attendance.calendar import today_for
from oorg.core import pagination
from oorg.core.errors import NotFound
from oorg.core.forms import ServiceForm, redirect_get_to, render_form, service_errors
from oorg.core.permissions import require

from ..models import LeaveType
from ..permissions import MANAGE, TEAM_VIEW, VIEW_ALL
from ..scopes import LEAVE, own_employee
from ..services import balances as balance_services
from ..services import types as type_services

DECIMAL = {"max_digits": 6, "decimal_places": 2}


class LeaveTypeForm(ServiceForm):
    code = forms.CharField(label="Code", max_length=40, help_text="Lowercase letters, digits, - or _; unique.")
    name = forms.CharField(label="Name", max_length=80)
    color = forms.CharField(label="Colour", max_length=7, widget=forms.TextInput(attrs={"type": "color"}))
    paid = forms.BooleanField(label="Paid leave", required=False)
    accrual = forms.ChoiceField(label="Allowance", choices=LeaveType.Accrual.choices)
    days_per_year = forms.DecimalField(label="Days per year", min_value=0, max_value=365, **DECIMAL)
    prorate = forms.BooleanField(label="Pro-rate a first year started mid-year", required=False)
    carry_over_max = forms.DecimalField(label="Days carried into the next year at most", required=False,
                                        min_value=0, max_value=365, help_text="Empty: no limit.", **DECIMAL)
    carry_over_expires_months = forms.IntegerField(label="Carried days expire after (months)", required=False,
                                                   min_value=1, max_value=24, help_text="Empty: never.")
    max_balance = forms.DecimalField(label="Maximum balance", required=False, min_value=0, max_value=1000,
                                     help_text="Empty: no maximum.", **DECIMAL)
    allow_negative = forms.BooleanField(label="Allow a negative balance", required=False)
    min_notice_days = forms.IntegerField(label="Minimum notice (days)", min_value=0, max_value=365)
    attachment_after_days = forms.IntegerField(label="Attachment required for requests longer than (days)",
                                               required=False, min_value=0, max_value=365,
                                               help_text="Like a sick note after 3 days. Empty: never.")
    half_days = forms.BooleanField(label="Half days may be requested", required=False)
    hr_approval = forms.BooleanField(label="HR approves after the manager", required=False)
    active = forms.BooleanField(label="Active (unticked: archived, no new requests)", required=False)

    def __init__(self, *args, actor, leave_type=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor, self.leave_type, self.changes_only = actor, leave_type, leave_type is not None
        if leave_type is None:
            del self.fields["active"]
        elif leave_type.is_system:
            self.fields["code"].disabled = True
            self.fields["code"].help_text = "A system type keeps its code."
            del self.fields["active"]

    def check_rules(self, data, *, unchecked):
        return type_services.check_type(self.actor, self.leave_type, data, unchecked=unchecked)


def _type_initial(leave_type: LeaveType) -> dict:
    return {name: getattr(leave_type, name) for name in type_services.FIELDS if name != "position"}


@require_safe
def type_list(request, workspace_slug):
    require(request.actor, MANAGE)
    rows = list(type_services.type_list(request.actor))
    return render_form(request, "leave/settings/types.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
def type_new(request, workspace_slug):
    actor = request.actor
    require(actor, MANAGE)
    if request.method != "POST":
        form = LeaveTypeForm(actor=actor, initial={"color": "#0d9488", "accrual": "yearly", "days_per_year": 0,
                                                    "prorate": True, "min_notice_days": 0, "half_days": True,
                                                    "paid": True})
        return render_form(request, "leave/settings/type_form.html", {"form": form, "leave_type": None})
    form = LeaveTypeForm(request.POST, actor=actor)
    if form.is_valid():
        with service_errors(form):
            leave_type = type_services.create_type(actor, **form.service_data())
            messages.success(request, f"Leave type {leave_type.name} created.")
            return redirect("leave:types", workspace_slug=workspace_slug)
    return render_form(request, "leave/settings/type_form.html", {"form": form, "leave_type": None}, form)


@require_http_methods(["GET", "POST"])
def type_edit(request, workspace_slug, leave_type_id: int):
    actor = request.actor
    require(actor, MANAGE)
    leave_type = type_services.get_type(actor, leave_type_id)
    initial = _type_initial(leave_type)
    if request.method != "POST":
        form = LeaveTypeForm(actor=actor, leave_type=leave_type, initial=initial)
        return render_form(request, "leave/settings/type_form.html", {"form": form, "leave_type": leave_type})
    form = LeaveTypeForm(request.POST, actor=actor, leave_type=leave_type, initial=initial)
    if form.is_valid():
        with service_errors(form):
            changes = form.service_data()
            if changes:
                type_services.update_type(actor, leave_type, **changes)
                messages.success(request, f"Leave type {leave_type.name} saved.")
            else:
                messages.info(request, "Nothing changed.")
            return redirect("leave:types", workspace_slug=workspace_slug)
    return render_form(request, "leave/settings/type_form.html", {"form": form, "leave_type": leave_type}, form)


# --- balances --------------------------------------------------------------------------------------------------


class AdjustmentForm(forms.Form):
    employee_id = forms.IntegerField(widget=forms.HiddenInput)
    leave_type_id = forms.ChoiceField(label="Leave type")
    days = forms.DecimalField(label="Days", max_digits=6, decimal_places=2, min_value=-365, max_value=365,
                              help_text="Whole or half days; negative takes days away.",
                              widget=forms.NumberInput(attrs={"step": "0.5"}))
    reason = forms.CharField(label="Reason", max_length=300)

    def __init__(self, *args, types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leave_type_id"].choices = [(str(t.pk), t.name) for t in types]


class BalanceQueryForm(forms.Form):
    employee = forms.IntegerField(required=False, min_value=1)
    year = forms.IntegerField(required=False, min_value=1900, max_value=2200)


def _balances_page(request, *, employee=None, year=None, adjust_form=None):
    actor = request.actor
    query = BalanceQueryForm(request.GET)
    query.is_valid()
    data = getattr(query, "cleaned_data", {})
    if employee is None and data.get("employee") is None and own_employee(actor) is None and actor.can(VIEW_ALL):
        # Someone who sees everyone's leave but has no record of their own (an admin) starts with the first person.
        employee = LEAVE.employees(actor).order_by("full_name", "pk").first()
    if employee is None:
        employee = balance_services.employee_for(actor, data.get("employee"))
    year = year or data.get("year") or today_for(employee).year
    rows = balance_services.balance_rows(actor, employee, year=year)
    page = pagination.page_for(request, balance_services.ledger_entries(actor, employee))
    mine = own_employee(actor)
    picks = actor.can(TEAM_VIEW) or actor.can(VIEW_ALL)
    context = {"employee": employee, "year": year, "rows": rows, "page": page, "is_me": mine == employee,
               "years": [year - 1, year + 1], "can_pick": picks,
               "people": list(LEAVE.employees(actor).order_by("full_name", "pk").values("pk", "full_name")[:500])
               if picks else []}
    if actor.can(MANAGE):
        types = [r["leave_type"] for r in rows]
        context["adjust_form"] = adjust_form or AdjustmentForm(types=types, initial={"employee_id": employee.pk})
    return render_form(request, "leave/settings/balances.html", context,
                       *([adjust_form] if adjust_form is not None else []))


@require_safe
def balances(request, workspace_slug):
    return _balances_page(request)


@redirect_get_to("leave:balances")
@require_POST
def balance_adjust(request, workspace_slug):
    actor = request.actor
    require(actor, MANAGE)
    try:
        employee = LEAVE.get_employee(actor, request.POST.get("employee_id"))
    except NotFound:
        raise
    types = [t for t in type_services.type_list(actor, active=True) if t.tracks_balance]
    form = AdjustmentForm(request.POST, types=types)
    if form.is_valid():
        with service_errors(form):
            entry = balance_services.adjust_balance(actor, **form.cleaned_data)
            messages.success(request, f"{entry.leave_type.name} of {employee.full_name} changed by "
                                      f"{balance_services.show_days(entry.days, sign=True)} days.")
            url = reverse("leave:balances", kwargs={"workspace_slug": workspace_slug})
            return redirect(f"{url}?{urlencode({'employee': employee.pk})}")
    return _balances_page(request, employee=employee, adjust_form=form)


urlpatterns = [
    path("settings/types/", type_list, name="types"),
    path("settings/types/new", type_new, name="type-new"),
    path("settings/types/<int:leave_type_id>/", type_edit, name="type"),
    path("balances/", balances, name="balances"),
    path("balances/adjust", balance_adjust, name="balance-adjust"),
]

"""Clocking settings pages (attendance.manage): the policy, the allowed sites, the kiosks and the employees'
kiosk PINs. The same services as the API; every change redirects after its POST, deletes and new kiosk
addresses are confirmed first."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_safe

from oorg.core.errors import DomainError, ValidationFailed
from oorg.core.forms import ServiceForm, render_form, service_errors
from oorg.core.permissions import require
from oorg.org.models import Branch, Employee

from ..models import AttendancePolicy
from ..permissions import MANAGE
from ..scopes import ATTENDANCE
from ..services import kiosks, policy, sites

# --- the policy -----------------------------------------------------------------------------------------------


class PolicyForm(ServiceForm):
    changes_only = True
    outside_site = forms.ChoiceField(label="Outside every allowed site", choices=AttendancePolicy.OutsideSite.choices,
                                     widget=forms.RadioSelect)
    require_location = forms.BooleanField(label="Ask for the location at every clock-in", required=False,
                                          help_text="Without one, a clock-in counts as outside the allowed sites.")
    ip_allow_list = forms.CharField(label="Allowed networks", required=False, max_length=5000,
                                    widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
                                    help_text="One network a line, like 203.0.113.0/24. Empty: any network.")
    forgotten_after_hours = forms.IntegerField(label="Close a forgotten session after (hours)", min_value=1,
                                               max_value=48, help_text="After the shift's end; 1 to 48.")
    overtime_threshold_minutes = forms.IntegerField(label="Overtime counts from (minutes)", min_value=0,
                                                    max_value=240, help_text="Less extra time is not overtime.")
    kiosk_enabled = forms.BooleanField(label="Kiosks: clock in on a shared device with a PIN", required=False)

    def clean_ip_allow_list(self):
        return [line.strip() for line in self.cleaned_data["ip_allow_list"].splitlines() if line.strip()]

    def check_rules(self, data, *, unchecked):
        _clean, problems = policy.check_policy({k: v for k, v in data.items() if k not in unchecked})
        return problems


def _policy_initial(current: AttendancePolicy) -> dict:
    return {"outside_site": current.outside_site, "require_location": current.require_location,
            "ip_allow_list": "\n".join(current.ip_allow_list), "forgotten_after_hours": current.forgotten_after_hours,
            "overtime_threshold_minutes": current.overtime_threshold_minutes, "kiosk_enabled": current.kiosk_enabled}


def _problem_field(form, field: str) -> str | None:
    """ip_allow_list[2] is shown on the ip_allow_list box."""
    base = field.split("[", 1)[0] if field else None
    return base if base in form.fields else None


@require_http_methods(["GET", "POST"])
def policy_page(request, workspace_slug):
    actor = request.actor
    require(actor, MANAGE)
    current = policy.policy_for(actor)
    initial = _policy_initial(current)
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changes = form.service_data()
            if changes:
                policy.update_policy(actor, **changes)
                messages.success(request, "Clocking policy saved.")
            else:
                messages.info(request, "Nothing changed.")
            return redirect("attendance:policy", workspace_slug=workspace_slug)
        except ValidationFailed as exc:
            for problem in exc.problems:
                form.add_error(_problem_field(form, problem.field), problem.message)
            form.error_status = 422
    return render_form(request, "attendance/settings/policy.html", {"form": form}, form)


# --- allowed sites --------------------------------------------------------------------------------------------


class SiteForm(ServiceForm):
    name = forms.CharField(label="Name", max_length=120)
    owner = forms.ChoiceField(label="Who may clock in here", choices=[("branch", "Everyone in a branch"),
                                                                      ("employee", "One employee")],
                              widget=forms.RadioSelect)
    branch_id = forms.TypedChoiceField(label="Branch", coerce=int, required=False, empty_value=None)
    employee_code = forms.CharField(label="Employee code", required=False, max_length=32,
                                    help_text="For one employee's site, like a home office.")
    latitude = forms.DecimalField(label="Latitude", max_digits=9, decimal_places=6,
                                  help_text="Like 52.529 (north is positive).")
    longitude = forms.DecimalField(label="Longitude", max_digits=9, decimal_places=6,
                                   help_text="Like 13.401 (east is positive).")
    radius_m = forms.IntegerField(label="Radius (metres)", min_value=10, max_value=10_000, initial=150)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch_id"].choices = [("", "—")] + list(Branch.objects.order_by("name").values_list("pk", "name"))

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        values = {k: data[k] for k in ("name", "latitude", "longitude", "radius_m") if k in data}
        if data.get("owner") == "employee":
            code = (data.get("employee_code") or "").strip()
            employee = Employee.objects.filter(code__iexact=code).first() if code else None
            if employee is None:
                raise ValidationFailed("No employee has this code." if code else "Give the employee's code.",
                                       field="employee_code")
            values.update(employee_id=employee.pk, branch_id=None)
        else:
            values.update(branch_id=data.get("branch_id"), employee_id=None)
        return values


def _site_initial(site) -> dict:
    return {"name": site.name, "owner": "employee" if site.employee_id else "branch", "branch_id": site.branch_id,
            "employee_code": site.employee.code if site.employee_id else "", "latitude": site.latitude,
            "longitude": site.longitude, "radius_m": site.radius_m}


def _save_site(request, form, site=None):
    try:
        values = form.service_values()
        if site is None:
            site = sites.create_site(request.actor, **values)
            messages.success(request, f"Site {site.name} added.")
        else:
            sites.update_site(request.actor, site, **values)
            messages.success(request, f"Site {site.name} saved.")
        return True
    except ValidationFailed as exc:
        for problem in exc.problems:
            field = problem.field if problem.field in form.fields else (
                "employee_code" if problem.field == "employee_id" else None)
            form.add_error(field, problem.message)
        form.error_status = 422
        return False


@require_safe
def site_list(request, workspace_slug):
    actor = request.actor
    rows = sites.site_list(actor)
    branch_id, employee_id = request.GET.get("branch_id"), request.GET.get("employee_id")
    if branch_id and branch_id.isdigit():
        rows = rows.filter(branch_id=int(branch_id))
    if employee_id and employee_id.isdigit():
        rows = rows.filter(employee_id=int(employee_id))
    filtered = bool(branch_id or employee_id)
    return render(request, "attendance/settings/sites.html", {"sites": rows[:200], "count": rows.count(),
                                                              "filtered": filtered})


@require_http_methods(["GET", "POST"])
def site_new(request, workspace_slug):
    require(request.actor, MANAGE)
    form = SiteForm(request.POST or None, initial={"owner": "branch", "radius_m": 150})
    if request.method == "POST" and form.is_valid() and _save_site(request, form):
        return redirect("attendance:sites", workspace_slug=workspace_slug)
    return render_form(request, "attendance/settings/site_form.html", {"form": form, "site": None}, form)


@require_http_methods(["GET", "POST"])
def site_edit(request, workspace_slug, site_id: int):
    site = sites.get_site(request.actor, site_id)
    form = SiteForm(request.POST or None, initial=_site_initial(site))
    if request.method == "POST" and form.is_valid() and _save_site(request, form, site):
        return redirect("attendance:sites", workspace_slug=workspace_slug)
    if request.method == "POST":
        site.refresh_from_db()
    return render_form(request, "attendance/settings/site_form.html", {"form": form, "site": site}, form)


@require_http_methods(["GET", "POST"])
def site_delete(request, workspace_slug, site_id: int):
    site = sites.get_site(request.actor, site_id)
    if request.method == "POST":
        sites.delete_site(request.actor, site)
        messages.success(request, f"Site {site.name} removed.")
        return redirect("attendance:sites", workspace_slug=workspace_slug)
    return render(request, "attendance/settings/site_delete.html", {"site": site})


# --- kiosks ---------------------------------------------------------------------------------------------------


class KioskForm(ServiceForm):
    name = forms.CharField(label="Name", max_length=80, help_text="Like “Front desk”.")
    branch_id = forms.TypedChoiceField(label="Branch", coerce=int, required=False, empty_value=None)
    active = forms.BooleanField(label="Active: the kiosk's page works", required=False)

    def __init__(self, *args, kiosk=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kiosk, self.changes_only = kiosk, kiosk is not None
        self.fields["branch_id"].choices = [("", "—")] + list(Branch.objects.order_by("name").values_list("pk", "name"))
        if kiosk is None:
            del self.fields["active"]

    def check_rules(self, data, *, unchecked):
        return kiosks.check_kiosk({k: v for k, v in data.items() if k not in unchecked}, self.kiosk)


@require_http_methods(["GET", "POST"])
def kiosk_list(request, workspace_slug):
    actor = request.actor
    rows = kiosks.kiosk_list(actor)
    form = KioskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form):
            kiosk, _url = kiosks.create_kiosk(actor, **form.service_data())
            messages.success(request, f"Kiosk {kiosk.name} added. Open its address on the shared device.")
            return redirect("attendance:kiosks", workspace_slug=workspace_slug)
    context = {"rows": [{"kiosk": k, "url": kiosks.public_url(k)} for k in rows[:200]], "form": form,
               "enabled": policy.policy_for(actor).kiosk_enabled}
    return render_form(request, "attendance/settings/kiosks.html", context, form)


@require_http_methods(["GET", "POST"])
def kiosk_edit(request, workspace_slug, kiosk_id: int):
    actor = request.actor
    kiosk = kiosks.get_kiosk(actor, kiosk_id)
    initial = {"name": kiosk.name, "branch_id": kiosk.branch_id, "active": kiosk.active}
    form = KioskForm(request.POST or None, kiosk=kiosk, initial=initial)
    if request.method == "POST" and form.is_valid():
        with service_errors(form):
            changes = form.service_data()
            if changes:
                kiosks.update_kiosk(actor, kiosk, **changes)
                messages.success(request, f"Kiosk {kiosk.name} saved.")
            else:
                messages.info(request, "Nothing changed.")
            return redirect("attendance:kiosks", workspace_slug=workspace_slug)
        kiosk.refresh_from_db()
    context = {"kiosk": kiosk, "form": form, "url": kiosks.public_url(kiosk)}
    return render_form(request, "attendance/settings/kiosk_form.html", context, form)


@require_http_methods(["GET", "POST"])
def kiosk_rotate(request, workspace_slug, kiosk_id: int):
    kiosk = kiosks.get_kiosk(request.actor, kiosk_id)
    if request.method == "POST":
        kiosks.rotate_kiosk_key(request.actor, kiosk)
        messages.success(request, f"Kiosk {kiosk.name} has a new address. Open it on the device; the old one no "
                                  "longer works.")
        return redirect("attendance:kiosk", workspace_slug=workspace_slug, kiosk_id=kiosk.pk)
    return render(request, "attendance/settings/kiosk_rotate.html", {"kiosk": kiosk, "url": kiosks.public_url(kiosk)})


@require_http_methods(["GET", "POST"])
def kiosk_delete(request, workspace_slug, kiosk_id: int):
    kiosk = kiosks.get_kiosk(request.actor, kiosk_id)
    if request.method == "POST":
        kiosks.delete_kiosk(request.actor, kiosk)
        messages.success(request, f"Kiosk {kiosk.name} deleted.")
        return redirect("attendance:kiosks", workspace_slug=workspace_slug)
    return render(request, "attendance/settings/kiosk_delete.html", {"kiosk": kiosk, "url": kiosks.public_url(kiosk)})


# --- PINs -----------------------------------------------------------------------------------------------------


class PinForm(forms.Form):
    code = forms.CharField(label="Employee code", max_length=32)
    pin = forms.CharField(label="New PIN", required=False, max_length=8,
                          widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
                          help_text="4 to 8 digits. Leave it empty to remove the PIN.")


@require_http_methods(["GET", "POST"])
def pins(request, workspace_slug):
    actor = request.actor
    require(actor, MANAGE)
    form = PinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip()
        employee = ATTENDANCE.employees(actor).filter(code__iexact=code).first()
        if employee is None:
            form.add_error("code", "No employee has this code.")
            form.error_status = 422
        else:
            try:
                if form.cleaned_data["pin"]:
                    kiosks.set_pin(actor, employee, pin=form.cleaned_data["pin"])
                    messages.success(request, f"Kiosk PIN set for {employee.full_name}.")
                else:
                    kiosks.clear_pin(actor, employee)
                    messages.success(request, f"Kiosk PIN removed for {employee.full_name}.")
                return redirect("attendance:pins", workspace_slug=workspace_slug)
            except DomainError as exc:
                for problem in exc.problems:
                    form.add_error(problem.field if problem.field in form.fields else None, problem.message)
                form.error_status = 422
    return render_form(request, "attendance/settings/pins.html", {"form": form}, form)


urlpatterns = [
    path("settings/policy/", policy_page, name="policy"),
    path("settings/sites/", site_list, name="sites"),
    path("settings/sites/new/", site_new, name="site-new"),
    path("settings/sites/<int:site_id>/", site_edit, name="site"),
    path("settings/sites/<int:site_id>/delete/", site_delete, name="site-delete"),
    path("settings/kiosks/", kiosk_list, name="kiosks"),
    path("settings/kiosks/<int:kiosk_id>/", kiosk_edit, name="kiosk"),
    path("settings/kiosks/<int:kiosk_id>/rotate/", kiosk_rotate, name="kiosk-rotate"),
    path("settings/kiosks/<int:kiosk_id>/delete/", kiosk_delete, name="kiosk-delete"),
    path("settings/pins/", pins, name="pins"),
]

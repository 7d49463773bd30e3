"""People pages: directory, employee profile and form, photo, org chart, My team.

Reads go through the selectors (what this viewer may see), writes through the services (who may change
what), exactly as the JSON API does (org/api.py). WorkspaceScopeMiddleware has checked the membership
and opened the scope; `request.actor` is set.
"""
from __future__ import annotations

import phonenumbers
from django.contrib import messages
from django.shortcuts import redirect, render
from django.template.defaultfilters import date as format_date
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from oorg.core import pagination
from oorg.core.errors import NotFound, PermissionDenied
from oorg.web.forms import render_form, service_errors

from . import downloads, importing, selectors, services
from .forms import EMPLOYEE_FIELDS, DirectoryFilterForm, EmployeeForm, PhotoForm, TerminateForm
from .models import Employee
from .permissions import EMPLOYEE_EDIT, EMPLOYEE_EXPORT, EMPLOYEE_VIEW_ALL, TEAM_VIEW
from .selectors import Viewer

PROFILE_REPORTS = 20  # direct reports shown on a profile; the rest are a link to the directory
STATUS_LABELS = dict(Employee.Status.choices)
EMPLOYMENT_TYPE_LABELS = dict(Employee.EmploymentType.choices)
WORK_FACTS = {"code": "Employee code", "work_email": "Work email", "phone": "Phone", "department": "Department",
              "branch": "Branch", "manager": "Manager", "employment_type": "Employment type",
              "start_date": "Start date", "end_date": "End date", "status": "Status", "member": "Workspace account"}
PERSONAL_FACTS = {"birth_date": "Birth date", "home_address": "Home address",
                  "emergency_contact_name": "Emergency contact", "emergency_contact_phone": "Emergency contact phone"}


def _rows(viewer: Viewer, employees) -> list[dict]:
    viewer.learn_team(employees)  # one query for the whole page, not one per row
    return [_row(viewer, e) for e in employees]


def _to_profile(workspace_slug, employee):
    return redirect("org:employee", workspace_slug=workspace_slug, employee_id=employee.pk)


def initials(name: str) -> str:
    words = name.split()
    if not words:
        return "?"
    return (words[0][0] + (words[-1][0] if len(words) > 1 else "")).upper()


def display_phone(number: str) -> str:
    """+493012345678 -> +49 30 12345678; anything unparsable is shown as stored."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(number), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return number


def _avatar(employee: Employee) -> dict:
    # The photo URL changes with the record, so a cached old photo is not shown after an upload.
    return {"id": employee.pk, "has_photo": bool(employee.photo), "initials": initials(employee.full_name),
            "photo_version": int(employee.updated_at.timestamp())}


def _row(viewer: Viewer, employee: Employee) -> dict:
    """One person in a list: exactly what profile_of lets this viewer see, plus how to draw them."""
    row = selectors.profile_of(viewer, employee)
    row["initials"] = initials(employee.full_name)
    row["photo_version"] = _avatar(employee)["photo_version"]
    if row.get("phone"):
        row["phone_display"] = display_phone(row["phone"])
    return row


# --- directory and export ----------------------------------------------------------------------------


def _filter_form(request) -> DirectoryFilterForm:
    actor = request.actor
    return DirectoryFilterForm(request.GET, actor=actor, with_status=actor.can(EMPLOYEE_VIEW_ALL))


@require_safe
def directory(request, workspace_slug):
    actor = request.actor
    viewer = selectors.viewer_for(actor)
    form = _filter_form(request)
    filters = form.filters()
    people = pagination.page_for(request, selectors.employees_visible_to(viewer, **filters))
    exports = {}
    if actor.can(EMPLOYEE_EXPORT):
        query = request.GET.copy()
        query.pop("cursor", None)
        for fmt in downloads.SPREADSHEET_TYPES:
            query["format"] = fmt
            exports[fmt] = f"{reverse('org:export', args=[workspace_slug])}?{query.urlencode()}"
    context = {
        "form": form, "filtered": any(k != "include_subdepartments" for k in filters), "q": filters.get("q", ""),
        "people": people, "rows": _rows(viewer, people), "exports": exports,
        "can_add": bool(services.editable_fields(viewer, None)),
    }
    return render(request, "org/directory.html", context)


@require_safe
def export(request, workspace_slug):
    fmt = request.GET.get("format", "csv")
    actor = request.actor
    data = importing.export_employees(actor, selectors.viewer_for(actor), fmt=fmt, **_filter_form(request).filters())
    return downloads.spreadsheet(data, fmt, "employees")


# --- profile -----------------------------------------------------------------------------------------------


def _fact(workspace_slug, key: str, label: str, value) -> dict:
    """A label and what to show for one profile key; `href` when the value is a link."""
    fact = {"key": key, "label": label, "value": value, "href": None}
    if value in (None, ""):
        fact["value"] = None
    elif key in ("work_email",):
        fact["href"] = f"mailto:{value}"
    elif key in ("phone", "emergency_contact_phone"):
        fact["value"], fact["href"] = display_phone(value), f"tel:{value}"
    elif key == "department":
        fact["value"] = value["name"]
        fact["href"] = f"{reverse('org:directory', args=[workspace_slug])}?department={value['id']}"
    elif key == "branch":
        fact["value"] = value["name"]
        fact["href"] = f"{reverse('org:directory', args=[workspace_slug])}?branch={value['id']}"
    elif key == "manager":
        fact["value"] = value["name"]
        fact["href"] = reverse("org:employee", args=[workspace_slug, value["id"]])
    elif key == "status":
        fact["value"] = STATUS_LABELS.get(value, value)
    elif key == "employment_type":
        fact["value"] = EMPLOYMENT_TYPE_LABELS.get(value, value)
    elif key in ("start_date", "end_date", "birth_date"):
        fact["value"] = format_date(value, "j F Y")
    if key == "member":  # shown whenever the key is there: "none" is an answer too
        fact["value"] = f"Signs in as {value['name']}" if value is not None else "No workspace account"
        fact.pop("href", None)
    return fact


def _profile_page(request, viewer: Viewer, employee: Employee, *, terminate_form=None):
    slug = viewer.actor.workspace.slug
    profile = selectors.profile_of(viewer, employee)
    work = [_fact(slug, key, label, profile[key]) for key, label in WORK_FACTS.items() if key in profile]
    personal = [_fact(slug, key, label, profile[key]) for key, label in PERSONAL_FACTS.items() if key in profile]
    direct = selectors.reports_of(viewer, employee, all_levels=False)
    reports = list(direct[: PROFILE_REPORTS + 1])
    is_me = viewer.employee is not None and viewer.employee.pk == employee.pk
    context = {
        "employee": employee, "profile": profile, "work": work, "personal": personal, "is_me": is_me,
        "avatar": {**_avatar(employee), "has_photo": profile["has_photo"]},
        "reports": _rows(viewer, reports[:PROFILE_REPORTS]),
        "report_count": direct.count() if len(reports) > PROFILE_REPORTS else len(reports),
        "can_edit": bool(services.editable_fields(viewer, employee)),
        "can_terminate": viewer.actor.can(EMPLOYEE_EDIT) and not employee.is_terminated,
        "terminate_form": terminate_form or TerminateForm(),
    }
    return render_form(request, "org/employee.html", context, terminate_form)


@require_safe
def employee(request, workspace_slug, employee_id: int):
    viewer = selectors.viewer_for(request.actor)
    return _profile_page(request, viewer, selectors.get_employee(viewer, employee_id))


@require_POST
def employee_terminate(request, workspace_slug, employee_id: int):
    viewer = selectors.viewer_for(request.actor)
    employee = selectors.get_employee(viewer, employee_id)
    form = TerminateForm(request.POST)
    if form.is_valid():
        had_reports = selectors.reports_of(viewer, employee, all_levels=False).exists()
        with service_errors(form):
            services.terminate_employee(request.actor, employee, end_date=form.cleaned_data["end_date"])
            moved = ""
            if had_reports:
                moved = (f" Their reports now report to {employee.manager.full_name}." if employee.manager
                         else " Their reports now have no manager.")
            messages.success(request, f"{employee.full_name} is terminated as of "
                                      f"{format_date(employee.end_date, 'j F Y')}.{moved}")
            return _to_profile(workspace_slug, employee)
        employee = selectors.get_employee(viewer, employee_id)
    return _profile_page(request, viewer, employee, terminate_form=form)


# --- create and edit -----------------------------------------------------------------------------------


def _refused(post, form) -> dict:
    """Employee fields the request sends that the form does not offer. They go to the service with the rest,
    so it is the service that refuses them (403) and nothing is saved; dropping them quietly would hide that."""
    return {name: post.get(name) for name in EMPLOYEE_FIELDS if name in post and name not in form.fields}


def _form_page(request, viewer: Viewer, employee: Employee | None, form, photo_form=None):
    allowed = services.editable_fields(viewer, employee)
    context = {"form": form, "employee": employee, "can_photo": employee is not None and "photo" in allowed,
               "photo_form": photo_form or PhotoForm(), "has_photo": bool(employee and employee.photo),
               "avatar": _avatar(employee) if employee else None,
               "partial": set(form.fields) != set(EMPLOYEE_FIELDS)}
    return render_form(request, "org/employee_form.html", context, form, photo_form)


@require_http_methods(["GET", "POST"])
def employee_new(request, workspace_slug):
    actor = request.actor
    viewer = selectors.viewer_for(actor)
    allowed = services.editable_fields(viewer, None)
    if not allowed:
        raise PermissionDenied("You may not add employees.")
    form = EmployeeForm(request.POST if request.method == "POST" else None, viewer=viewer, employee=None,
                        allowed=allowed)
    if form.is_bound and form.is_valid():
        # Name and code always go (the service says which is missing); the rest only when filled in.
        fields = {name: value for name, value in form.values().items()
                  if name in ("code", "full_name") or value not in (None, "")}
        with service_errors(form):
            employee = services.create_employee(actor, **_refused(request.POST, form), **fields)
            messages.success(request, f"{employee.full_name} is added to the directory.")
            return _to_profile(workspace_slug, employee)
    return _form_page(request, viewer, None, form)


@require_http_methods(["GET", "POST"])
def employee_edit(request, workspace_slug, employee_id: int):
    actor = request.actor
    viewer = selectors.viewer_for(actor)
    employee = selectors.get_employee(viewer, employee_id)
    allowed = services.editable_fields(viewer, employee)
    if not allowed:
        raise PermissionDenied("You may not change this employee's record.")
    if request.method == "POST":
        form = EmployeeForm(request.POST, viewer=viewer, employee=employee, allowed=allowed)
        if form.is_valid():
            changes = {**_refused(request.POST, form), **form.changes(employee)}
            with service_errors(form):
                if changes:
                    services.update_employee(actor, employee, **changes)
                    messages.success(request, f"{employee.full_name}'s record is saved.")
                else:
                    messages.info(request, "Nothing changed.")
                return _to_profile(workspace_slug, employee)
    else:
        form = EmployeeForm(viewer=viewer, employee=employee, allowed=allowed)
    return _form_page(request, viewer, employee, form)


# --- photo ---------------------------------------------------------------------------------------------------


@require_safe
def employee_photo(request, workspace_slug, employee_id: int):
    return downloads.photo(selectors.get_employee(selectors.viewer_for(request.actor), employee_id))


@require_POST
def employee_photo_upload(request, workspace_slug, employee_id: int):
    viewer = selectors.viewer_for(request.actor)
    employee = selectors.get_employee(viewer, employee_id)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        with service_errors(form):
            services.set_employee_photo(request.actor, employee, form.cleaned_data["photo"].read())
            messages.success(request, "The photo is saved.")
            return _to_profile(workspace_slug, employee)
    elif "photo" not in services.editable_fields(viewer, employee):
        raise PermissionDenied("You may not change this photo.")  # what the service would say, without a file
    employee = selectors.get_employee(viewer, employee_id)
    allowed = services.editable_fields(viewer, employee)
    return _form_page(request, viewer, employee, EmployeeForm(viewer=viewer, employee=employee, allowed=allowed),
                      photo_form=form)


@require_POST
def employee_photo_remove(request, workspace_slug, employee_id: int):
    viewer = selectors.viewer_for(request.actor)
    employee = selectors.get_employee(viewer, employee_id)
    services.set_employee_photo(request.actor, employee, None)
    messages.success(request, "The photo is removed.")
    return _to_profile(workspace_slug, employee)


# --- org chart and My team -------------------------------------------------------------------------------


def _chart_nodes(people) -> list[dict]:
    return [{"id": e.pk, "full_name": e.full_name, "job_title": e.job_title, "initials": initials(e.full_name),
             "department": e.department, "has_photo": bool(e.photo), "photo_version": int(e.updated_at.timestamp()),
             "report_count": e.report_count} for e in people]


@require_safe
def chart(request, workspace_slug):
    """The org chart, a level at a time: the top, or the path down to one person (`?focus=`) and that
    person's direct reports, a page at a time. A search jumps to someone."""
    viewer = selectors.viewer_for(request.actor)
    q = request.GET.get("q", "").strip()[:100]
    matches = None
    if q:
        matches = _chart_nodes(selectors.chart_search(viewer, q)[:10])
    focus, path = None, []
    focus_id = request.GET.get("focus", "")
    if focus_id.isdigit() and len(focus_id) < 19:
        try:
            focus = selectors.get_employee(viewer, int(focus_id))
        except NotFound:
            focus = None
        if focus is not None:
            path = _chart_nodes(selectors.chart_path(viewer, focus))
    level = pagination.page_for(request, selectors.chart_level(viewer, focus if path else None))
    context = {"path": path, "level": level, "nodes": _chart_nodes(level), "q": q, "matches": matches,
               "focus": path[-1] if path else None}
    return render(request, "org/chart.html", context)


@require_safe
def my_team(request, workspace_slug):
    actor = request.actor
    if not actor.can(TEAM_VIEW):
        raise PermissionDenied("My team is for people who lead a team.")
    viewer = selectors.viewer_for(actor)
    me = viewer.employee
    context = {"me": me, "total": 0}
    if me is not None:
        team = selectors.reports_of(viewer, me, all_levels=True)
        page = pagination.page_for(request, team)
        total = page.count if page.count is not None else team.count()
        direct = selectors.reports_of(viewer, me, all_levels=False).count()
        rows = [{**row, "direct": e.manager_id == me.pk} for e, row in zip(page, _rows(viewer, page))]
        context.update({"people": page, "rows": rows, "total": total, "direct": direct, "indirect": total - direct})
    return render(request, "org/my_team.html", context)


urlpatterns = [
    path("people/", directory, name="directory"),
    path("people/export", export, name="export"),
    path("people/new", employee_new, name="employee-new"),
    path("people/chart/", chart, name="chart"),
    path("people/my-team/", my_team, name="my-team"),
    path("people/<int:employee_id>/", employee, name="employee"),
    path("people/<int:employee_id>/edit", employee_edit, name="employee-edit"),
    path("people/<int:employee_id>/terminate", employee_terminate, name="employee-terminate"),
    path("people/<int:employee_id>/photo", employee_photo, name="employee-photo"),
    path("people/<int:employee_id>/photo/upload", employee_photo_upload, name="employee-photo-upload"),
    path("people/<int:employee_id>/photo/remove", employee_photo_remove, name="employee-photo-remove"),
]

"""People pages: directory, employee profile and form, photo, org chart, My team.

Reads go through the selectors (what this viewer may see), writes through the services (who may change
what), exactly as the JSON API does (org/api.py). WorkspaceScopeMiddleware has checked the membership
and opened the scope; `request.actor` is set.
"""
from __future__ import annotations

import phonenumbers
from django import forms as django_forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.template.defaultfilters import date as format_date
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from oorg.core import pagination
from oorg.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from oorg.core.forms import redirect_get_to, render_form, service_errors

from . import downloads, importing, selectors, services
from .forms import EMPLOYEE_FIELDS, BulkActionForm, DirectoryFilterForm, EmployeeForm, PhotoForm, TerminateForm
from .models import Employee
from .permissions import EMPLOYEE_EDIT, EMPLOYEE_EXPORT, EMPLOYEE_VIEW_ALL, TEAM_EDIT, TEAM_VIEW
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


def is_partial(request) -> bool:
    """A request for a part of the page (htmx, or the chart's script), not a history restore (the whole page)."""
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


def bulk_actions(actor) -> list[str]:
    """The bulk actions this actor may start (each service still checks every row)."""
    actions = []
    if actor.can(EMPLOYEE_EDIT) or actor.can(TEAM_EDIT):
        actions += ["move_department", "move_branch"]
    if actor.can(EMPLOYEE_EDIT):
        actions += ["change_manager", "terminate"]
    return actions


def _entries(viewer: Viewer, page, group: str | None, rows: list[dict], *, selectable: bool) -> list[dict]:
    """The page's rows with a group header before the first row of each group (and at the top of the page)."""
    entries, previous = [], None
    can_all = viewer.actor.can(EMPLOYEE_EDIT)
    for employee, row, label in zip(page, rows, page.labels or [None] * len(rows), strict=True):
        header = None
        if group and label is not None and (previous is None or (label.kind, label.id) != previous):
            name = label.name or (row["manager"]["name"] if row.get("manager") else "")
            header = {"name": name, "depth": label.depth, "none": label.id is None, "kind": label.kind,
                      "id": label.id, "continued": previous is None and page.continues}
            previous = (label.kind, label.id)
        entries.append({"header": header, "row": row,
                        "selectable": selectable and (can_all or viewer.in_team(employee))})
    return entries


@require_safe
def directory(request, workspace_slug):
    """The directory: filters, a sort and a grouping that apply as they change (htmx swaps the results;
    without JS the Apply button does), and for HR and managers a bulk action on the rows they check."""
    actor = request.actor
    viewer = selectors.viewer_for(actor)
    form = _filter_form(request)
    filters = form.filters()
    sort, descending, group = form.order()
    everyone = selectors.employees_visible_to(viewer, **filters)
    walk = selectors.directory_walk(viewer, everyone, sort=sort, descending=descending, group=group)
    people = pagination.segmented_page_for(request, walk, count=everyone.count)
    rows = _rows(viewer, people)
    actions = bulk_actions(actor)
    exports = {}
    if actor.can(EMPLOYEE_EXPORT):
        query = request.GET.copy()
        query.pop("cursor", None)
        for fmt in downloads.SPREADSHEET_TYPES:
            query["format"] = fmt
            exports[fmt] = f"{reverse('org:export', args=[workspace_slug])}?{query.urlencode()}"
    context = {
        "form": form, "filtered": bool(filters), "q": filters.get("q", ""),
        "people": people, "rows": rows, "entries": _entries(viewer, people, group, rows, selectable=bool(actions)),
        "exports": exports, "can_add": bool(services.editable_fields(viewer, None)),
        "bulk_form": BulkActionForm(actor=actor, actions=actions) if actions else None,
        "bulk_limit": selectors.BULK_LIMIT, "here": request.get_full_path(),
    }
    response = render(request, "org/_directory_results.html" if is_partial(request) else "org/directory.html",
                      context)
    patch_vary_headers(response, ["HX-Request"])  # one URL, two answers: a cache must tell them apart
    return response


# --- bulk actions: check the rows, review, confirm, then back to the directory (POST/redirect/GET) ------------


def _bulk_data(request):
    """The review step is a GET (it writes nothing, so a reload or a shared link repeats nothing); the apply step a POST."""
    return request.POST if request.method == "POST" else request.GET


def _back_to(request, workspace_slug) -> str:
    """Where the directory was (its filters and page), if `next` is one of this workspace's people pages."""
    target = _bulk_data(request).get("next", "")
    prefix = reverse("org:directory", args=[workspace_slug])
    if (target.startswith(prefix) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
            and "\\" not in target):
        return target
    return prefix


def _manager_candidates(viewer: Viewer, text: str) -> list[Employee]:
    """Who a typed manager could be: the current employee with that code, else up to 10 by name."""
    people = selectors.employees_visible_to(viewer)
    by_code = list(people.filter(code__iexact=text)[:1])
    return by_code or list(selectors.employees_visible_to(viewer, q=text)[:10])


def _bulk_request(request):
    """The bulk form and its people, both checked; a selection that is not usable sends the user back."""
    actor = request.actor
    actions = bulk_actions(actor)
    if not actions:
        raise PermissionDenied("You may not change people in bulk.")
    viewer = selectors.viewer_for(actor)
    data = _bulk_data(request)
    text = data.get("manager", "").strip()[:100]
    candidates = _manager_candidates(viewer, text) if data.get("action") == "change_manager" and text else []
    form = BulkActionForm(data, actor=actor, actions=actions,
                          manager_choices=[(str(e.pk), f"{e.full_name} ({e.code})") for e in candidates])
    try:
        ids = form.ids()
        selectors.check_bulk_size(len(ids))
        employees = selectors.employees_for_bulk(viewer, ids)
    except (django_forms.ValidationError, ValidationFailed) as exc:
        messages.error(request, exc.message if isinstance(exc, ValidationFailed) else exc.messages[0])
        return None, None, None
    return form, employees, candidates


def _bulk_target(viewer: Viewer, form, candidates) -> dict:
    """What the action does, in words and as the service's keywords; an "error" when it is not decided yet."""
    data = form.cleaned_data
    action = data["action"]
    if action == "move_department":
        department = selectors.get_department(viewer.actor, data["department"])
        return {"kwargs": {"department": department}, "verb": "Move", "to": f"to {department.name}",
                "same": "already in it"}
    if action == "move_branch":
        branch = selectors.get_branch(viewer.actor, data["branch"])
        return {"kwargs": {"branch": branch}, "verb": "Move", "to": f"to {branch.name}", "same": "already there"}
    if action == "change_manager":
        chosen = data.get("manager_id")
        if chosen is None and len(candidates) == 1:
            chosen = candidates[0].pk
        if chosen is None:
            form.add_error("manager_id" if candidates else "manager",
                           "Choose one of these people." if candidates else "Nobody you can see has that name or code.")
            return {"error": True}
        manager = selectors.get_employee(viewer, chosen)
        return {"kwargs": {"manager": manager}, "verb": "Change the manager of", "to": f"to {manager.full_name}",
                "manager": manager, "same": f"already reporting to {manager.full_name}"}
    end = data.get("end_date")
    return {"kwargs": {"end_date": end}, "verb": "Terminate",
            "to": f"as of {format_date(end, 'j F Y')}" if end else "as of today", "same": "already gone"}


REVIEW_NAMES = 8  # people named on the confirmation; the rest are "and N more"


def _review_page(request, form, employees, target, *, refused=None, status=200):
    context = {"form": form, "employees": employees, "named": employees[:REVIEW_NAMES],
               "more": max(len(employees) - REVIEW_NAMES, 0), "target": target, "refused": refused or [],
               "next": _back_to(request, request.actor.workspace.slug)}
    if form.errors and status == 200:
        status = 422
    return render(request, "org/bulk_review.html", context, status=status)


@require_safe
def bulk_review(request, workspace_slug):
    """The confirmation: who and what, before anything changes. Nothing is written here, so it is a GET."""
    form, employees, candidates = _bulk_request(request)
    if form is None:
        return redirect(_back_to(request, workspace_slug))
    target = _bulk_target(selectors.viewer_for(request.actor), form, candidates) if form.is_valid() else {
        "error": True}
    return _review_page(request, form, employees, target)


BULK_SERVICES = {"move_department": services.bulk_move_employees, "move_branch": services.bulk_move_employees,
                 "change_manager": services.bulk_change_manager, "terminate": services.bulk_terminate}


@redirect_get_to("org:directory")
@require_POST
def bulk_apply(request, workspace_slug):
    """Do the confirmed action through its service, then back to the directory with what happened."""
    form, employees, candidates = _bulk_request(request)
    if form is None:
        return redirect(_back_to(request, workspace_slug))
    if not form.is_valid():
        return _review_page(request, form, employees, {"error": True})
    target = _bulk_target(selectors.viewer_for(request.actor), form, candidates)
    if target.get("error"):
        return _review_page(request, form, employees, target)
    try:
        result = BULK_SERVICES[form.cleaned_data["action"]](request.actor, employees, **target["kwargs"])
    except services.BulkRefused as exc:
        return _review_page(request, form, employees, target, refused=exc.refused, status=exc.status)
    except NotFound:
        raise
    except DomainError as exc:
        if isinstance(exc, PermissionDenied) and exc.field not in form.fields:
            raise
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _review_page(request, form, employees, target, status=exc.status)
    changed, same = len(result.changed), result.selected - len(result.changed)
    people = f"{changed} {'person' if changed == 1 else 'people'}"
    done = {"Move": "Moved", "Change the manager of": "Changed the manager of", "Terminate": "Terminated"}[
        target["verb"]]
    if changed:
        message = f"{done} {people} {target['to']}."
        if same:
            message += f" {same} {'was' if same == 1 else 'were'} {target['same']}."
        messages.success(request, message)
    else:
        messages.info(request, f"Nothing changed: {'they were all' if same > 1 else 'they were'} {target['same']}.")
    return redirect(_back_to(request, workspace_slug))


# --- departments: headcounts with sub-departments, one department's people ---------------------------------------


@require_safe
def department_list(request, workspace_slug):
    actor = request.actor
    viewer = selectors.viewer_for(actor)
    tree = selectors.department_tree(actor)
    totals = selectors.department_headcounts(viewer)  # sub-departments included: one query
    below = {}  # what the sub-departments hold, so each department's own people need no second count
    for d, _depth in tree:
        if d.parent_id is not None:
            below[d.parent_id] = below.get(d.parent_id, 0) + totals.get(d.pk, 0)
    rows = [{"department": d, "indent": min(depth, 6), "total": totals.get(d.pk, 0),
             "direct": totals.get(d.pk, 0) - below.get(d.pk, 0)} for d, depth in tree]
    return render(request, "org/department_list.html", {"rows": rows})


@require_safe
def department(request, workspace_slug, department_id: int):
    actor = request.actor
    viewer = selectors.viewer_for(actor)
    department = selectors.get_department(actor, department_id)
    only_direct = request.GET.get("direct") == "1"
    members = pagination.page_for(request, selectors.department_members(viewer, department,
                                                                        subdepartments=not only_direct))
    totals = selectors.department_headcounts(viewer, within=department)
    above = selectors.department_path(actor, department)[:-1]
    context = {"department": department, "above": above, "members": members, "rows": _rows(viewer, members),
               "only_direct": only_direct, "total": totals.get(department.pk, 0),
               "children": [{"department": d, "total": totals.get(d.pk, 0)}
                            for d in selectors.subdepartments(actor, department)],
               "head": department.head if department.head_id and not department.head.is_terminated else None}
    return render(request, "org/department.html", context)


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
        with service_errors(form):
            employee = services.create_employee(actor, **form.service_data())
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
            changes = form.service_data()
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


@redirect_get_to("org:employee-edit")  # its form is on the edit page (the parent URL is the photo itself)
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


@redirect_get_to("org:employee-edit")
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
             "report_count": e.report_count, "manager_id": e.manager_id} for e in people]


def _chart_department(request, viewer: Viewer):
    value = request.GET.get("department", "")
    if not (value.isdigit() and len(value) < 19):
        return None
    try:
        return selectors.get_department(viewer.actor, int(value))
    except (NotFound, PermissionDenied):
        return None


def _chart_focus(request, viewer: Viewer) -> Employee | None:
    value = request.GET.get("focus", "")
    if not (value.isdigit() and len(value) < 19):
        return None
    try:
        return selectors.get_employee(viewer, int(value))
    except NotFound:
        return None


def _more(level, url: str, params: dict) -> dict | None:
    """The "N more" button of a level: the next page's URL and how many are left."""
    if not level.next_cursor:
        return None
    left = level.count - level.last_number if level.count is not None else None
    query = {**{k: v for k, v in params.items() if v not in (None, "")}, "cursor": level.next_cursor}
    return {"url": f"{url}?{urlencode(query)}", "left": left}


@require_safe
def chart(request, workspace_slug):
    """The org chart. With JS, a top-down chart of boxes (pan, zoom, search, print) that opens one level per
    click from `chart_level_part`; without, a level at a time. Either way: the top, or the line down to one
    person (`?focus=`) and that person's reports a page at a time, or one department (`?department=`): its
    people at the top of its part of the chart, the line above it, and only its people below them."""
    viewer = selectors.viewer_for(request.actor)
    q = request.GET.get("q", "").strip()[:100]
    matches = _chart_nodes(selectors.chart_search(viewer, q)[:10]) if q else None
    focus = _chart_focus(request, viewer)
    department = None if focus is not None else _chart_department(request, viewer)
    path, chain = [], []
    if focus is not None:
        path = _chart_nodes(selectors.chart_path(viewer, focus))
    elif department is not None:
        chain = _chart_nodes(selectors.department_chain(viewer, department))
    level = pagination.page_for(request, selectors.chart_level(viewer, focus if path else None,
                                                               department=department))
    nodes = _chart_nodes(level)
    level_url = reverse("org:chart-level", args=[workspace_slug])
    parent = path[-1] if path else None
    more = _more(level, level_url, {"parent": parent["id"] if parent else "",
                                    "department": department.pk if department else ""})
    # The drawn chart: the line down (each box with only the next one below it; "all N reports" opens the
    # rest), then this level. The top is shown whole when nobody is in focus.
    line = path[:-1] if path else chain
    top_count = selectors.chart_level(viewer).count() if path else None  # the top, beside the line's first box
    context = {"path": path, "level": level, "nodes": nodes, "q": q, "matches": matches,
               "focus": parent, "department": department, "chain": chain, "line": line, "more": more,
               "top_count": top_count, "level_url": level_url,
               "departments": [(d.pk, "— " * depth + d.name) for d, depth in _department_choices(request.actor)]}
    return render(request, "org/chart.html", context)


def _department_choices(actor):
    try:
        return selectors.department_tree(actor)
    except PermissionDenied:
        return []


@require_safe
def chart_level_part(request, workspace_slug):
    """One level of the chart as boxes (the chart's script asks for it): the top, one person's reports
    (`parent`), a department's (`department`), a page at a time (`cursor`). Opened in the browser without the
    script, it is the chart page at that person."""
    viewer = selectors.viewer_for(request.actor)
    parent_id = request.GET.get("parent", "")
    parent = None
    if parent_id:
        if not (parent_id.isdigit() and len(parent_id) < 19):
            raise NotFound()
        parent = selectors.get_employee(viewer, int(parent_id))
    department = _chart_department(request, viewer)
    if not is_partial(request):
        query = {"focus": parent.pk} if parent else {"department": department.pk} if department else {}
        response = redirect(f"{reverse('org:chart', args=[workspace_slug])}?{urlencode(query)}")
        patch_vary_headers(response, ["HX-Request"])
        return response
    level = pagination.page_for(request, selectors.chart_level(viewer, parent, department=department))
    more = _more(level, request.path, {"parent": parent.pk if parent else "",
                                       "department": department.pk if department else ""})
    response = render(request, "org/_chart_level.html", {"nodes": _chart_nodes(level), "more": more,
                                                         "parent": parent, "department": department,
                                                         "level_url": request.path})
    patch_vary_headers(response, ["HX-Request"])
    return response


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
    path("people/chart/level", chart_level_part, name="chart-level"),
    path("people/bulk/review", bulk_review, name="bulk-review"),
    path("people/bulk", bulk_apply, name="bulk"),
    path("people/departments/", department_list, name="department-list"),
    path("people/departments/<int:department_id>/", department, name="department"),
    path("people/my-team/", my_team, name="my-team"),
    path("people/<int:employee_id>/", employee, name="employee"),
    path("people/<int:employee_id>/edit", employee_edit, name="employee-edit"),
    path("people/<int:employee_id>/terminate", employee_terminate, name="employee-terminate"),
    path("people/<int:employee_id>/photo", employee_photo, name="employee-photo"),
    path("people/<int:employee_id>/photo/upload", employee_photo_upload, name="employee-photo-upload"),
    path("people/<int:employee_id>/photo/remove", employee_photo_remove, name="employee-photo-remove"),
]

"""Organization setup pages: departments, branches, self-service settings and the employee import wizard.

Mounted under /w/<workspace_slug>/ (WorkspaceScopeMiddleware has checked the membership, opened the
scope and set `request.actor`). Every write goes through org.services / org.importing; a refused write
comes back as a message on the form that caused it.
"""
from __future__ import annotations

from pathlib import PurePath

from django.contrib import messages
from django.core.files import File
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from oorg.core import files, imports, jobs
from oorg.core.errors import Conflict, PermissionDenied
from oorg.core.forms import add_service_error, render_form, service_errors
from oorg.core.permissions import require
from oorg.core.tabular import write_table

from . import downloads, importing, selectors, services
from .permissions import BRANCH_MANAGE, DEPARTMENT_MANAGE, EMPLOYEE_IMPORT, SETTINGS_MANAGE
from .setup_forms import BranchForm, DeleteForm, DepartmentForm, ImportUploadForm, OrgSettingsForm

# The setup tabs, in order: (URL name, permission). The nav's "Organization" link opens the first one allowed.
TABS = (("org:departments", DEPARTMENT_MANAGE), ("org:branches", BRANCH_MANAGE), ("org:import", EMPLOYEE_IMPORT),
        ("org:settings", SETTINGS_MANAGE))
DEFAULT_WORKING_DAYS = ["mon", "tue", "wed", "thu", "fri"]


def _counts_by(actor, column: str) -> dict[int, int]:
    return selectors.headcounts(selectors.viewer_for(actor), column)


# --- departments -------------------------------------------------------------------------------------------


def _department_form(actor, *args, department=None, **kwargs) -> DepartmentForm:
    employees = selectors.employees_visible_to(selectors.viewer_for(actor))
    return DepartmentForm(*args, actor=actor, tree=selectors.department_tree(actor), employees=employees,
                          department=department, **kwargs)


def _department_initial(department) -> dict:
    return {"name": department.name, "parent": department.parent_id, "head": department.head_id}


def _departments_page(request, *, form=None):
    actor = request.actor
    tree = selectors.department_tree(actor)
    counts = _counts_by(actor, "department_id")
    rows = [{"department": d, "depth": depth, "indent": min(depth, 6), "people": counts.get(d.pk, 0)}
            for d, depth in tree]
    form = form or _department_form(actor)
    return render_form(request, "org/departments.html", {"rows": rows, "form": form}, form)


@require_safe
def departments(request, workspace_slug):
    actor = request.actor
    if not actor.can(DEPARTMENT_MANAGE):
        # The "Organization" link is shown for any setup permission: open the first tab this actor may use.
        allowed = next((name for name, perm in TABS if actor.can(perm)), None)
        if allowed is None:
            raise PermissionDenied()
        return redirect(allowed, workspace_slug=workspace_slug)
    return _departments_page(request)


@require_POST
def department_new(request, workspace_slug):
    actor = request.actor
    require(actor, DEPARTMENT_MANAGE)
    form = _department_form(actor, request.POST)
    if form.is_valid():
        with service_errors(form):
            department = services.create_department(actor, **form.service_data())
            messages.success(request, f"Department {department.name} created.")
            return redirect("org:departments", workspace_slug=workspace_slug)
    return _departments_page(request, form=form)


def _department_edit_page(request, department, *, form=None, delete_form=None):
    actor = request.actor
    form = form or _department_form(actor, department=department, initial=_department_initial(department))
    delete_form = delete_form or DeleteForm()
    context = {"department": department, "form": form, "delete_form": delete_form,
               "people": _counts_by(actor, "department_id").get(department.pk, 0),
               "children": sum(1 for d, _ in selectors.department_tree(actor) if d.parent_id == department.pk)}
    return render_form(request, "org/department_form.html", context, form, delete_form)


@require_http_methods(["GET", "POST"])
def department_edit(request, workspace_slug, department_id: int):
    actor = request.actor
    require(actor, DEPARTMENT_MANAGE)
    department = selectors.get_department(actor, department_id)
    if request.method != "POST":
        return _department_edit_page(request, department)
    form = _department_form(actor, request.POST, department=department, initial=_department_initial(department))
    if form.is_valid():
        with service_errors(form):
            changes = form.service_data()  # only what the user changed: the audit trail names what moved
            if changes:
                services.update_department(actor, department, **changes)
                messages.success(request, f"Department {department.name} saved.")
            else:
                messages.info(request, "Nothing changed.")
            return redirect("org:departments", workspace_slug=workspace_slug)
    return _department_edit_page(request, department, form=form)


@require_POST
def department_delete(request, workspace_slug, department_id: int):
    actor = request.actor
    require(actor, DEPARTMENT_MANAGE)
    department = selectors.get_department(actor, department_id)
    delete_form = DeleteForm(request.POST)
    name = department.name
    try:
        services.delete_department(actor, department)
    except Conflict as exc:
        add_service_error(delete_form, exc, keep_status=True)  # 409: still in use
        return _department_edit_page(request, department, delete_form=delete_form)
    messages.success(request, f"Department {name} deleted.")
    return redirect("org:departments", workspace_slug=workspace_slug)


# --- branches ------------------------------------------------------------------------------------------------


def _branch_form(actor, branch, *args) -> BranchForm:
    initial = {"name": branch.name, "address": branch.address, "country": branch.country,
               "time_zone": branch.time_zone, "working_days": list(branch.working_days),
               "work_starts": branch.work_starts, "work_ends": branch.work_ends,
               "holiday_calendar": branch.holiday_calendar}
    return BranchForm(*args, initial=initial, actor=actor, branch=branch)


def _branch_form_page(request, *, form, branch=None, delete_form=None):
    context = {"form": form, "branch": branch, "delete_form": delete_form}
    if branch is not None:
        context["people"] = _counts_by(request.actor, "branch_id").get(branch.pk, 0)
        context["delete_form"] = delete_form or DeleteForm()
    return render_form(request, "org/branch_form.html", context, form, delete_form)


@require_safe
def branches(request, workspace_slug):
    actor = request.actor
    require(actor, BRANCH_MANAGE)
    counts = _counts_by(actor, "branch_id")
    rows = [{"branch": b, "people": counts.get(b.pk, 0)} for b in selectors.branches_visible_to(actor)]
    return render(request, "org/branches.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
def branch_new(request, workspace_slug):
    actor = request.actor
    require(actor, BRANCH_MANAGE)
    if request.method != "POST":
        form = BranchForm(initial={"time_zone": actor.workspace.time_zone, "working_days": DEFAULT_WORKING_DAYS,
                                   "work_starts": "09:00", "work_ends": "17:00"}, actor=actor)
        return _branch_form_page(request, form=form)
    form = BranchForm(request.POST, actor=actor)
    if form.is_valid():
        with service_errors(form):
            branch = services.create_branch(actor, **form.service_data())
            messages.success(request, f"Branch {branch.name} created.")
            return redirect("org:branches", workspace_slug=workspace_slug)
    return _branch_form_page(request, form=form)


@require_http_methods(["GET", "POST"])
def branch_edit(request, workspace_slug, branch_id: int):
    actor = request.actor
    require(actor, BRANCH_MANAGE)
    branch = selectors.get_branch(actor, branch_id)
    if request.method != "POST":
        return _branch_form_page(request, form=_branch_form(actor, branch), branch=branch)
    form = _branch_form(actor, branch, request.POST)
    if form.is_valid():
        with service_errors(form):
            changes = form.service_data()  # only what the user changed: the audit trail names what moved
            if changes:
                services.update_branch(actor, branch, **changes)
                messages.success(request, f"Branch {branch.name} saved.")
            else:
                messages.info(request, "Nothing changed.")
            return redirect("org:branches", workspace_slug=workspace_slug)
    return _branch_form_page(request, form=form, branch=branch)


@require_POST
def branch_delete(request, workspace_slug, branch_id: int):
    actor = request.actor
    require(actor, BRANCH_MANAGE)
    branch = selectors.get_branch(actor, branch_id)
    delete_form = DeleteForm(request.POST)
    name = branch.name
    try:
        services.delete_branch(actor, branch)
    except Conflict as exc:
        add_service_error(delete_form, exc, keep_status=True)  # 409: still in use
        return _branch_form_page(request, form=_branch_form(actor, branch), branch=branch, delete_form=delete_form)
    messages.success(request, f"Branch {name} deleted.")
    return redirect("org:branches", workspace_slug=workspace_slug)


# --- self-service settings ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def org_settings(request, workspace_slug):
    actor = request.actor
    require(actor, SETTINGS_MANAGE)
    current = selectors.org_settings(actor).self_service_fields
    if request.method == "POST":
        form = OrgSettingsForm(request.POST)
        if form.is_valid():
            with service_errors(form):
                services.update_org_settings(actor, **form.cleaned_data)
                messages.success(request, "Self-service settings saved.")
                return redirect("org:settings", workspace_slug=workspace_slug)
    else:
        form = OrgSettingsForm(initial={"self_service_fields": current})
    return render_form(request, "org/org_settings.html", {"form": form}, form)


# --- employee import wizard ---------------------------------------------------------------------------------------
#
# Upload -> the file is kept in the private storage; only its stored name, the original filename and the
# mapping go into the session, keyed by workspace. Columns -> a select per header (auto-chosen by aliases)
# and a preview of the first rows. Check -> a dry-run job (progress bar while it runs): every problem, the
# error report, the mode choice. Confirm -> the import job; the session entry is taken first, so a second
# confirm finds nothing to import. Every successful POST redirects (POST/redirect/GET).

def _import_key(actor) -> str:
    return f"oorg.org.import.{actor.workspace.pk}"


def _pending_import(request, *, take: bool = False) -> dict | None:
    """This workspace's uploaded file waiting for its import, if any (and if it is really one of ours)."""
    key = _import_key(request.actor)
    pending = request.session.pop(key, None) if take else request.session.get(key)
    prefix = imports.upload_folder(request.actor) + "/"
    return pending if isinstance(pending, dict) and str(pending.get("name", "")).startswith(prefix) else None


def _import_page(request, *, status=200, **context):
    actor = request.actor
    columns = [{"name": name, "aliases": [a for a in importing.COLUMNS[name] if a != name]}
               for name in importing.columns_for(actor)]
    context.setdefault("form", ImportUploadForm())
    context.setdefault("step", "upload")
    return render(request, "org/import.html", {"columns": columns, **context}, status=status)


@require_http_methods(["GET", "POST"])
def import_upload(request, workspace_slug):
    actor = request.actor
    require(actor, EMPLOYEE_IMPORT)
    if request.method != "POST":
        return _import_page(request)
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, form=form, status=422)
    upload = form.cleaned_data["file"]
    filename = (upload.name or "upload")[-200:]
    suffix = PurePath(filename).suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        form.add_error("file", "Upload a .csv or .xlsx file.")
        return _import_page(request, form=form, status=422)
    replaced = _pending_import(request, take=True)  # a new upload replaces one that was not imported
    if replaced:
        files.delete(replaced["name"])
    stored = files.save_private(imports.upload_folder(actor), File(upload), suffix=suffix)
    request.session[_import_key(actor)] = {"name": stored, "filename": filename, "mapping": {}}
    return redirect("org:import-mapping", workspace_slug=workspace_slug)


IMPORT_SUFFIXES = (".csv", ".txt", ".xlsx")


@require_http_methods(["GET", "POST"])
def import_mapping(request, workspace_slug):
    actor = request.actor
    require(actor, EMPLOYEE_IMPORT)
    pending = _pending_import(request)
    if pending is None:
        messages.warning(request, "There is nothing to import: upload the file again.")
        return redirect("org:import", workspace_slug=workspace_slug)
    if request.method == "POST":
        headers = request.POST.getlist("header")
        columns = request.POST.getlist("column")
        mapping = {h: c for h, c in zip(headers, columns) if c in importing.COLUMNS or c == ""}
        pending = {**pending, "mapping": mapping}
        request.session[_import_key(actor)] = pending
        if request.POST.get("action") != "check":
            return redirect("org:import-mapping", workspace_slug=workspace_slug)
        # The page checks as "valid rows" would import: the rows waiting for a bad row are named too.
        job = importing.start_import(actor, upload=pending["name"], filename=pending["filename"], mapping=mapping,
                                     mode=imports.VALID_ROWS, dry_run=True, keep_upload=True)
        request.session[_import_key(actor)] = {**pending, "check": job.pk}
        return redirect("org:import-job", workspace_slug=workspace_slug, job_id=job.pk)
    try:
        with imports.local_copy(pending["name"]) as path:
            preview = imports.preview(importing.EMPLOYEES, actor, path=path, filename=pending["filename"],
                                      mapping=pending["mapping"] or None)
    except FileNotFoundError:
        _pending_import(request, take=True)
        messages.warning(request, "The upload is gone (uploads are kept for a day): upload the file again.")
        return redirect("org:import", workspace_slug=workspace_slug)
    allowed = importing.columns_for(actor)
    fields = [{"header": h, "column": preview["mapping"].get(h, ""), "index": i}
              for i, h in enumerate(preview["headers"])]
    used = [f["column"] for f in fields if f["column"]]
    rows = [[(c, row.get(c, "")) for c in used] for row in preview["rows"]]
    return _import_page(request, step="mapping", filename=pending["filename"], fields=fields, choices=allowed,
                        used=used, rows=rows, header_errors=preview["errors"],
                        status=422 if any(e["field"] == "file" for e in preview["errors"]) else 200)


def _import_job(request, job_id):
    require(request.actor, EMPLOYEE_IMPORT)
    return jobs.get_job(request.actor, job_id, kind=importing.EMPLOYEES.kind)


@require_safe
def import_job(request, workspace_slug, job_id: int):
    job = _import_job(request, job_id)
    result = job.result or {}
    dry_run = bool(job.params.get("dry_run"))
    pending = _pending_import(request)
    waiting = pending is not None and pending.get("check") == job.pk
    writable = result.get("created", 0) + result.get("updated", 0)
    return _import_page(request, step="check" if dry_run else "done", job=job, result=result, dry_run=dry_run,
                        can_confirm=dry_run and waiting and job.state == job.State.SUCCEEDED and writable > 0,
                        writable=writable, filename=job.params.get("filename", ""), refresh=not job.is_done,
                        percent=int(100 * job.progress / job.total) if job.total else 0)


@require_safe
def import_error_report(request, workspace_slug, job_id: int):
    from oorg.core.jobs_api import error_report_response

    return error_report_response(_import_job(request, job_id))


@require_POST
def import_confirm(request, workspace_slug):
    actor = request.actor
    require(actor, EMPLOYEE_IMPORT)
    pending = _pending_import(request, take=True)
    request.session.save()  # forget the upload now, not at the end: a double submit finds nothing
    if pending is None or "check" not in pending:
        messages.warning(request, "There is nothing to import: upload the file again.")
        return redirect("org:import", workspace_slug=workspace_slug)
    mode = request.POST.get("mode", imports.ALL_OR_NOTHING)
    mode = mode if mode in imports.MODES else imports.ALL_OR_NOTHING
    job = importing.start_import(actor, upload=pending["name"], filename=pending["filename"],
                                 mapping=pending["mapping"] or None, mode=mode, dry_run=False)
    return redirect("org:import-job", workspace_slug=workspace_slug, job_id=job.pk)


@require_safe
def import_template(request, workspace_slug):
    actor = request.actor
    require(actor, EMPLOYEE_IMPORT)
    return downloads.spreadsheet(write_table("csv", importing.columns_for(actor), []), "csv",
                                 "employee-import-template")


urlpatterns = [
    path("organization/departments/", departments, name="departments"),
    path("organization/departments/new", department_new, name="department-new"),
    path("organization/departments/<int:department_id>/edit", department_edit, name="department-edit"),
    path("organization/departments/<int:department_id>/delete", department_delete, name="department-delete"),
    path("organization/branches/", branches, name="branches"),
    path("organization/branches/new", branch_new, name="branch-new"),
    path("organization/branches/<int:branch_id>/edit", branch_edit, name="branch-edit"),
    path("organization/branches/<int:branch_id>/delete", branch_delete, name="branch-delete"),
    path("organization/settings/", org_settings, name="settings"),
    path("organization/import/", import_upload, name="import"),
    path("organization/import/confirm", import_confirm, name="import-confirm"),
    path("organization/import/columns", import_mapping, name="import-mapping"),
    path("organization/import/jobs/<int:job_id>", import_job, name="import-job"),
    path("organization/import/jobs/<int:job_id>/errors.csv", import_error_report, name="import-error-report"),
    path("organization/import/template.csv", import_template, name="import-template"),
]

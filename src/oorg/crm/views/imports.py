"""The CRM import wizard and the export download, under /w/<slug>/crm/.

Upload (which kind of record, the file) -> columns (a select per header, auto-chosen; the dedupe mode) and a
preview of the first rows -> check (a dry-run job: progress bar while it runs, every problem, the error report)
-> confirm (the import job) -> result. Only the stored name of the file, the kind, the mapping and the dedupe mode
go into the session, keyed by workspace; confirm takes the entry first, so a second confirm imports nothing.
Every successful POST redirects. Export: GET /crm/export?entity=&format=&<the list's filters> downloads.
"""
from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.core.files import File
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from oorg.core import files
from oorg.core import imports as core_imports
from oorg.core.errors import ValidationFailed
from oorg.core.permissions import require
from oorg.org import downloads

from .. import scopes
from ..permissions import IMPORT
from ..services import exports
from ..services import imports as crm_imports

ENTITY_CHOICES = [("contact", "Contacts (with their companies)"), ("company", "Companies"), ("lead", "Leads"),
                  ("deal", "Deals")]
DEDUPE_CHOICES = [(crm_imports.SKIP, "Skip the row: keep the record as it is"),
                  (crm_imports.UPDATE, "Update the record with the row's values"),
                  (crm_imports.CREATE, "Create another record anyway")]
SUFFIXES = (".csv", ".txt", ".xlsx")
NOUNS = {"lead": "leads", "contact": "contacts", "company": "companies", "deal": "deals"}


class UploadForm(forms.Form):
    entity = forms.ChoiceField(label="What the file holds", choices=ENTITY_CHOICES)
    file = forms.FileField(label="Spreadsheet (.csv or .xlsx)",
                           widget=forms.FileInput(attrs={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-"
                                                                   "officedocument.spreadsheetml.sheet"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > crm_imports.MAX_FILE_BYTES:
            raise forms.ValidationError("The file is larger than 20 MB; split it into smaller files.")
        if PurePath(upload.name or "").suffix.lower() not in SUFFIXES:
            raise forms.ValidationError("Upload a .csv or .xlsx file.")
        return upload


def _key(actor) -> str:
    return f"oorg.crm.import.{actor.workspace.pk}"


def _pending(request, *, take: bool = False) -> dict | None:
    key = _key(request.actor)
    pending = request.session.pop(key, None) if take else request.session.get(key)
    prefix = core_imports.upload_folder(request.actor) + "/"
    if not isinstance(pending, dict) or not str(pending.get("name", "")).startswith(prefix):
        return None
    return pending if pending.get("entity") in crm_imports.MODELS else None


def _require(request):
    require(request.actor, IMPORT)
    scopes.require_scope(request.actor)


def _page(request, *, status=200, **context):
    entity = context.get("entity") or request.GET.get("entity", "contact")
    entity = entity if entity in crm_imports.MODELS else "contact"
    spec = crm_imports.spec_for(entity)
    columns = [{"name": name, "aliases": [a for a in aliases if a != name]} for name, aliases in spec.columns.items()]
    context.setdefault("form", UploadForm(initial={"entity": entity}))
    context.setdefault("step", "upload")
    return render(request, "crm/imports/import.html",
                  {"columns": columns, "entity": entity, "noun": NOUNS[entity], **context}, status=status)


@require_http_methods(["GET", "POST"])
def import_upload(request, workspace_slug):
    _require(request)
    if request.method != "POST":
        return _page(request)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form=form, entity=request.POST.get("entity"), status=422)
    upload = form.cleaned_data["file"]
    filename = (upload.name or "upload")[-200:]
    replaced = _pending(request, take=True)  # a new upload replaces one that was not imported
    if replaced:
        files.delete(replaced["name"])
    stored = files.save_private(core_imports.upload_folder(request.actor), File(upload),
                                suffix=PurePath(filename).suffix.lower())
    request.session[_key(request.actor)] = {"name": stored, "filename": filename, "mapping": {},
                                            "entity": form.cleaned_data["entity"], "dedupe": crm_imports.SKIP}
    return redirect("crm:import-mapping", workspace_slug=workspace_slug)


@require_http_methods(["GET", "POST"])
def import_mapping(request, workspace_slug):
    _require(request)
    actor = request.actor
    pending = _pending(request)
    if pending is None:
        messages.warning(request, "There is nothing to import: upload the file again.")
        return redirect("crm:import", workspace_slug=workspace_slug)
    spec = crm_imports.spec_for(pending["entity"])
    if request.method == "POST":
        headers, chosen = request.POST.getlist("header"), request.POST.getlist("column")
        mapping = {h: c for h, c in zip(headers, chosen) if c in spec.columns or c == ""}
        dedupe = request.POST.get("dedupe", crm_imports.SKIP)
        pending = {**pending, "mapping": mapping,
                   "dedupe": dedupe if dedupe in crm_imports.DEDUPE_MODES else crm_imports.SKIP}
        request.session[_key(actor)] = pending
        if request.POST.get("action") != "check":
            return redirect("crm:import-mapping", workspace_slug=workspace_slug)
        job = crm_imports.start(actor, pending["entity"], upload=pending["name"], filename=pending["filename"],
                                mapping=mapping, dedupe=pending["dedupe"], mode=core_imports.VALID_ROWS,
                                dry_run=True, keep_upload=True)
        request.session[_key(actor)] = {**pending, "check": job.pk}
        return redirect("crm:import-job", workspace_slug=workspace_slug, job_id=job.pk)
    try:
        with core_imports.local_copy(pending["name"]) as local:
            preview = core_imports.preview(spec, actor, path=local, filename=pending["filename"],
                                           mapping=pending["mapping"] or None)
    except FileNotFoundError:
        _pending(request, take=True)
        messages.warning(request, "The upload is gone (uploads are kept for a day): upload the file again.")
        return redirect("crm:import", workspace_slug=workspace_slug)
    fields = [{"header": h, "column": preview["mapping"].get(h, ""), "index": i}
              for i, h in enumerate(preview["headers"])]
    used = [f["column"] for f in fields if f["column"]]
    rows = [[(c, row.get(c, "")) for c in used] for row in preview["rows"]]
    return _page(request, step="mapping", entity=pending["entity"], filename=pending["filename"], fields=fields,
                 choices=list(spec.columns), used=used, rows=rows, header_errors=preview["errors"],
                 dedupe=pending.get("dedupe", crm_imports.SKIP), dedupe_choices=DEDUPE_CHOICES,
                 status=422 if any(e["field"] == "file" for e in preview["errors"]) else 200)


def _job(request, job_id):
    _require(request)
    return crm_imports.get_job(request.actor, job_id)


@require_safe
def import_job(request, workspace_slug, job_id: int):
    job = _job(request, job_id)
    result = job.result or {}
    dry_run = bool(job.params.get("dry_run"))
    pending = _pending(request)
    waiting = pending is not None and pending.get("check") == job.pk
    writable = result.get("created", 0) + result.get("updated", 0)
    return _page(request, step="check" if dry_run else "done", job=job, result=result, dry_run=dry_run,
                 entity=job.params.get("entity"), dedupe=job.params.get("dedupe"),
                 can_confirm=dry_run and waiting and job.state == job.State.SUCCEEDED and writable > 0,
                 writable=writable, filename=job.params.get("filename", ""), refresh=not job.is_done,
                 percent=int(100 * job.progress / job.total) if job.total else 0)


@require_safe
def import_error_report(request, workspace_slug, job_id: int):
    from oorg.core.jobs_api import error_report_response

    return error_report_response(_job(request, job_id))


@require_POST
def import_confirm(request, workspace_slug):
    _require(request)
    pending = _pending(request, take=True)
    request.session.save()  # forget the upload now: a double submit finds nothing
    if pending is None or "check" not in pending:
        messages.warning(request, "There is nothing to import: upload the file again.")
        return redirect("crm:import", workspace_slug=workspace_slug)
    mode = request.POST.get("mode", core_imports.ALL_OR_NOTHING)
    mode = mode if mode in core_imports.MODES else core_imports.ALL_OR_NOTHING
    job = crm_imports.start(request.actor, pending["entity"], upload=pending["name"], filename=pending["filename"],
                            mapping=pending["mapping"] or None, dedupe=pending.get("dedupe", crm_imports.SKIP),
                            mode=mode, dry_run=False)
    return redirect("crm:import-job", workspace_slug=workspace_slug, job_id=job.pk)


@require_safe
def export(request, workspace_slug):
    """A download link of the list pages: ?entity=lead&format=csv&<the list's filters>."""
    entity = request.GET.get("entity", "")
    fmt = request.GET.get("format", "csv")
    if entity not in exports.lists.SPECS:
        raise ValidationFailed(f"entity is one of {', '.join(exports.lists.SPECS)}.", field="entity")
    data, _count = exports.export(request.actor, entity, request.GET, fmt=fmt)
    return downloads.spreadsheet(data, fmt, exports.filename_for(entity))


urlpatterns = [
    path("import/", import_upload, name="import"),
    path("import/columns", import_mapping, name="import-mapping"),
    path("import/confirm", import_confirm, name="import-confirm"),
    path("import/jobs/<int:job_id>", import_job, name="import-job"),
    path("import/jobs/<int:job_id>/errors.csv", import_error_report, name="import-error-report"),
    path("export", export, name="export"),
]

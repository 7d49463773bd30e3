"""Import and export of leads, contacts, companies and deals: /<plural>/import/preview, /<plural>/import (a
background job to poll at /jobs/{id}) and /<plural>/export. Mounted before the /<plural>/{id} routes."""
from __future__ import annotations

import json
from typing import Literal

from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from oorg.core.errors import ValidationFailed
from oorg.core.jobs_api import JobOut, job_out
from oorg.org import downloads

from ..services import exports, imports

router = Router(tags=["crm"])


class CrmImportProblem(Schema):
    line: int
    field: str | None = None
    message: str


class CrmImportPreviewOut(Schema):
    """An upload before the import: each header with the column it maps to ("" ignored), the header problems
    (line 1), and the first rows as the import would read them."""

    headers: list[str]
    mapping: dict[str, str]
    columns: list[str]
    rows: list[dict[str, str]]
    errors: list[CrmImportProblem]


def _mapping(file: UploadedFile, mapping: str | None) -> dict | None:
    imports.check_upload(file.size)
    if not mapping:
        return None
    try:
        return json.loads(mapping)
    except ValueError:
        raise ValidationFailed('mapping is JSON: {"header": "column"}, "" to ignore a header.',
                               field="mapping") from None


def _routes(entity: str, plural: str) -> None:
    def preview(request, file: UploadedFile = File(...), mapping: str | None = Form(None)):
        return imports.preview(request.actor, entity, upload=file, filename=file.name or "",
                               mapping=_mapping(file, mapping))

    def run(request, file: UploadedFile = File(...), mapping: str | None = Form(None),
            dedupe: Literal["skip", "update", "create"] = Form("skip"),
            mode: Literal["all_or_nothing", "valid_rows"] = Form("all_or_nothing"),
            dry_run: bool = Form(False)):
        job = imports.start(request.actor, entity, upload=file, filename=file.name or "",
                            mapping=_mapping(file, mapping), dedupe=dedupe, mode=mode, dry_run=dry_run)
        return Status(202, job_out(job))

    def export(request, format: Literal["csv", "xlsx"] = "csv"):  # noqa: A002  the query parameter's name
        data, _count = exports.export(request.actor, entity, request.GET, fmt=format)
        return downloads.spreadsheet(data, format, exports.filename_for(entity))

    for view in (preview, run, export):
        view.__name__ = f"{entity}_{view.__name__}"
    router.post(f"/{plural}/import/preview", response=CrmImportPreviewOut,
                summary=f"Headers of a {entity} file, the field each maps to, header problems, the first rows "
                        "(crm.records.import)")(preview)
    router.post(f"/{plural}/import", response={202: JobOut},
                summary=f"Import {plural} from CSV or XLSX as a background job (202; poll /jobs/{{id}}): "
                        'mapping (JSON {"header": "column"}), dedupe=skip|update|create for a record matching '
                        "by email, phone or domain, mode=all_or_nothing|valid_rows, dry_run=true only checks "
                        "(crm.records.import)")(run)
    router.get(f"/{plural}/export", response={200: None},
               summary=f"Download the {plural} you see as CSV or XLSX, with the list's filters, q and cf.<name> "
                       "(crm.records.export)")(export)


for _entity, _plural in imports.PLURALS.items():
    _routes(_entity, _plural)

"""`GET /api/v1/jobs/{id}`: a background job's state and result; its error report when it made one."""
from __future__ import annotations

from typing import Any

from django.http import FileResponse
from ninja import Router, Schema

from . import files, jobs
from .errors import NotFound
from .schemas import Id

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    state: str  # queued | running | succeeded | failed
    progress: int
    total: int | None = None
    result: dict[str, Any] | None = None


def job_out(job) -> dict:
    return {"id": job.pk, "state": job.state, "progress": job.progress, "total": job.total, "result": job.result}


@router.get("/jobs/{int:job_id}", response=JobOut, summary="A background job: state, progress of total, result")
def job_detail(request, job_id: Id):
    return job_out(jobs.get_job(request.actor, job_id))


@router.get("/jobs/{int:job_id}/error-report", response={200: None},
            summary="The rows an import refused, as CSV with a `reason` column: fix them and upload it again")
def job_error_report(request, job_id: Id):
    return error_report_response(jobs.get_job(request.actor, job_id))


def error_report_response(job) -> FileResponse:
    name = job.params.get("error_report")
    if not name:
        raise NotFound("This job has no error report.")
    try:
        stored = files.storage().open(name, "rb")
    except FileNotFoundError:
        raise NotFound("The error report is gone (kept for a day); run the check again.") from None
    return FileResponse(stored, as_attachment=True, filename=f"import-{job.pk}-errors.csv",
                        content_type="text/csv; charset=utf-8")

"""/api/v1/leave/requests: asking for leave, the preview of a request, and the approval chain's decisions
(leave/services/requests.py, leave/services/approvals.py)."""
from __future__ import annotations

import datetime as dt

from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from oorg.core.api import Page, list_of, paginate
from oorg.core.schemas import Id, StrictSchema

from ..services import approvals
from ..services import requests as services

router = Router(tags=["leave"])


class ApprovalOut(Schema):
    id: int
    step: str
    decision: str = Field(description="approved | rejected | cancelled | comment")
    decided_by_id: int | None
    decided_by: str = Field(description="the decider's email address")
    on_behalf_of_id: int | None = Field(None, description="a delegate decided for this approver (membership id)")
    on_behalf_of: str = ""
    comment: str
    at: dt.datetime


class LeaveRequestOut(Schema):
    id: int
    employee_id: int
    employee_name: str
    leave_type_id: int
    leave_type: str
    leave_type_code: str
    start_date: dt.date
    end_date: dt.date
    half_day: bool
    working_days: float = Field(description="days, in halves (0.5 for a half day)")
    note: str
    has_attachment: bool
    status: str = Field(description="pending | approved | rejected | cancelled | cancel_requested")
    step: str = Field(description="manager | hr | done: whose decision it waits for")
    version: int
    requested_by_id: int | None
    created_at: dt.datetime
    balance_before: float | None = Field(None, description="available days before this request (ledger balance "
                                           "less other pending requests); null for types without a balance "
                                           "and in lists")
    balance_after: float | None = None
    approvals: list[ApprovalOut] = Field(default_factory=list, description="decisions and comments, oldest first")


class LeaveRequestIn(StrictSchema):
    leave_type_id: Id
    start_date: dt.date
    end_date: dt.date
    half_day: bool = False
    note: str = Field("", max_length=2000)
    employee_id: Id | None = Field(None, description="HR only (leave.approve_all or leave.manage): for someone "
                                   "else, who is then exempt from the minimum notice")


class RequestFilters(Page):
    employee_id: Id | None = None
    status: str | None = Field(None, max_length=20)
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")


class PreviewQuery(Schema):
    leave_type_id: Id
    start_date: dt.date
    end_date: dt.date
    half_day: bool = False
    employee_id: Id | None = None


class PreviewDayOut(Schema):
    date: dt.date
    kind: str = Field(description="working | weekend | holiday")
    holiday: str


class ProblemOut(Schema):
    field: str | None
    message: str
    code: str


class PreviewOut(Schema):
    working_days: float = Field(description="days, in halves (0.5 for a half day)")
    days: list[PreviewDayOut]
    balance_before: float | None
    balance_after: float | None
    needs_attachment: bool
    problems: list[ProblemOut]


class CommentIn(StrictSchema):
    comment: str = Field("", max_length=2000)


def preview_data(ev) -> dict:
    return {"working_days": ev.working_days,
            "days": [{"date": d.date, "kind": d.kind, "holiday": d.holiday} for d in ev.days],
            "balance_before": ev.balance_before, "balance_after": ev.balance_after,
            "needs_attachment": ev.needs_attachment,
            "problems": [{"field": p.field, "message": p.message, "code": p.code}
                         for problem in ev.problems for p in problem.problems]}


@router.get("/leave/requests", response=list_of(LeaveRequestOut), summary="Leave requests you may see")
def request_list(request, filters: Query[RequestFilters]):
    rows = services.request_list(request.actor, employee_id=filters.employee_id, status=filters.status,
                                 date_from=filters.date_from, date_to=filters.date_to)
    page = paginate(rows, filters)
    page["items"] = [services.request_data(r, balance=False, with_trail=False) for r in page["items"]]
    return page


@router.get("/leave/requests/preview", response=PreviewOut,
            summary="What a request would count: working days, each day, the balance before and after, problems "
                    "(writes nothing)")
def request_preview(request, query: Query[PreviewQuery]):
    ev = services.preview(request.actor, leave_type_id=query.leave_type_id, start_date=query.start_date,
                          end_date=query.end_date, half_day=query.half_day, employee_id=query.employee_id)
    return preview_data(ev)


@router.post("/leave/requests", response={201: LeaveRequestOut}, summary="Ask for leave")
def request_create(request, payload: LeaveRequestIn):
    req = services.create_request(request.actor, **payload.model_dump())
    return Status(201, services.request_data(req))


@router.post("/leave/requests/upload", response={201: LeaveRequestOut},
             summary="Ask for leave with a document (multipart/form-data: the fields of POST /leave/requests and "
                     "an `attachment` file, PDF, PNG or JPEG up to 5 MB)")
def request_create_with_attachment(request, payload: Form[LeaveRequestIn], attachment: UploadedFile = File(...)):
    req = services.create_request(request.actor, **payload.model_dump(), attachment=attachment)
    return Status(201, services.request_data(req))


@router.get("/leave/requests/{int:request_id}", response=LeaveRequestOut, summary="One leave request")
def request_detail(request, request_id: Id):
    return services.request_data(services.get_request(request.actor, request_id))


@router.post("/leave/requests/{int:request_id}/attachment", response=LeaveRequestOut,
             summary="Attach (or replace) the document of a waiting request (multipart/form-data: a `file`, PDF, PNG "
                     "or JPEG up to 5 MB)")
def request_attachment(request, request_id: Id, file: UploadedFile = File(...)):
    req = services.get_request(request.actor, request_id)
    return services.request_data(services.add_attachment(request.actor, req, file))


@router.post("/leave/requests/{int:request_id}/approve", response=LeaveRequestOut,
             summary="Approve the step waiting for you (a cancellation waiting: cancel the leave)")
def request_approve(request, request_id: Id, payload: CommentIn):
    req = services.get_request(request.actor, request_id)
    return services.request_data(approvals.approve(request.actor, req, comment=payload.comment))


@router.post("/leave/requests/{int:request_id}/reject", response=LeaveRequestOut,
             summary="Reject (a comment is required; a cancellation waiting: the leave stays approved)")
def request_reject(request, request_id: Id, payload: CommentIn):
    req = services.get_request(request.actor, request_id)
    return services.request_data(approvals.reject(request.actor, req, comment=payload.comment))


@router.post("/leave/requests/{int:request_id}/cancel", response=LeaveRequestOut,
             summary="Cancel: at once before the first day, else the approver is asked")
def request_cancel(request, request_id: Id, payload: CommentIn):
    req = services.get_request(request.actor, request_id)
    return services.request_data(approvals.cancel(request.actor, req, comment=payload.comment))


@router.post("/leave/requests/{int:request_id}/comment", response={201: ApprovalOut}, summary="Comment on a request")
def request_comment(request, request_id: Id, payload: CommentIn):
    req = services.get_request(request.actor, request_id)
    approval = approvals.comment(request.actor, req, comment=payload.comment)
    return Status(201, services.approval_data(approval))

"""/api/v1/attendance/corrections: ask for a day's clock-in/clock-out to be set; the manager or HR decides
(attendance/services/corrections.py)."""
from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from oorg.core.api import Page, list_of, paginate
from oorg.core.schemas import Id, StrictSchema

from ..calendar import zone_of
from ..services import corrections as services

router = Router(tags=["attendance"])


class CorrectionOut(Schema):
    id: int
    employee_id: int
    employee_name: str
    session_id: int | None
    work_date: dt.date
    clock_in: dt.datetime
    clock_out: dt.datetime
    reason: str
    status: str
    comment: str
    requested_by_id: int | None
    decided_by_id: int | None
    decided_at: dt.datetime | None
    created_at: dt.datetime


def correction_answer(correction) -> dict:
    zone = zone_of(correction.employee)
    return {"id": correction.pk, "employee_id": correction.employee_id,
            "employee_name": correction.employee.full_name, "session_id": correction.session_id,
            "work_date": correction.work_date, "clock_in": correction.clock_in.astimezone(zone),
            "clock_out": correction.clock_out.astimezone(zone), "reason": correction.reason,
            "status": correction.status, "comment": correction.comment,
            "requested_by_id": correction.requested_by_id, "decided_by_id": correction.decided_by_id,
            "decided_at": correction.decided_at, "created_at": correction.created_at}


class CorrectionIn(StrictSchema):
    work_date: dt.date
    clock_in: dt.datetime = Field(..., description="ISO 8601; without an offset: the branch's local time")
    clock_out: dt.datetime
    reason: str = Field(..., max_length=4000)
    session_id: Id | None = None


class DecisionIn(StrictSchema):
    comment: str | None = Field(None, max_length=4000)


class CorrectionFilters(Page):
    status: str | None = Field(None, max_length=10)
    employee_id: Id | None = None
    waiting_for_me: bool = False


@router.get("/attendance/corrections", response=list_of(CorrectionOut),
            summary="Your corrections and those you may decide")
def correction_list(request, filters: Query[CorrectionFilters]):
    values = filters.model_dump(exclude={"limit", "offset", "cursor"})
    page = paginate(services.correction_list(request.actor, **values), filters)
    return {**page, "items": [correction_answer(c) for c in page["items"]]}


@router.post("/attendance/corrections", response={201: CorrectionOut},
             summary="Ask for a day's clock-in and clock-out to be corrected")
def correction_create(request, payload: CorrectionIn):
    correction = services.request_correction(request.actor, **payload.model_dump())
    return Status(201, correction_answer(correction))


@router.get("/attendance/corrections/{int:correction_id}", response=CorrectionOut, summary="One correction")
def correction_detail(request, correction_id: Id):
    return correction_answer(services.get_correction(request.actor, correction_id))


@router.post("/attendance/corrections/{int:correction_id}/approve", response=CorrectionOut,
             summary="Approve: the day's sessions become the corrected one")
def correction_approve(request, correction_id: Id, payload: DecisionIn):
    correction = services.get_correction(request.actor, correction_id)
    comment = payload.comment
    return correction_answer(services.approve(request.actor, correction, comment=comment))


@router.post("/attendance/corrections/{int:correction_id}/reject", response=CorrectionOut,
             summary="Reject a correction")
def correction_reject(request, correction_id: Id, payload: DecisionIn):
    correction = services.get_correction(request.actor, correction_id)
    comment = payload.comment
    return correction_answer(services.reject(request.actor, correction, comment=comment))


@router.post("/attendance/corrections/{int:correction_id}/withdraw", response=CorrectionOut,
             summary="Withdraw your own pending correction")
def correction_withdraw(request, correction_id: Id):
    return correction_answer(services.withdraw(request.actor, services.get_correction(request.actor, correction_id)))

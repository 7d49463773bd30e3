"""/api/v1/attendance/shifts and /api/v1/attendance/shift-assignments (attendance/services/shifts.py)."""
from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from oorg.core.api import Page, list_of, paginate
from oorg.core.schemas import Id, StrictSchema

from ..services import shifts as services

router = Router(tags=["attendance"])



class ShiftOut(Schema):
    id: int
    name: str
    starts: str
    ends: str
    overnight: bool
    break_minutes: int
    break_after_minutes: int | None
    grace_minutes: int
    working_days: list[str]
    created_at: dt.datetime

    @staticmethod
    def resolve_starts(obj):
        return obj.starts.strftime("%H:%M")

    @staticmethod
    def resolve_ends(obj):
        return obj.ends.strftime("%H:%M")


class ShiftIn(StrictSchema):
    name: str = Field(..., max_length=200)
    starts: str = Field(..., max_length=8, description="HH:MM in the branch's time zone")
    ends: str = Field(..., max_length=8, description="HH:MM; at or before starts: the next day (overnight)")
    break_minutes: int = Field(0, ge=0, le=10_000)
    break_after_minutes: int | None = Field(None, ge=0, le=10_000)
    grace_minutes: int = Field(0, ge=0, le=10_000)
    working_days: list[str] = Field(default_factory=list, max_length=7,
                                    description="mon..sun; empty: the branch's working days")


class ShiftPatch(StrictSchema):
    name: str | None = Field(None, max_length=200)
    starts: str | None = Field(None, max_length=8)
    ends: str | None = Field(None, max_length=8)
    break_minutes: int | None = Field(None, ge=0, le=10_000)
    break_after_minutes: int | None = Field(None, ge=0, le=10_000)
    grace_minutes: int | None = Field(None, ge=0, le=10_000)
    working_days: list[str] | None = Field(None, max_length=7)


class AssignmentOut(Schema):
    id: int
    shift_id: int
    shift_name: str
    employee_id: int | None
    branch_id: int | None
    starts_on: dt.date
    ends_on: dt.date | None
    created_at: dt.datetime

    @staticmethod
    def resolve_shift_name(obj):
        return obj.shift.name


class AssignmentIn(StrictSchema):
    shift_id: Id
    employee_id: Id | None = None
    branch_id: Id | None = None
    starts_on: dt.date
    ends_on: dt.date | None = None


class AssignmentPatch(StrictSchema):
    shift_id: Id | None = None
    employee_id: Id | None = None
    branch_id: Id | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


class AssignmentFilters(Page):
    employee_id: Id | None = None
    branch_id: Id | None = None
    shift_id: Id | None = None


@router.get("/attendance/shifts", response=list_of(ShiftOut), summary="Shift templates")
def shift_list(request, page: Query[Page]):
    return paginate(services.shift_list(request.actor), page)


@router.post("/attendance/shifts", response={201: ShiftOut}, summary="Create a shift template")
def shift_create(request, payload: ShiftIn):
    return Status(201, services.create_shift(request.actor, **payload.model_dump()))


@router.get("/attendance/shifts/{int:shift_id}", response=ShiftOut, summary="One shift template")
def shift_detail(request, shift_id: Id):
    return services.get_shift(request.actor, shift_id)


@router.patch("/attendance/shifts/{int:shift_id}", response=ShiftOut, summary="Change a shift template")
def shift_update(request, shift_id: Id, payload: ShiftPatch):
    shift = services.get_shift(request.actor, shift_id)
    return services.update_shift(request.actor, shift, **payload.model_dump(exclude_unset=True))


@router.delete("/attendance/shifts/{int:shift_id}", response={204: None},
               summary="Delete a shift template (and its assignments)")
def shift_delete(request, shift_id: Id):
    services.delete_shift(request.actor, services.get_shift(request.actor, shift_id))
    return Status(204, None)


@router.get("/attendance/shift-assignments", response=list_of(AssignmentOut), summary="Who works which shift")
def assignment_list(request, filters: Query[AssignmentFilters]):
    values = filters.model_dump(exclude={"limit", "offset", "cursor"})
    return paginate(services.assignment_list(request.actor, **values), filters)


@router.post("/attendance/shift-assignments", response={201: AssignmentOut},
             summary="Assign a shift to one employee or one branch from a date")
def assignment_create(request, payload: AssignmentIn):
    return Status(201, services.create_assignment(request.actor, **payload.model_dump()))


@router.patch("/attendance/shift-assignments/{int:assignment_id}", response=AssignmentOut,
              summary="Change a shift assignment")
def assignment_update(request, assignment_id: Id, payload: AssignmentPatch):
    assignment = services.get_assignment(request.actor, assignment_id)
    return services.update_assignment(request.actor, assignment, **payload.model_dump(exclude_unset=True))


@router.delete("/attendance/shift-assignments/{int:assignment_id}", response={204: None},
               summary="Remove a shift assignment")
def assignment_delete(request, assignment_id: Id):
    services.delete_assignment(request.actor, services.get_assignment(request.actor, assignment_id))
    return Status(204, None)

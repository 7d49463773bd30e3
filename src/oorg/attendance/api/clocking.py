"""/api/v1/attendance/clock-in, clock-out, break-start, break-end and status (attendance/services/clocking.py)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Query, Router, Schema

from oorg.core.schemas import Id, StrictSchema

from ..services import clocking as services

router = Router(tags=["attendance"])


class ClockIn(StrictSchema):
    employee_id: Id | None = Field(None, description="Someone else (needs attendance.clock_others); default: you")
    source: Literal["web", "api", "desktop", "import"] = Field("api", description="Where the action comes from")
    latitude: float | None = Field(None, description="-90 to 90")
    longitude: float | None = Field(None, description="-180 to 180")
    accuracy_m: float | None = Field(None, description="The location's accuracy in metres")


class ClockBreakOut(Schema):
    id: int
    started_at: dt.datetime
    ended_at: dt.datetime | None
    start_source: str


class ClockSessionOut(Schema):
    id: int
    employee_id: int
    work_date: dt.date
    started_at: dt.datetime
    ended_at: dt.datetime | None
    start_source: str
    end_source: str
    start_ip: str | None
    end_ip: str | None
    start_latitude: Decimal | None
    start_longitude: Decimal | None
    end_latitude: Decimal | None
    end_longitude: Decimal | None
    site_id: int | None
    outside_site: bool
    auto_closed: bool
    corrected: bool
    breaks: list[ClockBreakOut]


class EmployeeRef(Schema):
    id: int
    name: str


class StatusOut(Schema):
    state: Literal["out", "in", "break"]
    session: ClockSessionOut | None
    employee: EmployeeRef


class StatusQuery(Schema):
    employee_id: Id | None = None


def _act(request, action: str, payload: ClockIn):
    values = payload.model_dump()
    employee = services.target_employee(request.actor, values.pop("employee_id"))
    return services.ACTIONS[action](request.actor, employee, **values)


@router.post("/attendance/clock-in", response=StatusOut, summary="Clock in (yourself, or employee_id)")
def clock_in(request, payload: ClockIn):
    return _act(request, "in", payload)


@router.post("/attendance/clock-out", response=StatusOut,
             summary="Clock out (a break still running ends with it)")
def clock_out(request, payload: ClockIn):
    return _act(request, "out", payload)


@router.post("/attendance/break-start", response=StatusOut, summary="Start a break")
def break_start(request, payload: ClockIn):
    return _act(request, "break-start", payload)


@router.post("/attendance/break-end", response=StatusOut, summary="End the break")
def break_end(request, payload: ClockIn):
    return _act(request, "break-end", payload)


@router.get("/attendance/status", response=StatusOut,
            summary="Clocked out, in or on a break (yours, or employee_id's in your scope)")
def status(request, query: Query[StatusQuery]):
    return services.status_of(services.viewed_employee(request.actor, query.employee_id))

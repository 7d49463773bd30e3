"""/api/v1/leave/balances, /leave/ledger, /leave/adjustments: balances as the sum of a ledger, and changes by
hand (leave/services/balances.py). Days are JSON numbers (at most 2 decimals, halves for adjustments)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status

from oorg.core.api import Page, list_of, paginate
from oorg.core.schemas import Id, StrictSchema

from ..services import balances as services

router = Router(tags=["leave"])


class LeaveTypeRef(Schema):
    id: int
    code: str
    name: str


class BalanceOut(Schema):
    leave_type: LeaveTypeRef
    balance: float
    pending: float
    available: float
    granted: float
    taken: float


class BalancesOut(Schema):
    employee_id: int
    year: int
    items: list[BalanceOut]


class LedgerEntryOut(Schema):
    id: int
    employee_id: int
    leave_type: LeaveTypeRef
    kind: str
    days: float
    effective_on: dt.date
    period: str
    reason: str
    request_id: int | None
    created_by_id: int | None
    created_at: dt.datetime


class AdjustmentIn(StrictSchema):
    employee_id: Id
    leave_type_id: Id
    days: Decimal = Field(description="Whole or half days, not 0, at most 365 either way; negative takes away",
                          ge=-365, le=365)
    reason: str = Field(max_length=300)


class BalanceQuery(Schema):
    employee_id: Id | None = Field(None, description="Default: yours")
    year: int | None = Field(None, ge=1900, le=2200)


class LedgerQuery(Page):
    employee_id: Id | None = Field(None, description="Default: yours")
    leave_type_id: Id | None = None


@router.get("/leave/balances", response=BalancesOut, summary="Balances by leave type (yours by default)")
def balance_list(request, filters: Query[BalanceQuery]):
    employee = services.employee_for(request.actor, filters.employee_id)
    from oorg.attendance.calendar import today_for

    year = filters.year or today_for(employee).year
    return {"employee_id": employee.pk, "year": year,
            "items": services.balance_rows(request.actor, employee, year=year)}


@router.get("/leave/ledger", response=list_of(LedgerEntryOut), summary="Ledger entries, newest first")
def ledger_list(request, filters: Query[LedgerQuery]):
    employee = services.employee_for(request.actor, filters.employee_id)
    return paginate(services.ledger_entries(request.actor, employee, leave_type_id=filters.leave_type_id), filters)


@router.post("/leave/adjustments", response={201: LedgerEntryOut},
             summary="Add or take away days by hand, with a reason (leave.manage)")
def adjustment_create(request, payload: AdjustmentIn):
    return Status(201, services.adjust_balance(request.actor, **payload.model_dump()))

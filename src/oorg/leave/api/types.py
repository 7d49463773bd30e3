"""/api/v1/leave/types: leave types and their policies (leave/services/types.py).

Days (days_per_year, carry_over_max, max_balance) are JSON numbers with at most 2 decimals, in and out."""
from __future__ import annotations

from decimal import Decimal
from typing import Literal

from ninja import Field, Query, Router, Schema, Status

from oorg.core.schemas import Id, StrictSchema

from ..services import types as services

router = Router(tags=["leave"])

Days = Decimal  # checked by the service: range and 2 decimals (a 422 naming the field)


class LeaveTypeOut(Schema):
    id: int
    code: str
    name: str
    color: str
    paid: bool
    accrual: str
    days_per_year: float
    prorate: bool
    carry_over_max: float | None
    carry_over_expires_months: int | None
    max_balance: float | None
    allow_negative: bool
    min_notice_days: int
    attachment_after_days: int | None
    half_days: bool
    hr_approval: bool
    active: bool
    system: bool
    tracks_balance: bool
    position: int

    @staticmethod
    def resolve_system(obj) -> bool:
        return obj.is_system


class LeaveTypePolicy(StrictSchema):
    name: str | None = Field(None, max_length=200)
    color: str | None = Field(None, max_length=7, description="#rrggbb")
    paid: bool | None = None
    accrual: Literal["yearly", "monthly", "none"] | None = None
    days_per_year: Days | None = Field(None, ge=0, le=365)
    prorate: bool | None = None
    carry_over_max: Days | None = Field(None, ge=0, le=365, description="null: no cap")
    carry_over_expires_months: int | None = Field(None, ge=1, le=24, description="null: never expires")
    max_balance: Days | None = Field(None, ge=0, le=1000, description="null: no maximum")
    allow_negative: bool | None = None
    min_notice_days: int | None = Field(None, ge=0, le=365)
    attachment_after_days: int | None = Field(None, ge=0, le=365,
                                              description="An attachment is required for requests longer than this")
    half_days: bool | None = None
    hr_approval: bool | None = None
    position: int | None = Field(None, ge=0, le=1000)


class LeaveTypeIn(LeaveTypePolicy):
    code: str = Field(max_length=40, description="A slug, unique in the workspace")
    name: str = Field(max_length=200)


class LeaveTypePatch(LeaveTypePolicy):
    code: str | None = Field(None, max_length=40)
    active: bool | None = Field(None, description="false archives a custom type")


class LeaveTypeList(Schema):
    items: list[LeaveTypeOut]
    count: int


class TypeFilters(Schema):
    active: bool | None = None


@router.get("/leave/types", response=LeaveTypeList, summary="Leave types and their policies")
def type_list(request, filters: Query[TypeFilters]):
    rows = list(services.type_list(request.actor, active=filters.active)[:500])
    return {"items": rows, "count": len(rows)}


@router.post("/leave/types", response={201: LeaveTypeOut}, summary="Add a custom leave type (code unique → 409)")
def type_create(request, payload: LeaveTypeIn):
    return Status(201, services.create_type(request.actor, **payload.model_dump()))


@router.get("/leave/types/{int:leave_type_id}", response=LeaveTypeOut, summary="One leave type")
def type_detail(request, leave_type_id: Id):
    return services.get_type(request.actor, leave_type_id)


@router.patch("/leave/types/{int:leave_type_id}", response=LeaveTypeOut,
              summary="Change a leave type's policy; {\"active\": false} archives a custom type")
def type_update(request, leave_type_id: Id, payload: LeaveTypePatch):
    leave_type = services.get_type(request.actor, leave_type_id)
    return services.update_type(request.actor, leave_type, **payload.model_dump(exclude_unset=True))

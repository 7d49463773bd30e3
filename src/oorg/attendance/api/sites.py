"""/api/v1/attendance/sites: where one may clock in (attendance/services/sites.py)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status

from oorg.core.api import Page, list_of, paginate
from oorg.core.schemas import Id, StrictSchema

from ..services import sites as services

router = Router(tags=["attendance"])


class SiteIn(StrictSchema):
    name: str = Field(max_length=120)
    branch_id: Id | None = Field(None, description="Everyone in this branch may clock in here")
    employee_id: Id | None = Field(None, description="Or only this employee")
    latitude: float
    longitude: float
    radius_m: int = Field(150, ge=10, le=10_000, description="Metres around the point")


class SitePatch(StrictSchema):
    name: str | None = Field(None, max_length=120)
    branch_id: Id | None = None
    employee_id: Id | None = None
    latitude: float | None = None
    longitude: float | None = None
    radius_m: int | None = Field(None, ge=10, le=10_000)


class SiteOut(Schema):
    id: int
    name: str
    branch_id: int | None
    employee_id: int | None
    latitude: Decimal
    longitude: Decimal
    radius_m: int
    created_at: dt.datetime


class SiteFilters(Page):
    branch_id: Id | None = None
    employee_id: Id | None = None


@router.get("/attendance/sites", response=list_of(SiteOut), summary="Allowed sites (per branch or employee)")
def site_list(request, filters: Query[SiteFilters]):
    queryset = services.site_list(request.actor, branch_id=filters.branch_id, employee_id=filters.employee_id)
    return paginate(queryset, filters)


@router.post("/attendance/sites", response={201: SiteOut}, summary="Add an allowed site")
def site_create(request, payload: SiteIn):
    values = payload.model_dump()
    values = {k: v for k, v in values.items() if not (k in ("branch_id", "employee_id") and v is None)}
    return Status(201, services.create_site(request.actor, **values))


@router.get("/attendance/sites/{int:site_id}", response=SiteOut, summary="One allowed site")
def site_detail(request, site_id: Id):
    return services.get_site(request.actor, site_id)


@router.patch("/attendance/sites/{int:site_id}", response=SiteOut, summary="Change an allowed site")
def site_update(request, site_id: Id, payload: SitePatch):
    site = services.get_site(request.actor, site_id)
    return services.update_site(request.actor, site, **payload.model_dump(exclude_unset=True))


@router.delete("/attendance/sites/{int:site_id}", response={204: None}, summary="Remove an allowed site")
def site_delete(request, site_id: Id):
    services.delete_site(request.actor, services.get_site(request.actor, site_id))
    return Status(204, None)

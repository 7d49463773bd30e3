"""/api/v1/holidays: public holidays per branch, by hand, from the `holidays` package or from an iCal/CSV file
(attendance/services/holidays.py)."""
from __future__ import annotations

import datetime as dt

from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from oorg.core.api import Page, list_of, paginate
from oorg.core.errors import ValidationFailed
from oorg.core.schemas import Id, StrictSchema

from ..services import holidays as services

router = Router(tags=["attendance"])


class HolidayOut(Schema):
    id: int
    date: dt.date
    name: str
    branch_id: int | None
    origin: str


class HolidayIn(StrictSchema):
    date: dt.date
    name: str = Field(max_length=200)
    branch_id: Id | None = Field(None, description="Empty: a holiday of every branch")


class HolidayPatch(StrictSchema):
    date: dt.date | None = None
    name: str | None = Field(None, max_length=200)
    branch_id: Id | None = None


class HolidayFilters(Page):
    branch_id: Id | None = Field(None, description="The holidays that apply to this branch (its own and every "
                                                   "branch's)")
    year: int | None = Field(None, ge=1900, le=2200)
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")


class FillIn(StrictSchema):
    branch_id: Id | None = Field(None, description="Empty: holidays of every branch (then give `country`)")
    year: int = Field(ge=1900, le=2200)
    country: str | None = Field(None, max_length=2, description="ISO 3166-1 alpha-2; default: the branch's")
    subdivision: str | None = Field(None, max_length=10,
                                    description="Region code of the `holidays` package (\"BE\": Berlin); default: "
                                                "the branch's holiday_calendar")
    dry_run: bool = False


class ManyOut(Schema):
    created: int
    skipped: int
    dry_run: bool
    dates: list[str]


class FillOut(ManyOut):
    country: str
    subdivision: str


@router.get("/holidays", response=list_of(HolidayOut), summary="Public holidays, by date")
def holiday_list(request, filters: Query[HolidayFilters]):
    queryset = services.holiday_list(request.actor, branch_id=filters.branch_id, year=filters.year,
                                     date_from=filters.date_from, date_to=filters.date_to)
    return paginate(queryset, filters)


@router.post("/holidays", response={201: HolidayOut},
             summary="Add a holiday (branch_id empty: every branch); a date the branch already has → 409")
def holiday_create(request, payload: HolidayIn):
    return Status(201, services.create_holiday(request.actor, **payload.model_dump()))


@router.post("/holidays/fill", response=FillOut,
             summary="Add a year's public holidays from the `holidays` package (the branch's country and region "
                     "by default); dates already there are kept")
def holiday_fill(request, payload: FillIn):
    return services.fill_holidays(request.actor, **payload.model_dump())


@router.post("/holidays/import", response=ManyOut,
             summary="Import holidays from an iCal (.ics) or CSV (date,name) file: all or nothing, every bad row "
                     "reported at once; dry_run only checks")
def holiday_import(request, file: UploadedFile = File(...), branch_id: str | None = Form(None),
                   dry_run: bool = Form(False), format: str | None = Form(None)):
    if branch_id not in (None, "") and not str(branch_id).isdigit():
        raise ValidationFailed("No such branch.", field="branch_id", code="not_found")
    if file.size is not None and file.size > services.MAX_FILE_BYTES:
        data = b""
    else:
        data = file.read(services.MAX_FILE_BYTES + 1)
    return services.import_holidays(request.actor, data=data, filename=file.name or "", branch_id=branch_id or None,
                                    dry_run=dry_run, fmt=format or None, size=file.size or len(data))


@router.get("/holidays/{int:holiday_id}", response=HolidayOut, summary="One holiday")
def holiday_detail(request, holiday_id: Id):
    return services.get_holiday(request.actor, holiday_id)


@router.patch("/holidays/{int:holiday_id}", response=HolidayOut, summary="Change a holiday")
def holiday_update(request, holiday_id: Id, payload: HolidayPatch):
    holiday = services.get_holiday(request.actor, holiday_id)
    return services.update_holiday(request.actor, holiday, **payload.model_dump(exclude_unset=True))


@router.delete("/holidays/{int:holiday_id}", response={204: None}, summary="Remove a holiday")
def holiday_delete(request, holiday_id: Id):
    services.delete_holiday(request.actor, services.get_holiday(request.actor, holiday_id))
    return Status(204, None)

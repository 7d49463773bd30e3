"""Shapes only: the services decide what a value may be and who may set it."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, Field, WithJsonSchema

from oorg.core.schemas import Id, StrictSchema


def _naive(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise ValueError("Give a local time without an offset, such as 09:00; the branch's time zone applies.")
    return value


# Working hours are wall-clock times in the branch's own time zone, so they carry no offset. RFC 3339's
# `format: time` (what OpenAPI's `time` means) requires one ("09:00:00Z" would claim UTC), so the schema
# declares the local time by its pattern instead, and an offset is refused rather than silently dropped.
LocalTime = Annotated[
    dt.time,
    AfterValidator(_naive),
    WithJsonSchema({"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
                    "description": "A local time in the branch's time zone: HH:MM or HH:MM:SS, no offset.",
                    "examples": ["09:00"]}),
]

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
StatusFilter = Literal["active", "on_leave", "terminated", "any"]


class Ref(Schema):
    id: int
    name: str


class BranchIn(StrictSchema):
    name: str = Field(max_length=120)
    address: str = Field(default="", max_length=500)
    country: str = Field(default="", max_length=2)
    time_zone: str | None = Field(default=None, max_length=64)
    working_days: list[Weekday] = Field(default=["mon", "tue", "wed", "thu", "fri"], max_length=7)
    work_starts: LocalTime = dt.time(9, 0)
    work_ends: LocalTime = dt.time(17, 0)
    holiday_calendar: str = Field(default="", max_length=60)


class BranchPatch(StrictSchema):
    name: str | None = Field(default=None, max_length=120)
    address: str | None = Field(default=None, max_length=500)
    country: str | None = Field(default=None, max_length=2)
    time_zone: str | None = Field(default=None, max_length=64)
    working_days: list[Weekday] | None = Field(default=None, max_length=7)
    # Left out: unchanged. Never null: a branch always has working hours.
    work_starts: LocalTime = None
    work_ends: LocalTime = None
    holiday_calendar: str | None = Field(default=None, max_length=60)


class BranchOut(Schema):
    id: int
    name: str
    address: str
    country: str
    time_zone: str
    working_days: list[str]
    work_starts: LocalTime
    work_ends: LocalTime
    holiday_calendar: str


class DepartmentIn(StrictSchema):
    name: str = Field(max_length=120)
    parent_id: Id | None = None
    head_id: Id | None = None


class DepartmentPatch(StrictSchema):
    name: str | None = Field(default=None, max_length=120)
    parent_id: Id | None = None
    head_id: Id | None = None


class DepartmentOut(Schema):
    id: int
    name: str
    parent_id: int | None
    head: Ref | None
    employee_count: int = 0


class EmployeeIn(StrictSchema):
    code: str = Field(max_length=32)
    full_name: str = Field(max_length=150)
    work_email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=40)
    job_title: str = Field(default="", max_length=120)
    department_id: Id | None = None
    branch_id: Id | None = None
    manager_id: Id | None = None
    employment_type: str = Field(default="full_time", max_length=16)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    status: str = Field(default="active", max_length=16)
    member_id: Id | None = None
    birth_date: dt.date | None = None
    home_address: str = Field(default="", max_length=500)
    emergency_contact_name: str = Field(default="", max_length=150)
    emergency_contact_phone: str = Field(default="", max_length=40)


class EmployeePatch(StrictSchema):
    code: str | None = Field(default=None, max_length=32)
    full_name: str | None = Field(default=None, max_length=150)
    work_email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    job_title: str | None = Field(default=None, max_length=120)
    department_id: Id | None = None
    branch_id: Id | None = None
    manager_id: Id | None = None
    employment_type: str | None = Field(default=None, max_length=16)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    status: str | None = Field(default=None, max_length=16)
    member_id: Id | None = None
    birth_date: dt.date | None = None
    home_address: str | None = Field(default=None, max_length=500)
    emergency_contact_name: str | None = Field(default=None, max_length=150)
    emergency_contact_phone: str | None = Field(default=None, max_length=40)


class EmployeeOut(Schema):
    """Keys the caller may not see are left out, not sent empty; `access` says which view this is."""

    id: int
    access: Literal["directory", "team", "full"]
    code: str | None = None
    full_name: str | None = None
    job_title: str | None = None
    department: Ref | None = None
    branch: Ref | None = None
    work_email: str | None = None
    phone: str | None = None
    status: str | None = None
    manager: Ref | None = None
    has_photo: bool | None = None
    employment_type: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    member: Ref | None = None
    birth_date: dt.date | None = None
    home_address: str | None = None
    emergency_contact_name: str | None = None
    emergency_contact_phone: str | None = None


class TerminateIn(StrictSchema):
    end_date: dt.date | None = None


class OrgChartNode(Schema):
    id: int
    full_name: str
    job_title: str
    department: Ref | None
    manager_id: int | None
    has_photo: bool
    report_count: int  # current direct reports: expand with ?parent_id=<id>


class OrgChartPathOut(Schema):
    items: list[OrgChartNode]  # from the top of what you may see down to the person


class ImportErrorItem(Schema):
    line: int | None = None
    field: str | None = None
    message: str


class ImportPreviewOut(Schema):
    """An upload before the import: each header with the column it maps to ("" ignored), the header problems
    (line 1), and the first rows as the import would read them."""

    headers: list[str]
    mapping: dict[str, str]
    columns: list[str]
    rows: list[dict[str, str]]
    errors: list[ImportErrorItem]


class OrgSettingsOut(Schema):
    self_service_fields: list[str]


class OrgSettingsIn(StrictSchema):
    self_service_fields: list[str] = Field(max_length=20)


BULK_LIMIT = 500  # org.selectors.BULK_LIMIT: the schema refuses more before anything is read


class EmployeeBulkIn(StrictSchema):
    """One action for many employees: `move` (department_id and/or branch_id), `change_manager` (manager_id;
    null: no manager) or `terminate` (end_date, today when left out). All or nothing."""

    action: Literal["move", "change_manager", "terminate"]
    employee_ids: list[Id] = Field(min_length=1, max_length=BULK_LIMIT)
    department_id: Id | None = None
    branch_id: Id | None = None
    manager_id: Id | None = None
    end_date: dt.date | None = None


class EmployeeBulkOut(Schema):
    action: str
    selected: int
    changed: int  # the rest already were as asked
    changed_ids: list[int]

"""Shapes only: the services decide what a value may be and who may set it."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
StatusFilter = Literal["active", "on_leave", "terminated", "any"]


class Ref(Schema):
    id: int
    name: str


class BranchIn(Schema):
    name: str = Field(max_length=120)
    address: str = Field(default="", max_length=500)
    country: str = Field(default="", max_length=2)
    time_zone: str | None = Field(default=None, max_length=64)
    working_days: list[Weekday] = Field(default=["mon", "tue", "wed", "thu", "fri"], max_length=7)
    work_starts: dt.time = dt.time(9, 0)
    work_ends: dt.time = dt.time(17, 0)
    holiday_calendar: str = Field(default="", max_length=60)


class BranchPatch(Schema):
    name: str | None = Field(default=None, max_length=120)
    address: str | None = Field(default=None, max_length=500)
    country: str | None = Field(default=None, max_length=2)
    time_zone: str | None = Field(default=None, max_length=64)
    working_days: list[Weekday] | None = Field(default=None, max_length=7)
    work_starts: dt.time | None = None
    work_ends: dt.time | None = None
    holiday_calendar: str | None = Field(default=None, max_length=60)


class BranchOut(Schema):
    id: int
    name: str
    address: str
    country: str
    time_zone: str
    working_days: list[str]
    work_starts: dt.time
    work_ends: dt.time
    holiday_calendar: str


class DepartmentIn(Schema):
    name: str = Field(max_length=120)
    parent_id: int | None = None
    head_id: int | None = None


class DepartmentPatch(Schema):
    name: str | None = Field(default=None, max_length=120)
    parent_id: int | None = None
    head_id: int | None = None


class DepartmentOut(Schema):
    id: int
    name: str
    parent_id: int | None
    head: Ref | None
    employee_count: int = 0


class EmployeeIn(Schema):
    code: str = Field(max_length=32)
    full_name: str = Field(max_length=150)
    work_email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=40)
    job_title: str = Field(default="", max_length=120)
    department_id: int | None = None
    branch_id: int | None = None
    manager_id: int | None = None
    employment_type: str = Field(default="full_time", max_length=16)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    status: str = Field(default="active", max_length=16)
    member_id: int | None = None
    birth_date: dt.date | None = None
    home_address: str = Field(default="", max_length=500)
    emergency_contact_name: str = Field(default="", max_length=150)
    emergency_contact_phone: str = Field(default="", max_length=40)


class EmployeePatch(Schema):
    code: str | None = Field(default=None, max_length=32)
    full_name: str | None = Field(default=None, max_length=150)
    work_email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    job_title: str | None = Field(default=None, max_length=120)
    department_id: int | None = None
    branch_id: int | None = None
    manager_id: int | None = None
    employment_type: str | None = Field(default=None, max_length=16)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    status: str | None = Field(default=None, max_length=16)
    member_id: int | None = None
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


class TerminateIn(Schema):
    end_date: dt.date | None = None


class OrgChartNode(Schema):
    id: int
    full_name: str
    job_title: str
    department: Ref | None
    has_photo: bool
    reports: list[OrgChartNode]


class OrgChartOut(Schema):
    roots: list[OrgChartNode]
    count: int


class ImportError(Schema):
    line: int
    field: str | None
    message: str


class ImportOut(Schema):
    created: int
    updated: int
    unchanged: int
    errors: list[ImportError]
    dry_run: bool


class OrgSettingsOut(Schema):
    self_service_fields: list[str]


class OrgSettingsIn(Schema):
    self_service_fields: list[str] = Field(max_length=20)

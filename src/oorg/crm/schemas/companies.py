"""Companies in the API: shapes only (crm/services/companies.py decides what a value may be)."""
from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from oorg.core.schemas import Id, StrictSchema


class CompanyIn(StrictSchema):
    name: str = Field(max_length=400)
    domain: str = Field(default="", max_length=300)
    industry: str = Field(default="", max_length=300)
    size: str = Field(default="", max_length=20, description="1-10, 11-50, 51-250, 251-1000 or 1001+")
    phone: str = Field(default="", max_length=64)
    address: str = Field(default="", max_length=1000)
    owner_id: Id | None = None
    tags: list[str] = Field(default=[], max_length=50)
    custom_fields: dict = {}
    allow_duplicate: bool = False


class CompanyPatch(StrictSchema):
    name: str | None = Field(default=None, max_length=400)
    domain: str | None = Field(default=None, max_length=300)
    industry: str | None = Field(default=None, max_length=300)
    size: str | None = Field(default=None, max_length=20)
    phone: str | None = Field(default=None, max_length=64)
    address: str | None = Field(default=None, max_length=1000)
    owner_id: Id | None = None
    tags: list[str] | None = Field(default=None, max_length=50)
    custom_fields: dict | None = None
    allow_duplicate: bool = False


class CompanyOut(Schema):
    id: int
    name: str
    domain: str
    industry: str
    size: str
    phone: str
    address: str
    owner_id: int | None
    tags: list[str]
    custom_fields: dict
    created_at: dt.datetime
    updated_at: dt.datetime


class CompanyDetailOut(CompanyOut):
    contact_count: int


def company_out(company) -> dict:
    return CompanyOut.from_orm(company).model_dump(mode="json")

"""Leads in the API: shapes only (crm/services/leads.py decides what a value may be)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from oorg.core.schemas import Id, StrictSchema


class LeadIn(StrictSchema):
    full_name: str = Field(max_length=150)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=40)
    company_name: str = Field(default="", max_length=200)
    source: str = Field(default="api", max_length=16)
    status: str = Field(default="new", max_length=16)
    owner_id: Id | None = Field(default=None, description="a membership id; default: you")
    tags: list[str] = Field(default_factory=list, max_length=50)
    custom_fields: dict = Field(default_factory=dict)
    allow_duplicate: bool = Field(default=False, description="create it even if a lead has this email or phone")


class LeadPatch(StrictSchema):
    full_name: str | None = Field(default=None, max_length=150)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    company_name: str | None = Field(default=None, max_length=200)
    source: str | None = Field(default=None, max_length=16)
    status: str | None = Field(default=None, max_length=16)
    owner_id: Id | None = None
    tags: list[str] | None = Field(default=None, max_length=50)
    custom_fields: dict | None = None


class LeadOut(Schema):
    id: int
    full_name: str
    email: str
    phone: str
    company_name: str
    source: str
    status: str
    owner_id: int | None
    tags: list[str]
    custom_fields: dict
    converted_at: dt.datetime | None
    converted_contact_id: int | None
    converted_company_id: int | None
    converted_deal_id: int | None
    web_form_id: int | None
    consent_text: str
    consent_given: bool | None
    consent_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class LeadUpdatedData(LeadOut):
    fields: list[str]  # what the change set
    previous_owner_id: int | None
    bulk: bool = False  # one of a bulk change: its new owner is told once, by crm.records.bulk_updated


class LeadDeletedData(Schema):
    id: int
    full_name: str
    owner_id: int | None


class ConvertIn(StrictSchema):
    create_deal: bool = False
    pipeline_id: Id | None = None
    stage_id: Id | None = None
    deal_name: str | None = Field(default=None, max_length=200)
    amount: Decimal | None = Field(default=None, ge=0, le=Decimal("9999999999999999.99"))
    currency: str | None = Field(default=None, max_length=3)


class ContactRef(Schema):
    id: int
    full_name: str
    email: str
    phone: str
    owner_id: int | None
    created: bool


class CompanyRef(Schema):
    id: int
    name: str
    domain: str
    owner_id: int | None
    created: bool


class DealRef(Schema):
    id: int
    name: str
    amount: Decimal
    currency: str
    pipeline_id: int
    stage_id: int
    owner_id: int | None
    contact_id: int | None
    company_id: int | None


class ConversionOut(Schema):
    lead: LeadOut
    contact: ContactRef
    company: CompanyRef | None
    deal: DealRef | None


class LeadConvertedData(LeadOut):
    contact_id: int
    company_id: int | None
    deal_id: int | None

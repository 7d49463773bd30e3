"""Contacts in the API: shapes only (crm/services/contacts.py decides what a value may be)."""
from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from oorg.core.schemas import Id, StrictSchema


class ContactIn(StrictSchema):
    full_name: str = Field(max_length=300)
    email: str = Field(default="", max_length=300)
    phone: str = Field(default="", max_length=64)
    job_title: str = Field(default="", max_length=300)
    company_ids: list[Id] = Field(default=[], max_length=50)
    owner_id: Id | None = None
    tags: list[str] = Field(default=[], max_length=50)
    custom_fields: dict = {}
    allow_duplicate: bool = False


class ContactPatch(StrictSchema):
    full_name: str | None = Field(default=None, max_length=300)
    email: str | None = Field(default=None, max_length=300)
    phone: str | None = Field(default=None, max_length=64)
    job_title: str | None = Field(default=None, max_length=300)
    company_ids: list[Id] | None = Field(default=None, max_length=50)
    owner_id: Id | None = None
    tags: list[str] | None = Field(default=None, max_length=50)
    custom_fields: dict | None = None
    allow_duplicate: bool = False


class ContactOut(Schema):
    id: int
    full_name: str
    email: str
    phone: str
    job_title: str
    company_ids: list[int]
    owner_id: int | None
    tags: list[str]
    custom_fields: dict
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_company_ids(contact) -> list[int]:
        # Prefetched (prefetch_related("company_links")) on lists and bulk events: no query per row.
        return sorted(link.company_id for link in contact.company_links.all())


def contact_out(contact) -> dict:
    return ContactOut.from_orm(contact).model_dump(mode="json")

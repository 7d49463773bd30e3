"""Notes in the API: sanitised rich text on one record."""
from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from oorg.core.schemas import Id, StrictSchema


class NoteIn(StrictSchema):
    body: str = Field(max_length=50_000, description="HTML; kept: paragraphs, emphasis, lists, quotes, code, links")
    lead_id: Id | None = None
    contact_id: Id | None = None
    company_id: Id | None = None
    deal_id: Id | None = None


class NotePatch(StrictSchema):
    body: str = Field(max_length=50_000)


class NoteOut(Schema):
    id: int
    body: str
    author_id: int | None
    lead_id: int | None
    contact_id: int | None
    company_id: int | None
    deal_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime

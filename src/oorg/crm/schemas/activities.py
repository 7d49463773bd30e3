"""Activities in the API: calls, meetings and tasks on one record."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

from oorg.core.schemas import Id, StrictSchema

Kind = Literal["call", "meeting", "task"]


class ActivityIn(StrictSchema):
    kind: Kind
    subject: str = Field(max_length=200)
    details: str = Field("", max_length=10_000)
    due_at: dt.datetime | None = None
    remind_at: dt.datetime | None = Field(None, description="When the owner is reminded (once); a time to come")
    owner_id: Id | None = Field(None, description="Default: you. Another member needs crm.records.assign")
    lead_id: Id | None = None
    contact_id: Id | None = None
    company_id: Id | None = None
    deal_id: Id | None = None


class ActivityPatch(StrictSchema):
    kind: Kind | None = None
    subject: str | None = Field(None, max_length=200)
    details: str | None = Field(None, max_length=10_000)
    due_at: dt.datetime | None = None
    remind_at: dt.datetime | None = None
    owner_id: Id | None = None


class ActivityOut(Schema):
    id: int
    kind: str
    subject: str
    details: str
    due_at: dt.datetime | None
    remind_at: dt.datetime | None
    reminded_at: dt.datetime | None
    done: bool
    done_at: dt.datetime | None
    owner_id: int | None
    lead_id: int | None
    contact_id: int | None
    company_id: int | None
    deal_id: int | None
    created_by_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_done(obj) -> bool:
        return obj.done_at is not None

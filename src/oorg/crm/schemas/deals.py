"""Shapes of deals, their stage changes and the forecast. Amounts are decimal strings ("1200.50") both ways;
the service checks them (so a bad amount, currency and stage are refused together)."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Schema
from pydantic import Field

from oorg.core.schemas import MAX_INT64, Id, StrictSchema

# A whole amount may come as a JSON number; bounded like every integer the API takes.
Amount = Annotated[int, Field(ge=0, le=MAX_INT64)]


def money(value) -> str:
    return f"{value:.2f}"


class DealIn(StrictSchema):
    name: str = Field(max_length=400)
    amount: str | Amount | None = Field(default=None, description='a decimal string, e.g. "1200.50"')
    currency: str | None = Field(default=None, max_length=16, description="ISO 4217; default EUR")
    expected_close_date: str | None = Field(default=None, max_length=40, description="YYYY-MM-DD")
    pipeline_id: Id | None = None
    stage_id: Id | None = None
    owner_id: Id | None = None
    contact_id: Id | None = None
    company_id: Id | None = None
    tags: list[str] | None = Field(default=None, max_length=50)
    custom_fields: dict | None = None


class DealPatch(StrictSchema):
    name: str | None = Field(default=None, max_length=400)
    amount: str | Amount | None = None
    currency: str | None = Field(default=None, max_length=16)
    expected_close_date: str | None = Field(default=None, max_length=40)
    pipeline_id: Id | None = None
    stage_id: Id | None = None
    owner_id: Id | None = None
    contact_id: Id | None = None
    company_id: Id | None = None
    tags: list[str] | None = Field(default=None, max_length=50)
    custom_fields: dict | None = None


class DealMoveIn(StrictSchema):
    stage_id: Id


class DealOut(Schema):
    id: int
    name: str
    amount: str
    currency: str
    expected_close_date: dt.date | None
    pipeline_id: int
    stage_id: int
    stage: str
    owner_id: int | None
    contact_id: int | None
    company_id: int | None
    tags: list[str]
    custom_fields: dict
    stage_changed_at: dt.datetime
    closed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    # A payload read back (a dict) already holds the answer's values.
    @staticmethod
    def resolve_amount(obj) -> str:
        return obj["amount"] if isinstance(obj, dict) else money(obj.amount)

    @staticmethod
    def resolve_stage(obj) -> str:
        return obj["stage"] if isinstance(obj, dict) else obj.stage.name


class StageChangeOut(Schema):
    id: int
    from_stage_id: int | None
    from_stage: str | None
    to_stage_id: int | None
    to_stage: str | None
    by_user_id: int | None
    by: str | None
    at: dt.datetime

    @staticmethod
    def resolve_from_stage(obj):
        return obj.from_stage.name if obj.from_stage else None

    @staticmethod
    def resolve_to_stage(obj):
        return obj.to_stage.name if obj.to_stage else None

    @staticmethod
    def resolve_by_user_id(obj):
        return obj.by_id

    @staticmethod
    def resolve_by(obj):
        return obj.by.full_name if obj.by else None


class ForecastMonth(Schema):
    month: str | None  # "2027-01"; null: deals without an expected close date
    currency: str
    amount: str
    weighted: str
    count: int


class ForecastOwner(Schema):
    owner_id: int | None
    owner_name: str | None
    currency: str
    amount: str
    weighted: str
    count: int


class ForecastOut(Schema):
    by_month: list[ForecastMonth]
    by_owner: list[ForecastOwner]

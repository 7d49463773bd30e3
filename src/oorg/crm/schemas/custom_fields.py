"""Custom field definitions in the API."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

from oorg.core.schemas import StrictSchema

Entity = Literal["lead", "contact", "company", "deal"]
FieldType = Literal["text", "number", "date", "choice", "multi_choice", "boolean", "url"]


class CustomFieldIn(StrictSchema):
    entity: Entity
    name: str = Field(max_length=40)
    label: str = Field(max_length=200)
    type: FieldType
    choices: list[str] | None = Field(default=None, max_length=100)
    required: bool = False
    position: int | None = Field(default=None, ge=0, le=100000)


class CustomFieldPatch(StrictSchema):
    entity: Entity | None = None  # cannot change: sent to be refused by name rather than ignored
    name: str | None = Field(default=None, max_length=40)
    label: str | None = Field(default=None, max_length=200)
    type: FieldType | None = None
    choices: list[str] | None = Field(default=None, max_length=100)
    required: bool | None = None
    position: int | None = Field(default=None, ge=0, le=100000)


class CustomFieldOut(Schema):
    id: int
    entity: str
    name: str
    label: str
    type: str
    choices: list[str]
    required: bool
    position: int
    created_at: dt.datetime

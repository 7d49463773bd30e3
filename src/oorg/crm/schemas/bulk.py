"""Bulk change and bulk delete bodies: the set is the list's filter (query parameters as strings) and/or ids."""
from __future__ import annotations

from ninja import Schema
from pydantic import Field

from oorg.core.schemas import Id, StrictSchema


class BulkSet(StrictSchema):
    owner_id: Id | None = None
    add_tags: list[str] | None = Field(default=None, max_length=20)
    remove_tags: list[str] | None = Field(default=None, max_length=20)
    status: str | None = Field(default=None, max_length=20, description="leads only; not converted")


class BulkUpdateIn(StrictSchema):
    filter: dict[str, str] | None = Field(default=None, description="the list's query parameters: q, owner_id, "
                                          "tag, status, cf.<name>, ...")
    ids: list[Id] | None = Field(default=None, max_length=1000)
    set: BulkSet


class BulkDeleteIn(StrictSchema):
    filter: dict[str, str] | None = None
    ids: list[Id] | None = Field(default=None, max_length=1000)
    confirm_count: int = Field(ge=0, le=10_000, description="how many records you expect to delete")


class BulkUpdated(Schema):
    matched: int
    updated: int


class BulkDeleted(Schema):
    deleted: int

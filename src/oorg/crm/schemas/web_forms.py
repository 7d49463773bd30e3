"""Web forms in the API: shapes only (crm/services/web_forms.py decides)."""
from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from oorg.core.schemas import Id, StrictSchema


class WebFormIn(StrictSchema):
    name: str = Field(max_length=120)
    active: bool = True
    consent_text: str = Field(default="", max_length=2000)
    consent_required: bool = False
    thank_you: str = Field(default="Thank you, we will be in touch.", max_length=300)
    redirect_url: str = Field(default="", max_length=200, description="http(s) address to send people to after")
    tags: list[str] = Field(default_factory=list, max_length=50)
    assignees: list[Id] = Field(default_factory=list, max_length=50,
                                description="membership ids who get new leads in turn; empty: the workspace owner")


class WebFormPatch(StrictSchema):
    name: str | None = Field(default=None, max_length=120)
    active: bool | None = None
    consent_text: str | None = Field(default=None, max_length=2000)
    consent_required: bool | None = None
    thank_you: str | None = Field(default=None, max_length=300)
    redirect_url: str | None = Field(default=None, max_length=200)
    tags: list[str] | None = Field(default=None, max_length=50)
    assignees: list[Id] | None = Field(default=None, max_length=50)


class Embed(Schema):
    iframe: str
    html: str


class WebFormOut(Schema):
    id: int
    name: str
    key: str
    active: bool
    consent_text: str
    consent_required: bool
    thank_you: str
    redirect_url: str
    tags: list[str]
    assignees: list[int]
    url: str
    embed: Embed
    created_at: dt.datetime

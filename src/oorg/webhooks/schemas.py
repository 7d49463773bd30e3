"""Request and answer shapes of the webhooks API."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from oorg.core.schemas import StrictSchema

EventName = Annotated[str, Field(min_length=1, max_length=80)]


class WebhookIn(StrictSchema):
    url: str = Field(max_length=2000, description="An https URL on a public address")
    events: list[EventName] = Field(max_length=200, description='Event type names (GET /webhooks/event-types), '
                                                                'or ["*"] for every one')
    description: str = Field("", max_length=200)


class WebhookPatch(StrictSchema):
    url: str | None = Field(None, max_length=2000)
    events: list[EventName] | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=200)
    active: bool | None = Field(None, description="false pauses the webhook; true resumes a paused one")
    rotate_secret: bool = Field(False, description="true: a new secret, answered once; the old one stops at once")


class WebhookOut(Schema):
    id: int
    url: str
    description: str
    events: list[str]
    active: bool
    paused_reason: str
    paused_at: datetime | None
    failing_since: datetime | None
    last_delivery_at: datetime | None
    last_delivery_ok: bool | None
    last_status_code: int | None
    created_at: datetime


class WebhookCreatedOut(Schema):
    id: int
    url: str
    description: str
    events: list[str]
    active: bool
    secret: str = Field(description="Shown this once: keep it to check the OORG-Signature header")


class WebhookPatchedOut(WebhookOut):
    secret: str | None = Field(None, description="The new secret when rotate_secret was sent (shown this once)")


class EventTypeOut(Schema):
    name: str
    description: str
    group: str
    schema_: dict | None = Field(None, alias="schema", description="JSON schema of the payload's `data`")


class AttemptOut(Schema):
    number: int
    started_at: datetime
    finished: bool
    duration_ms: int | None
    url: str
    request_headers: dict[str, str]
    status_code: int | None
    error: str
    response_body: str


class DeliveryOut(Schema):
    id: int
    event_id: uuid.UUID
    event_type: str
    is_test: bool
    state: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    completed_at: datetime | None
    body: str = Field(description="The JSON sent, the same on every attempt")
    attempt_log: list[AttemptOut] = Field(description="Every attempt, oldest first: request headers, answer, timing")

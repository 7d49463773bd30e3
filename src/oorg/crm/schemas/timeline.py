"""A record's timeline in the API."""
from __future__ import annotations

import datetime as dt

from ninja import Schema


class TimelineActor(Schema):
    id: int
    name: str
    email: str


class TimelineNote(Schema):
    id: int
    body: str


class TimelineActivity(Schema):
    id: int
    kind: str
    subject: str
    due_at: dt.datetime | None
    done: bool
    owner_id: int | None


class TimelineEntryOut(Schema):
    id: int
    kind: str
    summary: str
    at: dt.datetime
    actor: TimelineActor | None
    data: dict
    note: TimelineNote | None
    activity: TimelineActivity | None
    stage_change_id: int | None

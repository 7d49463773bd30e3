"""Request and answer shapes of the notifications API."""
from datetime import datetime

from ninja import Schema
from pydantic import Field

from oorg.core.api import Page
from oorg.core.schemas import StrictSchema


class NotificationFilter(Page):
    unread: bool | None = Field(None, description="true: only unread ones; false: only read ones; leave out: all")


class ActorOut(Schema):
    id: int
    name: str


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str | None = Field(description="Where it leads in the app (absolute), or null")
    created_at: datetime
    read_at: datetime | None
    actor: ActorOut | None = Field(description="Who did what it tells; null for the system")


class CountOut(Schema):
    count: int


class KindPreferenceOut(Schema):
    kind: str
    label: str
    group: str
    description: str
    in_app: bool
    email: str = Field(description="immediately, hourly, daily or off")
    locked: bool = Field(description="A security kind: always shown and emailed at once")


class QuietHoursOut(Schema):
    enabled: bool
    start: str = Field(description='"HH:MM" in the person\'s time zone')
    end: str


class PreferencesOut(Schema):
    kinds: list[KindPreferenceOut]
    quiet_hours: QuietHoursOut
    time_zone: str = Field(description="The person's time zone (IANA), set on their profile")


class KindPreferenceIn(StrictSchema):
    kind: str = Field(max_length=80)
    in_app: bool | None = None
    email: str | None = Field(None, max_length=16, description="immediately, hourly, daily or off")


class QuietHoursIn(StrictSchema):
    enabled: bool | None = None
    start: str | None = Field(None, max_length=5, description='"HH:MM", e.g. "22:00"')
    end: str | None = Field(None, max_length=5, description='"HH:MM", e.g. "07:00"; before the start: overnight')


class PreferencesIn(StrictSchema):
    kinds: list[KindPreferenceIn] | None = Field(None, max_length=500)
    quiet_hours: QuietHoursIn | None = None

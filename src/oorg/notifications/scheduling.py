"""When a notification's email is due, from the recipient's choice for its kind, in their own time zone.

- immediately: now, or the end of quiet hours when now is inside them;
- hourly: the next top of the hour (local), then moved past quiet hours;
- daily: the next 08:00 local, then moved past quiet hours;
- off: never (None).
Security notices are emailed at once, whatever the hour.

Local times are built from a local date and wall-clock time (never by adding 24 hours to an instant), so a
day with a DST change is 23 or 25 hours long and 07:00 stays 07:00. A wall-clock time that does not exist
that day (02:30 on a spring-forward night) becomes the instant just after the gap.
"""
from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

UTC = dt.UTC
DIGEST_AT = dt.time(8, 0)


@dataclass(frozen=True)
class QuietHours:
    enabled: bool = False
    start: dt.time = dt.time(22, 0)
    end: dt.time = dt.time(7, 0)


def zone(name: str | None) -> zoneinfo.ZoneInfo:
    """The zone of an IANA name; UTC for a name this system does not know."""
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return zoneinfo.ZoneInfo("UTC")


def local_at(day: dt.date, at: dt.time, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """The instant (UTC) when the clocks of `tz` show `at` on `day`."""
    return dt.datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def quiet_until(moment: dt.datetime, quiet: QuietHours, tz: zoneinfo.ZoneInfo) -> dt.datetime | None:
    """The end of the quiet hours `moment` falls in, or None when it falls outside them. A window whose start is
    after its end runs across midnight (22:00-07:00)."""
    if not quiet.enabled or quiet.start == quiet.end:
        return None
    local = moment.astimezone(tz)
    now, day = local.time().replace(tzinfo=None), local.date()
    if quiet.start < quiet.end:
        end = local_at(day, quiet.end, tz) if quiet.start <= now < quiet.end else None
    elif now >= quiet.start:
        end = local_at(day + dt.timedelta(days=1), quiet.end, tz)
    elif now < quiet.end:
        end = local_at(day, quiet.end, tz)
    else:
        end = None
    return end if end is not None and end > moment else None


def email_due_at(mode: str, *, now: dt.datetime, tz: zoneinfo.ZoneInfo, quiet: QuietHours,
                 security: bool = False) -> dt.datetime | None:
    """When the email of a notification made `now` goes out (UTC), or None for no email."""
    now = now.astimezone(UTC)
    if security:
        return now
    if mode == "immediately":
        due = now
    elif mode == "hourly":
        top = now.astimezone(tz).replace(minute=0, second=0, microsecond=0)
        due = top.astimezone(UTC) + dt.timedelta(hours=1)
    elif mode == "daily":
        today = now.astimezone(tz).date()
        due = local_at(today, DIGEST_AT, tz)
        if due <= now:
            due = local_at(today + dt.timedelta(days=1), DIGEST_AT, tz)
    else:
        return None
    return quiet_until(due, quiet, tz) or due

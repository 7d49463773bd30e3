"""Leave as an iCalendar file (RFC 5545), built with `icalendar`: one all-day event per absence.

Each event's UID is the request's (leave-<id>@<host>), so a calendar app updates an absence in place when it
changes, and drops it when it disappears from the feed. Dates are VALUE=DATE with an exclusive DTEND (the day
after the last day), as the RFC asks for all-day events. Absences do not block time (TRANSP:TRANSPARENT).
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

PRODID = "-//OORG//Leave calendar//EN"


def host() -> str:
    return urlsplit(settings.BASE_URL).hostname or "oorg.invalid"


def summary(request, *, show_type: bool) -> str:
    name = request.employee.full_name
    if show_type and request.leave_type is not None:
        text = f"{name} — {request.leave_type.name}"
    else:
        text = f"{name} — away"
    if request.half_day:
        text += " (half day)"
    return text


def build(requests, *, name: str, show_type: bool = True, now: dt.datetime | None = None) -> bytes:
    """The feed's bytes: a VCALENDAR holding one VEVENT per leave request in `requests`."""
    stamp = (now or timezone.now()).astimezone(dt.UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    domain = host()
    for request in requests:
        event = Event()
        event.add("uid", f"leave-{request.pk}@{domain}")
        event.add("dtstamp", stamp)
        event.add("dtstart", request.start_date)  # a date: VALUE=DATE
        event.add("dtend", request.end_date + dt.timedelta(days=1))  # exclusive
        event.add("summary", summary(request, show_type=show_type))
        event.add("transp", "TRANSPARENT")
        if request.status == "pending":
            event.add("status", "TENTATIVE")
        else:
            event.add("status", "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()

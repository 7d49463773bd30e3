"""The public iCal feed (/feeds/leave/<token>.ics): no sign-in, the secret token is the key.

The feed is found by the hash of its token (leave/services/feeds.py), then read inside its workspace as its member
would see the calendar now: approved leave from 60 days back to a year ahead, at most MAX_EVENTS absences. An
unknown or rotated token, a member who left or lost the right answers 404, the same for all.
"""
from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from oorg.core.tenancy import workspace_scope

from .. import calendar, ical
from ..models import CalendarFeed
from ..scopes import own_employee
from ..services import feeds

PAST_DAYS = 60
FUTURE_DAYS = 365
MAX_EVENTS = 2000


def feed_requests(actor, scope: str, today: dt.date):
    """The absences a feed shows: the member's own (`me`), or everyone they see (`team`)."""
    start, end = today - dt.timedelta(days=PAST_DAYS), today + dt.timedelta(days=FUTURE_DAYS)
    queryset = calendar.absences(actor, start, end)
    if scope == CalendarFeed.Scope.ME:
        me = own_employee(actor)
        if me is None:
            return []
        queryset = queryset.filter(employee_id=me.pk)
    return list(queryset[:MAX_EVENTS])


@require_GET
def feed(request, token):
    found = feeds.feed_by_token(token)
    if found is None:
        raise Http404("No such calendar feed.")
    with workspace_scope(found.workspace_id):
        actor = feeds.reader_of(found)
        if actor is None:
            raise Http404("No such calendar feed.")
        feeds.throttle(found)
        requests = feed_requests(actor, found.scope, timezone.now().date())
        label = "My leave" if found.scope == CalendarFeed.Scope.ME else "Team leave"
        # The type of leave (sick leave) is sensitive: a team feed says who is away, not why. Its address is a
        # bearer secret that calendar services fetch and keep on their own servers, so it carries no more than
        # an out-of-office note would. One's own feed shows one's own types.
        body = ical.build(requests, name=f"{label} · {found.workspace.name}",
                          show_type=found.scope == CalendarFeed.Scope.ME)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    # Cache-Control: core's NoStoreMiddleware answers no-store, stricter than "private": no cache keeps it.
    response["Content-Disposition"] = 'inline; filename="leave.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns = [
    path("feeds/leave/<str:token>.ics", feed, name="feed"),
]

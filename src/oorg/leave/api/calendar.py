"""/api/v1/leave/calendar: who is away (leave/calendar.py), and the secret iCal feeds (leave/services/feeds.py)."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema

from oorg.core.api import Page, check_page
from oorg.core.pagination import keyset_page, offset_page
from oorg.core.schemas import Id

from .. import calendar
from ..services import feeds

router = Router(tags=["leave"])


class CalendarFilters(Page):
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None
    department_id: Id | None = None
    branch_id: Id | None = None
    include_pending: bool = False


class Person(Schema):
    id: int
    name: str


class TypeOut(Schema):
    code: str
    name: str
    color: str


class AbsenceOut(Schema):
    id: int
    employee: Person
    start_date: dt.date
    end_date: dt.date
    half_day: bool
    status: Literal["approved", "pending"]
    leave_type: TypeOut | None


class CalendarHolidayOut(Schema):
    date: dt.date
    name: str
    branch_id: int | None


class CalendarOut(Schema):
    items: list[AbsenceOut]
    holidays: list[CalendarHolidayOut]
    count: int | None
    next_cursor: str | None = None


class FeedOut(Schema):
    scope: Literal["me", "team"]
    url: str


class FeedList(Schema):
    items: list[FeedOut]


@router.get("/leave/calendar", response=CalendarOut, by_alias=False,
            summary="Who is away from `from` to `to` (at most 92 days), as you may see: your own leave, your "
                    "reports' with leave.team.view, everyone's with leave.view_all")
def leave_calendar(request, filters: Query[CalendarFilters]):
    actor = request.actor
    calendar.require_viewer(actor)
    span = calendar.check_range(filters.from_, filters.to)
    check_page(filters)
    calendar.check_filters(department_id=filters.department_id, branch_id=filters.branch_id)
    queryset = calendar.absences(actor, span.start, span.end, department_id=filters.department_id,
                                 branch_id=filters.branch_id, include_pending=filters.include_pending,
                                 with_colleagues=True)
    if filters.offset:
        page = offset_page(queryset, limit=filters.limit, offset=filters.offset)
    else:
        page = keyset_page(queryset, limit=filters.limit, cursor=filters.cursor)
    return {"items": [calendar.item(r) for r in page.items], "count": page.count, "next_cursor": page.next_cursor,
            "holidays": calendar.holidays(span.start, span.end, branch_id=filters.branch_id)}


@router.get("/leave/calendar/feeds", response=FeedList,
            summary="Your secret iCal addresses: your leave (`me`) and, for managers and HR, the team's (`team`)")
def feed_list(request):
    return {"items": feeds.feeds(request.actor)}


@router.post("/leave/calendar/feeds/{scope}/rotate", response=FeedOut,
             summary="A new secret address for a feed; the old one stops working")
def feed_rotate(request, scope: Literal["me", "team"]):
    return feeds.rotate(request.actor, scope)

"""People's cards on the workspace dashboard: headcount, joiners and leavers this month, upcoming birthdays
and work anniversaries, each counted among the people the viewer may see as far as they may see them.

A workspace can have 100,000 people, so every figure is one aggregate and every list one LIMITed query; no
card reads all employees into Python. Registered from OrgConfig.ready().
"""
from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Case, Count, F, IntegerField, Q, When, Window
from django.urls import reverse
from django.utils import timezone

from oorg.core.db import MonthDay
from oorg.core.permissions import Actor

from . import selectors
from .models import Employee
from .permissions import DIRECTORY_VIEW, EMPLOYEE_VIEW_ALL, EMPLOYEE_VIEW_PERSONAL
from .selectors import Viewer, viewer_for

SHOWN = 5  # people named on a card; the rest are counted
WINDOW_DAYS = 30  # "upcoming": today and the next 30 days


def today_in(workspace) -> dt.date:
    """Today where the workspace is: a month starts and a birthday falls on the workspace's calendar."""
    try:
        zone = ZoneInfo(workspace.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    return timezone.now().astimezone(zone).date()


def _work_profiles(viewer: Viewer):
    """Employees whose work profile (start and end dates) this viewer may see: everyone for HR and admins,
    otherwise themself and their team (selectors.Access.TEAM and up). None when that is nobody but themself:
    a card about one's own dates says nothing."""
    if viewer.actor.can(EMPLOYEE_VIEW_ALL):
        return Employee.objects.all()
    if not viewer.leads_team:
        return None
    return Employee.objects.filter(Q(pk=viewer.employee.pk) | Q(pk__in=viewer.team(in_or=True)))


def _current(people):
    return people.exclude(status=Employee.Status.TERMINATED)


def _profile_url(actor: Actor, employee: Employee) -> str:
    return reverse("org:employee", kwargs={"workspace_slug": actor.workspace.slug, "employee_id": employee.pk})


def _first_and_count(people) -> tuple[list[Employee], int]:
    """The first SHOWN of an ordered queryset and how many there are in all, from one scan: the count is a window
    over the whole filtered set, computed before the LIMIT."""
    first = list(people.annotate(in_all=Window(Count("pk")))[:SHOWN])
    return first, (first[0].in_all if first else 0)


def _row(actor: Actor, employee: Employee, **extra) -> dict:
    return {"name": employee.full_name, "job_title": employee.job_title, "url": _profile_url(actor, employee),
            **extra}


# --- headcount ------------------------------------------------------------------------------------------------


def headcount(actor: Actor) -> dict:
    viewer = viewer_for(actor)
    people = selectors.employees_visible_to(viewer).order_by()  # current staff the viewer sees at all
    totals = people.aggregate(total=Count("pk"), on_leave=Count("pk", filter=Q(status=Employee.Status.ON_LEAVE)))
    whole = actor.can(EMPLOYEE_VIEW_ALL) or actor.can(DIRECTORY_VIEW)
    directory = reverse("org:directory", kwargs={"workspace_slug": actor.workspace.slug}) if whole else None
    return {"total": totals["total"], "on_leave": totals["on_leave"], "team_only": not whole,
            "directory_url": directory}


# --- joiners and leavers ------------------------------------------------------------------------------------


def joiners_and_leavers(actor: Actor) -> dict | None:
    viewer = viewer_for(actor)
    people = _work_profiles(viewer)
    if people is None:
        return None
    today = today_in(actor.workspace)
    first = today.replace(day=1)
    last = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    columns = ("full_name", "job_title", "start_date", "end_date")
    joiners, joiner_count = _first_and_count(
        people.filter(start_date__range=(first, last)).only(*columns).order_by("start_date", "full_name", "pk"))
    leavers, leaver_count = _first_and_count(
        people.filter(end_date__range=(first, last)).only(*columns).order_by("end_date", "full_name", "pk"))
    return {
        "month": first, "team_only": not actor.can(EMPLOYEE_VIEW_ALL),
        "joiner_count": joiner_count, "leaver_count": leaver_count,
        "joiners": [_row(actor, e, date=e.start_date) for e in joiners],
        "leavers": [_row(actor, e, date=e.end_date) for e in leavers],
    }


# --- birthdays and anniversaries ----------------------------------------------------------------------------


def _month_day(date: dt.date) -> int:
    return date.month * 100 + date.day


def upcoming(people, field: str, today: dt.date, *, at_least_a_year: bool = False):
    """`people` whose `field` comes round (same month and day) between today and WINDOW_DAYS from now,
    annotated with `md` (month * 100 + day) and ordered soonest first. The database compares month and day;
    when the window crosses New Year it has two parts, this year's and next year's.
    `at_least_a_year`: only dates from an earlier year than the occurrence (an anniversary, not the start)."""
    end = today + dt.timedelta(days=WINDOW_DAYS)
    start_md, end_md = _month_day(today), _month_day(end)
    if end.month == 2 and end.day == 28 and not calendar.isleap(end.year):
        end_md = 229  # a 29 February date is kept on the 28th in a common year
    wraps = end.year > today.year
    parts = [(Q(md__gte=start_md, md__lte=1231 if wraps else end_md), today.year)]
    if wraps:
        parts.append((Q(md__lte=end_md), end.year))
    within = Q()
    for part, year in parts:
        if at_least_a_year:
            part &= Q(**{f"{field}__year__lt": year})
        within |= part
    md = MonthDay(field)
    soonest = Case(When(md__gte=start_md, then=F("md")), default=F("md") + 1300, output_field=IntegerField())
    return (people.exclude(**{f"{field}__isnull": True})
            .annotate(md=md).filter(within).order_by(soonest, "full_name", "pk"))


def _next_occurrence(md: int, today: dt.date) -> dt.date:
    month, day = divmod(md, 100)
    year = today.year if md >= _month_day(today) else today.year + 1
    if (month, day) == (2, 29) and not calendar.isleap(year):
        day = 28
    return dt.date(year, month, day)


def _listed(actor: Actor, upcoming, field: str, today: dt.date, *, years: bool = False) -> dict:
    shown, count = _first_and_count(upcoming.only("full_name", "job_title", field))
    rows = []
    for e in shown:
        on = _next_occurrence(e.md, today)
        extra = {"date": on, "in_days": (on - today).days}
        if years:
            extra["years"] = on.year - getattr(e, field).year
        rows.append(_row(actor, e, **extra))
    return {"count": count, "people": rows, "days": WINDOW_DAYS}


def sees_birthdays(actor: Actor) -> bool:
    """Birth dates are personal fields: shown with the full profile (org.employee.view_all) to those who
    may read personal fields (org.employee.view_personal), as on the profile page."""
    return actor.can(EMPLOYEE_VIEW_ALL) and actor.can(EMPLOYEE_VIEW_PERSONAL)


def birthdays(actor: Actor) -> dict | None:
    if not sees_birthdays(actor):
        return None
    today = today_in(actor.workspace)
    return _listed(actor, upcoming(_current(Employee.objects.all()), "birth_date", today), "birth_date", today)


def anniversaries(actor: Actor) -> dict | None:
    people = _work_profiles(viewer_for(actor))
    if people is None:
        return None
    today = today_in(actor.workspace)
    coming = upcoming(_current(people), "start_date", today, at_least_a_year=True)
    return {**_listed(actor, coming, "start_date", today, years=True),
            "team_only": not actor.can(EMPLOYEE_VIEW_ALL)}

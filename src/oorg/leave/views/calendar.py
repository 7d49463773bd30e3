"""The team calendar (leave:calendar): a month as a table, people as rows and days as columns, with weekends and
holidays shaded and absences coloured by type; the secret iCal addresses with their rotate buttons.

Whose rows show: the LEAVE scope, plus the viewer's department colleagues as "away" (leave/calendar.py). The page
reads: one page of people (25), one query for their absences in the month, one for the month's holidays.
Colours come from a fixed palette of CSS classes (leave/static/leave/calendar.css): a type's place in the
workspace's list of types picks its class, so no inline style is needed under the strict CSP.
"""
from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from oorg.attendance.calendar import weekday_key, working_weekdays
from oorg.attendance.models import Holiday
from oorg.core import pagination
from oorg.core.errors import DomainError
from oorg.org.models import Branch, Department, Employee

from .. import calendar
from ..models import CalendarFeed, LeaveType
from ..services import feeds

PALETTE = 8  # leave-color-0 .. leave-color-7


class CalendarFilterForm(forms.Form):
    month = forms.CharField(label="Month", required=False,
                            widget=forms.DateInput(attrs={"type": "month", "placeholder": "YYYY-MM"}))
    department = forms.TypedChoiceField(label="Department", required=False, coerce=int, empty_value=None)
    branch = forms.TypedChoiceField(label="Branch", required=False, coerce=int, empty_value=None)
    pending = forms.BooleanField(label="Show requests waiting for approval", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "All departments"), *Department.objects.order_by("name", "pk")
                                             .values_list("pk", "name")[:500]]
        self.fields["branch"].choices = [("", "All branches"), *Branch.objects.order_by("name", "pk")
                                         .values_list("pk", "name")[:500]]


def _month(form, today):
    try:
        return calendar.month_range(form.cleaned_data.get("month") or None, today)
    except DomainError:
        form.add_error("month", "Give a month as YYYY-MM.")
        return calendar.month_range(None, today)


def _shift(first: dt.date, months: int) -> str:
    year, month = divmod(first.year * 12 + first.month - 1 + months, 12)
    return f"{year:04d}-{month + 1:02d}"


def _feeds(actor):
    try:
        return feeds.feeds(actor)
    except DomainError:
        return []


@require_safe
def team_calendar(request, workspace_slug):
    actor = request.actor
    calendar.require_viewer(actor)
    shown = request.GET.copy()
    shown.setdefault("month", timezone.now().date().strftime("%Y-%m"))  # the picker shows the month it shows
    form = CalendarFilterForm(shown)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    span = _month(form, timezone.now().date())
    department_id, branch_id = data.get("department"), data.get("branch")
    people = (calendar.people(actor).exclude(status=Employee.Status.TERMINATED)
              .filter(calendar.people_filter(department_id=department_id, branch_id=branch_id))
              .select_related("branch").order_by("full_name", "pk"))
    page = pagination.page_for(request, people)
    ids = [e.pk for e in page.items]  # one page: at most 25
    absences = list(calendar.absences(actor, span.start, span.end, include_pending=bool(data.get("pending")),
                                      with_colleagues=True).filter(employee_id__in=ids)) if ids else []
    types = list(LeaveType.objects.order_by("position", "code", "pk"))
    colour = {t.pk: f"leave-color-{i % PALETTE}" for i, t in enumerate(types)}
    holidays: dict[dt.date, list[tuple[int | None, str]]] = {}
    for day, branch, name in (Holiday.objects.filter(date__gte=span.start, date__lte=span.end)
                              .order_by("date", "branch_id").values_list("date", "branch_id", "name")[:1000]):
        holidays.setdefault(day, []).append((branch, name))
    days = [span.start + dt.timedelta(days=i) for i in range((span.end - span.start).days + 1)]
    by_person: dict[int, list] = {}
    for absence in absences:
        by_person.setdefault(absence.employee_id, []).append(absence)
    rows = []
    for person in page.items:
        weekdays = set(working_weekdays(person))
        cells = []
        for day in days:
            holiday = next((name for branch, name in holidays.get(day, []) if branch in (None, person.branch_id)), "")
            away = next((a for a in by_person.get(person.pk, []) if a.start_date <= day <= a.end_date), None)
            classes = []
            if holiday:
                classes.append("cal-holiday")
            elif weekday_key(day) not in weekdays:
                classes.append("cal-weekend")
            label = holiday or ""
            mark = ""
            if away is not None:
                shown = away.type_shown and away.leave_type is not None  # a colleague's: only "away"
                classes += ["cal-leave", colour.get(away.leave_type_id, "leave-color-0") if shown else "leave-away"]
                if away.status == "pending":
                    classes.append("cal-pending")
                name = away.leave_type.name if shown else "Away"
                label = name + (" (half day)" if away.half_day else "") + (
                    ", waiting for approval" if away.status == "pending" else "")
                mark = (name[:1].upper() if name else "•") + ("½" if away.half_day else "")
            cells.append({"date": day, "classes": " ".join(classes), "label": label, "mark": mark})
        rows.append({"person": person, "cells": cells,
                     "away": [calendar.item(a) for a in by_person.get(person.pk, [])]})
    context = {"form": form, "month": span, "days": [{"date": d, "weekday": d.strftime("%a")[:2],
                                                      "weekend": weekday_key(d) in ("sat", "sun")} for d in days],
               "rows": rows, "page": page, "prev_month": _shift(span.start, -1), "next_month": _shift(span.start, 1),
               "legend": [{"name": t.name, "css": colour[t.pk]} for t in types if t.active],
               "feeds": _feeds(actor), "month_value": span.start.strftime("%Y-%m")}
    return render(request, "leave/calendar/month.html", context)


@require_POST
def feed_rotate(request, workspace_slug):
    scope = request.POST.get("scope", "")
    if scope not in CalendarFeed.Scope.values:
        messages.error(request, "Choose which calendar address to change.")
        return redirect("leave:calendar", workspace_slug=workspace_slug)
    feeds.rotate(request.actor, scope)
    messages.success(request, "The calendar address has changed: put the new one in your calendar app. "
                              "The old address no longer works.")
    return redirect("leave:calendar", workspace_slug=workspace_slug)


urlpatterns = [
    path("calendar/", team_calendar, name="calendar"),
    path("calendar/feeds/rotate", feed_rotate, name="feed-rotate"),
]

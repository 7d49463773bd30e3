"""My attendance (a month at a time) and team attendance (a day or a week, filtered, paginated).

Times are shown in the employee's branch's zone. The team page lists the computed days (AttendanceDay) of the
people the viewer sees (ATTENDANCE scope: a manager's reports at any depth, HR everyone)."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from oorg.core import pagination
from oorg.core.errors import PermissionDenied
from oorg.org.models import Branch, Department

from ..calendar import today_for, zone_of
from ..days import attach_sessions
from ..models import AttendanceDay
from ..permissions import TEAM_VIEW, VIEW_ALL
from ..scopes import ATTENDANCE, own_employee

STATUS_CLASS = {"present": "badge-on", "open": "badge-primary", "absent": "badge-danger", "leave": "badge-coming",
                "holiday": "badge-coming", "off": ""}


def _month(value: str | None, today: dt.date) -> dt.date:
    try:
        year, month = (int(part) for part in str(value or "").split("-"))
        return dt.date(year, month, 1)
    except (TypeError, ValueError):
        return today.replace(day=1)


def _local_hm(moment, zone) -> str:
    return moment.astimezone(zone).strftime("%H:%M") if moment else ""


def _hm(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


@require_safe
def my_attendance(request, workspace_slug):
    actor = request.actor
    ATTENDANCE.filter(actor)  # 403 without any attendance right
    me = own_employee(actor)
    if me is None:
        return render(request, "attendance/days/my.html", {"no_employee": True})
    zone = zone_of(me)
    today = today_for(me)
    first = _month(request.GET.get("month"), today)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    days = attach_sessions(list(AttendanceDay.objects.filter(employee_id=me.pk, date__gte=first, date__lte=last)
                                .order_by("date")))
    by_date = {d.date: d for d in days}
    rows, day = [], first
    while day <= last:
        record = by_date.get(day)
        rows.append({"date": day, "day": record, "badge": STATUS_CLASS.get(record.status, "") if record else "",
                     "first_in": _local_hm(record and record.first_in, zone),
                     "last_out": _local_hm(record and record.last_out, zone),
                     "worked": _hm(record.worked_minutes) if record else "",
                     "can_correct": day <= today})
        day += dt.timedelta(days=1)
    totals = {"worked": _hm(sum(d.worked_minutes for d in days)),
              "present": sum(1 for d in days if d.status in ("present", "open")),
              "late": sum(1 for d in days if d.late_minutes), "late_minutes": sum(d.late_minutes for d in days),
              "overtime": _hm(sum(d.overtime_minutes for d in days)),
              "absent": sum(1 for d in days if d.status == "absent"),
              "leave": sum(d.leave_fraction for d in days)}
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = last + dt.timedelta(days=1)
    return render(request, "attendance/days/my.html", {
        "employee": me, "rows": rows, "totals": totals, "month": first, "zone": str(zone),
        "previous": previous.strftime("%Y-%m"), "next": following.strftime("%Y-%m") if following <= today else ""})


class TeamFilterForm(forms.Form):
    date = forms.DateField(label="Day", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    span = forms.ChoiceField(label="Show", required=False, choices=[("day", "That day"), ("week", "Its week")])
    department = forms.ChoiceField(label="Department", required=False)
    branch = forms.ChoiceField(label="Branch", required=False)
    status = forms.ChoiceField(label="Status", required=False,
                               choices=[("", "Any status"), *AttendanceDay.Status.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "Any department")] + [
            (str(d.pk), d.name) for d in Department.objects.order_by("name")[:500]]
        self.fields["branch"].choices = [("", "Any branch")] + [
            (str(b.pk), b.name) for b in Branch.objects.order_by("name")[:500]]


@require_safe
def team_attendance(request, workspace_slug):
    actor = request.actor
    if not (actor.can(TEAM_VIEW) or actor.can(VIEW_ALL)):
        raise PermissionDenied("Your role does not let you see your team's attendance.")
    me = own_employee(actor)
    today = today_for(me) if me is not None else dt.date.today()
    shown = request.GET.copy()  # the first visit shows this week so far, and the form says so
    if not shown.get("date"):
        shown.setdefault("span", "week")
    shown.setdefault("date", today.isoformat())
    form = TeamFilterForm(shown)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    day = data.get("date") or today
    span = data.get("span") or "day"
    start, end = day, day
    if span == "week":
        start = day - dt.timedelta(days=day.weekday())
        end = start + dt.timedelta(days=6)
    queryset = ATTENDANCE.rows(actor, AttendanceDay.objects.filter(date__gte=start, date__lte=end))
    if me is not None and not actor.can(VIEW_ALL):
        queryset = queryset.exclude(employee_id=me.pk)  # the team page is about one's reports
    if data.get("department"):
        queryset = queryset.filter(department_id=data["department"])
    if data.get("branch"):
        queryset = queryset.filter(employee__branch_id=data["branch"])
    if data.get("status"):
        queryset = queryset.filter(status=data["status"])
    page = pagination.page_for(request, queryset.select_related("employee__branch", "department")
                               .order_by("date", "employee_id", "id"))
    rows = []
    for record in page:
        zone = zone_of(record.employee)
        rows.append({"day": record, "badge": STATUS_CLASS.get(record.status, ""),
                     "first_in": _local_hm(record.first_in, zone), "last_out": _local_hm(record.last_out, zone),
                     "worked": _hm(record.worked_minutes)})
    return render(request, "attendance/days/team.html", {"form": form, "page": page, "rows": rows, "start": start,
                                                         "end": end})


urlpatterns = [
    path("my/", my_attendance, name="my"),
    path("team/", team_attendance, name="team"),
]

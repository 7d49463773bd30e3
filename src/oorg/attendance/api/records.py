"""/api/v1/attendance/records: computed days (AttendanceDay) with their sessions and breaks, one's own by default
or an employee's in one's scope (ATTENDANCE); times in ISO 8601 with the branch's offset."""
from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from oorg.core.errors import ValidationFailed
from oorg.core.pagination import offset_page
from oorg.core.schemas import Id, Limit, Offset

from ..calendar import today_for, zone_of
from ..days import attach_sessions, clean_range
from ..models import AttendanceDay
from ..scopes import ATTENDANCE, require_own_employee

router = Router(tags=["attendance"])


class RecordBreakOut(Schema):
    id: int
    started_at: dt.datetime
    ended_at: dt.datetime | None


class RecordSessionOut(Schema):
    id: int
    work_date: dt.date
    started_at: dt.datetime
    ended_at: dt.datetime | None
    start_source: str
    end_source: str
    outside_site: bool
    auto_closed: bool
    corrected: bool
    breaks: list[RecordBreakOut]


class AttendanceDayOut(Schema):
    id: int
    employee_id: int
    date: dt.date
    status: str
    shift_id: int | None
    expected_start: dt.datetime | None
    expected_end: dt.datetime | None
    first_in: dt.datetime | None
    last_out: dt.datetime | None
    worked_minutes: int
    break_minutes: int
    late_minutes: int
    early_leave_minutes: int
    overtime_minutes: int
    leave_type_id: int | None
    leave_fraction: float  # 0.5 on a half day of leave
    auto_closed: bool
    outside_site: bool
    corrected: bool
    sessions: list[RecordSessionOut]


class RecordList(Schema):
    items: list[AttendanceDayOut]
    count: int


class RecordFilters(Schema):
    employee_id: Id | None = None
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None
    status: str | None = Field(None, max_length=10)
    limit: Limit = 50
    offset: Offset = 0


def _local(value, zone):
    return value.astimezone(zone) if value is not None else None


def day_answer(day: AttendanceDay, zone) -> dict:
    data = {name: getattr(day, name) for name in AttendanceDayOut.model_fields if name != "sessions"}
    for name in ("expected_start", "expected_end", "first_in", "last_out"):
        data[name] = _local(data[name], zone)
    data["sessions"] = [
        {"id": s.pk, "work_date": s.work_date, "started_at": _local(s.started_at, zone),
         "ended_at": _local(s.ended_at, zone), "start_source": s.start_source, "end_source": s.end_source,
         "outside_site": s.outside_site, "auto_closed": s.auto_closed, "corrected": s.corrected,
         "breaks": [{"id": b.pk, "started_at": _local(b.started_at, zone), "ended_at": _local(b.ended_at, zone)}
                    for b in s.breaks.all()]}
        for s in getattr(day, "sessions_of_day", [])]
    return data


def records(actor, *, employee_id=None, start=None, end=None, status=None, limit=50, offset=0) -> dict:
    if employee_id is not None:
        employee = ATTENDANCE.get_employee(actor, employee_id)
    else:
        ATTENDANCE.filter(actor)  # 403 for a role without attendance rights
        employee = require_own_employee(actor)
    start, end = clean_range(start, end, default_end=today_for(employee))
    queryset = AttendanceDay.objects.filter(employee_id=employee.pk, date__gte=start, date__lte=end)
    if status:
        if status not in AttendanceDay.Status.values:
            raise ValidationFailed(f"status is one of {', '.join(AttendanceDay.Status.values)}.", field="status")
        queryset = queryset.filter(status=status)
    page = offset_page(queryset.order_by("date", "id"), limit=limit, offset=offset)
    zone = zone_of(employee)
    days = attach_sessions(list(page))
    return {"items": [day_answer(d, zone) for d in days], "count": page.count}


@router.get("/attendance/records", response=RecordList,
            summary="Computed days with their sessions (yours, or employee_id's within your scope)")
def record_list(request, filters: Query[RecordFilters]):
    return records(request.actor, employee_id=filters.employee_id, start=filters.from_, end=filters.to,
                   status=filters.status, limit=filters.limit, offset=filters.offset)

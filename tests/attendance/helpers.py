"""Helpers for attendance tests: sessions written directly (clocking services are tested on their own)."""
import datetime as dt
from zoneinfo import ZoneInfo

from oorg.attendance.models import Break, Session, Shift, ShiftAssignment
from oorg.core.tenancy import workspace_scope

BERLIN = ZoneInfo("Europe/Berlin")


def local(day, hour, minute=0, zone=BERLIN):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)


def make_session(workspace, employee, start, end=None, *, work_date=None, breaks=(), **fields):
    with workspace_scope(workspace):
        session = Session.objects.create(workspace=workspace, employee=employee,
                                         work_date=work_date or start.astimezone(BERLIN).date(), started_at=start,
                                         ended_at=end, start_source="web", end_source="web" if end else "",
                                         **fields)
        for pause_start, pause_end in breaks:
            Break.objects.create(workspace=workspace, session=session, started_at=pause_start, ended_at=pause_end,
                                 start_source="web")
    return session


def make_shift(workspace, *, name="Day", starts=(9, 0), ends=(17, 0), employee=None, branch=None,
               starts_on=dt.date(2020, 1, 1), ends_on=None, **fields):
    with workspace_scope(workspace):
        shift = Shift.objects.create(workspace=workspace, name=name, starts=dt.time(*starts), ends=dt.time(*ends),
                                     **fields)
        if employee is not None or branch is not None:
            ShiftAssignment.objects.create(workspace=workspace, shift=shift, employee=employee, branch=branch,
                                           starts_on=starts_on, ends_on=ends_on)
    return shift

"""Demo attendance for the demo workspace: an office shift for Berlin and Lisbon, a night shift, public
holidays from the `holidays` package, an allowed site at the Berlin office, and two weeks of clock-ins
(one late, one with a forgotten clock-out closed by the system, one correction waiting for the manager).
Built through the attendance services, so it is audited and in the events like anything a person does."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from oorg.core.errors import DomainError
from oorg.core.permissions import Actor
from oorg.org.models import Branch, Employee

from . import days
from .calendar import days_between, zone_of
from .models import Shift
from .services import clocking, corrections, holidays, shifts, sites
from .tasks import close_forgotten_sessions

CLOCKERS = ("D001", "D003", "D004", "D005", "D006", "D008", "D009", "D010")  # who clocks in, by employee code
LATE = {"D005": 2, "D010": 4}  # code: the day (counted back from yesterday) they came in 12 minutes late


def seed_attendance(context: dict, progress) -> None:
    from oorg.core.tenancy import workspace_scope

    actor = context["actor"]
    with workspace_scope(actor.workspace):
        if Shift.objects.exists() or not Employee.objects.exists():
            return
        progress("Adding demo shifts, holidays and two weeks of clock-ins")
        _seed(actor)



def _seed(actor: Actor) -> None:
    today = timezone.now().date()
    branches = {b.name: b for b in Branch.objects.all()}
    office = shifts.create_shift(actor, name="Office day", starts="09:00", ends="17:30", break_minutes=30,
                                 break_after_minutes=360, grace_minutes=5)
    night = shifts.create_shift(actor, name="Night support", starts="22:00", ends="06:00", break_minutes=30,
                                grace_minutes=10, working_days=["mon", "tue", "wed", "thu"])
    year_start = dt.date(today.year, 1, 1)
    for name in ("Berlin", "Lisbon"):
        if name in branches:
            shifts.create_assignment(actor, shift_id=office.pk, branch_id=branches[name].pk, starts_on=year_start)
    people = {e.code: e for e in Employee.objects.select_related("branch", "member")}
    if "D018" in people:
        shifts.create_assignment(actor, shift_id=night.pk, employee_id=people["D018"].pk, starts_on=year_start)
    for name in ("Berlin", "Lisbon"):
        if name in branches:
            for year in (today.year, today.year + 1):
                try:
                    holidays.fill_holidays(actor, branch_id=branches[name].pk, year=year,
                                           subdivision="BE" if name == "Berlin" else None)
                except DomainError:
                    pass  # a region the package does not know: the demo goes on without it
    if "Berlin" in branches:
        sites.create_site(actor, name="Berlin office", branch_id=branches["Berlin"].pk, latitude="52.529700",
                          longitude="13.401600", radius_m=200)
    _clock_two_weeks(actor, people, today)


def _at(employee, day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone_of(employee))


def _clock_two_weeks(actor: Actor, people: dict, today: dt.date) -> None:
    start = today - dt.timedelta(days=14)
    for index, code in enumerate(CLOCKERS):
        employee = people.get(code)
        if employee is None:
            continue
        worked = [d.date for d in days_between(employee, start, today - dt.timedelta(days=1)) if d.kind == "working"]
        for position, day in enumerate(worked):
            back = len(worked) - 1 - position  # 0: yesterday
            if code == "D009" and back == 3:
                continue  # Emma did not come in that day: absent
            came_in = _at(employee, day, 9, 12) if LATE.get(code) == back else _at(employee, day, 8, 52 + index % 7)
            clocking.clock_in(actor, employee, source="kiosk" if index % 3 == 0 else "web", at=came_in)
            clocking.start_break(actor, employee, source="web", at=_at(employee, day, 12, 30))
            clocking.end_break(actor, employee, source="web", at=_at(employee, day, 13, 0))
            if code == "D005" and back == 0:
                continue  # Mia forgot to clock out yesterday: the forgotten-session job closes it below
            clocking.clock_out(actor, employee, source="web", at=_at(employee, day, 17, 30 + 5 * (index % 5)))
    close_forgotten_sessions()
    for employee in people.values():
        days.recompute_range(employee, start, today - dt.timedelta(days=1))
    member = people.get("D005")
    if member is not None and member.member_id:
        yesterday = [d.date for d in days_between(member, start, today - dt.timedelta(days=1))
                     if d.kind == "working"][-1]
        corrections.request_correction(Actor.of(member.member), work_date=yesterday,
                                       clock_in=_at(member, yesterday, 9, 0).isoformat(),
                                       clock_out=_at(member, yesterday, 17, 45).isoformat(),
                                       reason="I forgot to clock out when I left at 17:45.")

"""Demo leave for the demo workspace: this year's allowances granted by the accrual job, leave taken and
approved, a request waiting for the manager, a sick day entered by HR. Built through the leave services, so it
is audited, notified and in the events like anything a person does."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from oorg.attendance.calendar import days_between
from oorg.core.models import Membership
from oorg.core.permissions import Actor
from oorg.org.models import Employee

from .models import LeaveRequest, LeaveType
from .services import accrual, approvals, requests


def seed_leave(context: dict, progress) -> None:
    from oorg.core.tenancy import workspace_scope

    actor = context["actor"]
    with workspace_scope(actor.workspace):
        if LeaveRequest.objects.exists() or not Employee.objects.exists():
            return
        progress("Adding demo leave: allowances, requests and approvals")
        _seed(actor)



def _working(employee, start: dt.date, count: int) -> tuple[dt.date, dt.date]:
    """The first `count` consecutive working days from `start` (weekends and holidays skipped)."""
    found = [d.date for d in days_between(employee, start, start + dt.timedelta(days=30)) if d.kind == "working"]
    return found[0], found[count - 1]


def _seed(actor: Actor) -> None:
    today = timezone.now().date()
    accrual.accrue_workspace(actor.workspace, today)
    people = {e.code: e for e in Employee.objects.select_related("branch", "member__user")}
    types = {t.code: t for t in LeaveType.objects.all()}
    hr = Membership.objects.select_related("user").get(user__email="hr@demo.oorg.test")
    manager = people["D004"]
    member = people["D005"]
    # Max (manager) took three days two weeks ago: approved by Olivia, his manager.
    start, end = _working(manager, today - dt.timedelta(days=21), 3)
    taken = requests.create_request(Actor.of(manager.member), leave_type_id=types["annual"].pk, start_date=start,
                                    end_date=end, note="Family visit")
    approvals.approve(actor, taken, comment="Enjoy!")
    # Mia (member) asks for a week next month: waiting for Max.
    start, end = _working(member, today + dt.timedelta(days=30), 5)
    requests.create_request(Actor.of(member.member), leave_type_id=types["annual"].pk, start_date=start, end_date=end,
                            note="Summer trip")
    # Bruno (no account) was sick last week: HR entered it, Max approved.
    bruno = people.get("D006")
    if bruno is not None:
        start, end = _working(bruno, today - dt.timedelta(days=7), 2)
        sick = requests.create_request(Actor.of(hr), leave_type_id=types["sick"].pk, start_date=start, end_date=end,
                                       employee_id=bruno.pk)
        approvals.approve(Actor.of(manager.member), sick)

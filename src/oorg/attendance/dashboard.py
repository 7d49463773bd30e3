"""The clock widget on the home dashboard: clocked out, in since 09:07, or on a break since 12:30, with the
buttons that change it (they post to attendance:clock). A few small queries, whatever the workspace's size.

Card spec (registered by attendance/shell.py):
    area.card("attendance.clock", title="Your clock", icon="clock", template="attendance/cards/clock.html",
              context=dashboard.clock_widget, visible=shell.can(OWN), order=5)
"""
from __future__ import annotations

from django.urls import reverse

from .calendar import zone_of
from .models import Break
from .permissions import OWN
from .scopes import own_employee
from .services import clocking
from .services.policy import policy_for


def clock_widget(actor) -> dict | None:
    """The card's context; None (no card) for someone who may not clock. An account without an employee record
    gets a card saying why it has no clock."""
    if not actor.can(OWN):
        return None
    slug = actor.workspace.slug
    employee = own_employee(actor)
    if employee is None:
        return {"employee": None}
    zone = zone_of(employee)
    session = clocking.open_session(employee)
    current_break = clocking.open_break(session)
    state = "out" if session is None else "break" if current_break is not None else "in"
    policy = policy_for(actor)
    wants_location = policy.require_location or clocking.allowed_sites(employee).exists()
    since = None
    if current_break is not None:
        since = current_break.started_at
    elif session is not None:
        since = session.started_at
    worked_breaks = Break.objects.filter(session_id=session.pk).count() if session is not None else 0
    buttons = {"out": [("in", "Clock in")], "in": [("break-start", "Start break"), ("out", "Clock out")],
               "break": [("break-end", "End break"), ("out", "Clock out")]}[state]
    return {"employee": employee, "state": state, "since": since.astimezone(zone) if since else None,
            "started": session.started_at.astimezone(zone) if session else None, "breaks": worked_breaks,
            "outside_site": bool(session and session.outside_site), "buttons": buttons,
            "wants_location": wants_location, "zone": str(zone),
            "clock_url": reverse("attendance:clock", kwargs={"workspace_slug": slug}),
            "my_pin_url": reverse("attendance:my-pin", kwargs={"workspace_slug": slug}) if policy.kiosk_enabled
            else None}

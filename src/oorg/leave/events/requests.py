"""Events of leave requests and who is told.

The payload is the request's API answer (LeaveRequestOut). It names the type of leave and carries the note,
which are sensitive: a webhook receives it only when its creator sees the employee's leave (the LEAVE scope).

Who is told: a new request (or a cancellation to approve) → the approvers it waits for (the manager and their
delegates today, or at the HR step every member holding leave.approve_all, capped to the first 20 by
membership id); the manager's approval of a two-step type → HR; approved, rejected, cancelled → the
employee; a comment → the other party (the employee and the current approvers), never the commenter.
"""
from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from oorg.core import events
from oorg.core.models import Membership, Workspace

from ..api.requests import LeaveRequestOut

TO_DECIDE = "leave.request_to_decide"
DECIDED = "leave.request_decided"
COMMENTED = "leave.request_commented"

events.register_kinds([
    events.Kind(TO_DECIDE, "Leave requests waiting for you", description="Someone you approve for asked for "
                "leave, or for a cancellation."),
    events.Kind(DECIDED, "Your leave requests decided", description="Your leave was approved, rejected or "
                "cancelled."),
    events.Kind(COMMENTED, "Comments on leave requests", description="A comment on a leave request you asked "
                "for or decide."),
], group="Leave")


def _build(req, data: dict) -> dict:
    from ..services.requests import request_data

    return request_data(req)


def _visible(actor, data: dict) -> bool:
    from oorg.org.models import Employee

    from ..scopes import LEAVE

    employee = Employee.objects.filter(pk=data.get("employee_id")).first()
    try:
        return employee is not None and LEAVE.sees(actor, employee)
    except Exception:  # a role without leave rights sees nobody's
        return False


def _request(event):
    from ..models import LeaveRequest

    return LeaveRequest.objects.select_related("employee", "leave_type").filter(pk=event.target_id).first()


def _url(event) -> str:
    slug = Workspace.objects.filter(pk=event.workspace_id).values_list("slug", flat=True).first()
    try:
        return reverse("leave:request", args=[slug, event.target_id]) if slug else ""
    except NoReverseMatch:
        return ""


def _users(membership_ids) -> list[int]:
    return list(Membership.objects.filter(pk__in=list(membership_ids), is_active=True)
                .order_by("pk").values_list("user_id", flat=True))


def _employee_user(req) -> int | None:
    if req.employee.member_id is None:
        return None
    return Membership.objects.filter(pk=req.employee.member_id, is_active=True).values_list("user_id",
                                                                                            flat=True).first()


def _notices(event, user_ids, kind, title, body="") -> list[events.Notice]:
    url, seen, out = _url(event), set(), []
    for user_id in user_ids:
        if user_id and user_id != event.actor_user_id and user_id not in seen:
            seen.add(user_id)
            out.append(events.Notice(user_id=user_id, kind=kind, title=title, body=body, url=url))
    return out


def _dates(data: dict) -> str:
    start, end = data.get("start_date"), data.get("end_date")
    return start if start == end else f"{start} to {end}"


def notify_approvers(event) -> list[events.Notice]:
    from ..services.approvals import current_approver_ids

    req = _request(event)
    if req is None:
        return []
    d = event.data
    verb = "asks to cancel leave" if req.status == "cancel_requested" else "asks for leave"
    employee = _employee_user(req)  # an HR member's own request: never asked to decide it
    return _notices(event, [u for u in _users(current_approver_ids(req)) if u != employee], TO_DECIDE,
                    f"{d.get('employee_name')} {verb}: {_dates(d)}",
                    f"{d.get('working_days')} working day(s).")


def notify_employee(event) -> list[events.Notice]:
    req = _request(event)
    if req is None:
        return []
    what = {"leave.request.approved": "approved", "leave.request.rejected": "rejected",
            "leave.request.cancelled": "cancelled"}[event.type]
    title = f"Your leave {_dates(event.data)} was {what}"
    if event.type == "leave.request.rejected" and event.data.get("status") == "approved":
        title = f"Cancelling your leave {_dates(event.data)} was refused: it stays approved"
    comment = next((a.get("comment") for a in reversed(event.data.get("approvals") or [])
                    if a.get("decision") != "comment"), "")
    return _notices(event, [_employee_user(req)], DECIDED, title, comment or "")


def notify_comment(event) -> list[events.Notice]:
    from ..services.approvals import current_approver_ids

    req = _request(event)
    if req is None:
        return []
    users = [_employee_user(req), *_users(current_approver_ids(req))]
    return _notices(event, users, COMMENTED, f"Comment on the leave of {event.data.get('employee_name')} "
                    f"({_dates(event.data)})")


def _type(name, description, notify):
    return events.EventType(name, description, payload=LeaveRequestOut, build=_build, notify=notify,
                            visible_to=_visible)


events.register_types([
    _type("leave.request.created", "Someone asked for leave.", notify_approvers),
    _type("leave.request.step_approved", "A manager approved a request that HR approves next.", notify_approvers),
    _type("leave.request.approved", "A leave request was approved (the days are taken from the balance).",
          notify_employee),
    _type("leave.request.rejected", "A leave request (or the cancellation of leave) was rejected.",
          notify_employee),
    _type("leave.request.cancelled", "Leave was cancelled (its days given back).", notify_employee),
    _type("leave.request.cancel_requested", "Someone asked to cancel leave that already began.", notify_approvers),
    _type("leave.request.commented", "A comment was added to a leave request.", notify_comment),
], group="Leave")

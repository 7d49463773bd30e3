"""The approval chain of a leave request: the manager step, then (when the type asks for it) the HR step.

- Manager step: the employee's manager (org chart, `Employee.manager`) decides through their account, or
  whoever they delegated to while a delegation covers today (the Approval then says on whose behalf). An
  employee whose manager has no account starts at the HR step. Managers above the direct one (leave.team.
  approve over their reports at any depth) may decide it too.
- HR step: anyone holding leave.approve_all. They may also decide the manager step, which then completes the
  chain (they are HR).
- Nobody decides their own request.

Every decision is one `UPDATE ... WHERE version = seen AND status = ... AND step = ...`: when two approvers
act at once exactly one row is updated, and the other gets 409 `already_decided`.

Approval writes the "taken" ledger entry (types that track a balance) in the same transaction and asks the
attendance days to be computed again (they then show leave, never absent). Cancelling an approved request
before its first day gives the days back at once (a "cancelled" entry); once it started, cancelling asks the
approver, and their approval cancels it giving every day back (simple: also the days already passed).
"""
from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from oorg.attendance import calendar, days
from oorg.core import audit
from oorg.core.errors import Conflict, PermissionDenied, ValidationFailed
from oorg.core.models import Membership
from oorg.core.permissions import ROLES, role_permissions
from oorg.org.hierarchy import reports_below
from oorg.org.models import Employee

from .. import ledger
from ..models import Approval, LeaveRequest, LedgerEntry
from ..permissions import APPROVE_ALL, TEAM_APPROVE
from ..scopes import LEAVE, own_employee
from . import delegations
from .requests import _label, visible_requests

Status, Step = LeaveRequest.Status, LeaveRequest.Step
HR_NOTIFY_CAP = 20  # the HR step tells at most this many approvers (the first by membership id)


class AlreadyDecided(Conflict):
    code = "already_decided"

    def __init__(self):
        super().__init__("Someone else decided this request a moment ago: reload it to see its state.",
                         code="already_decided")


def manager_membership_id(employee) -> int | None:
    """The membership of the employee's manager, when that manager has an active account."""
    if employee.manager_id is None:
        return None
    return (Employee.objects.filter(pk=employee.manager_id, member__is_active=True)
            .values_list("member_id", flat=True).first())


def first_step(employee) -> str:
    return Step.MANAGER if manager_membership_id(employee) else Step.HR


def hr_membership_ids(workspace_id) -> list[int]:
    """Active members whose role holds leave.approve_all, the first HR_NOTIFY_CAP by id."""
    builtin = [key for key, perms in ROLES.items() if APPROVE_ALL in perms]
    custom = [key for key in Membership.objects.filter(is_active=True).exclude(role__in=builtin)
              .values_list("role", flat=True).distinct() if APPROVE_ALL in role_permissions(workspace_id, key)]
    return list(Membership.objects.filter(is_active=True, role__in=[*builtin, *custom])
                .order_by("pk").values_list("pk", flat=True)[:HR_NOTIFY_CAP])


def current_approver_ids(req: LeaveRequest) -> list[int]:
    """The memberships the request waits for now: the manager (and their delegates today), or HR."""
    if req.status not in (Status.PENDING, Status.CANCEL_REQUESTED):
        return []
    if req.step == Step.MANAGER:
        manager = manager_membership_id(req.employee)
        if manager is not None:
            on = delegations.today(req.workspace)
            return [manager, *delegations.current_delegates(manager, on)]
    return hr_membership_ids(req.workspace_id)


def authority(actor, req: LeaveRequest):
    """(may decide, on behalf of membership id): whether the actor decides this request's current step."""
    me = own_employee(actor)
    if me is not None and me.pk == req.employee_id:
        return False, None
    if actor.can(APPROVE_ALL):
        return True, None
    if req.step != Step.MANAGER or actor.membership is None:
        return False, None
    manager = manager_membership_id(req.employee)
    if manager is not None and manager == actor.membership.pk:
        return True, None
    if LEAVE.decides_for(actor, req.employee):
        return True, None
    if manager is not None and delegations.is_delegate_for(actor.membership.pk, manager,
                                                           delegations.today(actor.workspace)):
        return True, manager
    return False, None


def may_decide(actor, req: LeaveRequest) -> bool:
    return req.status in (Status.PENDING, Status.CANCEL_REQUESTED) and authority(actor, req)[0]


def may_cancel(actor, req: LeaveRequest) -> bool:
    me = own_employee(actor)
    return (me is not None and me.pk == req.employee_id) or actor.can(APPROVE_ALL)


def _move(req: LeaveRequest, *, status: str, step: str) -> None:
    """The guarded write: exactly one of several simultaneous decisions updates the row."""
    won = LeaveRequest.objects.filter(pk=req.pk, version=req.version, status=req.status, step=req.step).update(
        status=status, step=step, version=F("version") + 1, updated_at=timezone.now())
    if won != 1:
        raise AlreadyDecided()
    req.status, req.step, req.version = status, step, req.version + 1


def _approval(actor, req, step, decision, comment, on_behalf_of=None) -> Approval:
    return Approval.objects.create(workspace_id=req.workspace_id, request=req, step=step, decision=decision,
                                   decided_by=actor.membership, on_behalf_of_id=on_behalf_of, comment=comment)


def _give_back(actor, req, reason: str) -> None:
    if req.leave_type.tracks_balance:
        ledger.post(req.employee, req.leave_type, LedgerEntry.Kind.CANCELLED, req.working_days,
                    effective_on=req.start_date, reason=reason, request=req, created_by=actor.membership)


def _decide_check(actor, req) -> int | None:
    me = own_employee(actor)
    if me is not None and me.pk == req.employee_id:
        raise PermissionDenied("Nobody decides their own leave request.")
    if req.status not in (Status.PENDING, Status.CANCEL_REQUESTED):
        raise AlreadyDecided()
    allowed, on_behalf = authority(actor, req)
    if not allowed:
        raise PermissionDenied("You do not decide this request.")
    return on_behalf


def _clean(text) -> str:
    text = (text or "").strip()
    if len(text) > 2000:
        raise ValidationFailed("A comment is at most 2,000 characters.", field="comment")
    if "\x00" in text:  # no text column holds one (PostgreSQL refuses it)
        raise ValidationFailed("The comment has a NUL character.", field="comment")
    return text


def approve(actor, req: LeaveRequest, *, comment: str = "") -> LeaveRequest:
    comment = _clean(comment)
    on_behalf = _decide_check(actor, req)
    step = req.step
    with transaction.atomic():
        if req.status == Status.CANCEL_REQUESTED:
            _move(req, status=Status.CANCELLED, step=Step.DONE)
            _approval(actor, req, step, Approval.Decision.CANCELLED, comment, on_behalf)
            _give_back(actor, req, "Cancellation approved")
            action = "leave.request.cancelled"
        elif step == Step.MANAGER and req.leave_type.hr_approval and not actor.can(APPROVE_ALL):
            _move(req, status=Status.PENDING, step=Step.HR)
            _approval(actor, req, step, Approval.Decision.APPROVED, comment, on_behalf)
            action = "leave.request.step_approved"
        else:
            _move(req, status=Status.APPROVED, step=Step.DONE)
            _approval(actor, req, step, Approval.Decision.APPROVED, comment, on_behalf)
            if req.leave_type.tracks_balance:
                ledger.post(req.employee, req.leave_type, LedgerEntry.Kind.TAKEN, -req.working_days,
                            effective_on=req.start_date, reason=f"Leave request #{req.pk}", request=req,
                            created_by=actor.membership)
            action = "leave.request.approved"
        audit.record(actor, action, req, target_label=_label(req), step=step, comment=comment,
                     on_behalf_of=on_behalf)
        if action != "leave.request.step_approved":
            days.recompute_range(req.employee, req.start_date, req.end_date)
    return req


def reject(actor, req: LeaveRequest, *, comment: str = "") -> LeaveRequest:
    comment = _clean(comment)
    if not comment:
        raise ValidationFailed("Say why you reject it.", field="comment", code="required")
    on_behalf = _decide_check(actor, req)
    step = req.step
    with transaction.atomic():
        if req.status == Status.CANCEL_REQUESTED:  # the leave stays approved
            _move(req, status=Status.APPROVED, step=Step.DONE)
        else:
            _move(req, status=Status.REJECTED, step=Step.DONE)
        _approval(actor, req, step, Approval.Decision.REJECTED, comment, on_behalf)
        audit.record(actor, "leave.request.rejected", req, target_label=_label(req), step=step, comment=comment,
                     on_behalf_of=on_behalf)
    return req


def cancel(actor, req: LeaveRequest, *, comment: str = "") -> LeaveRequest:
    """The employee (or HR) cancels: a waiting request or leave not yet begun at once; leave that has begun
    asks its approver (status cancel_requested)."""
    comment = _clean(comment)
    if not may_cancel(actor, req):
        raise PermissionDenied("Only the employee or HR cancels a request.")
    seen = req.step
    with transaction.atomic():
        if req.status == Status.PENDING:
            _move(req, status=Status.CANCELLED, step=Step.DONE)
            action = "leave.request.cancelled"
        elif req.status == Status.APPROVED and calendar.today_for(req.employee) < req.start_date:
            _move(req, status=Status.CANCELLED, step=Step.DONE)
            _give_back(actor, req, "Cancelled before it began")
            action = "leave.request.cancelled"
        elif req.status == Status.APPROVED:
            _move(req, status=Status.CANCEL_REQUESTED, step=first_step(req.employee))
            action = "leave.request.cancel_requested"
        else:
            raise Conflict(f"This request is {req.get_status_display().lower()}: there is nothing to cancel.",
                           code="not_cancellable")
        _approval(actor, req, seen, Approval.Decision.CANCELLED if action.endswith("cancelled")
                  else Approval.Decision.COMMENT, comment or ("Cancellation requested"
                                                              if action.endswith("requested") else ""))
        audit.record(actor, action, req, target_label=_label(req), comment=comment)
        if action == "leave.request.cancelled":
            days.recompute_range(req.employee, req.start_date, req.end_date)
    return req


def comment(actor, req: LeaveRequest, *, comment: str) -> Approval:
    text = _clean(comment)
    if not text:
        raise ValidationFailed("Write a comment.", field="comment", code="required")
    with transaction.atomic():
        approval = _approval(actor, req, req.step, Approval.Decision.COMMENT, text)
        audit.record(actor, "leave.request.commented", req, target_label=_label(req), comment=text,
                     approval_id=approval.pk)
    return approval


def inbox(actor) -> QuerySet:
    """The requests waiting for the actor: the manager step of their reports (and of the managers who delegated
    to them today) and, with leave.approve_all, the HR step of everyone. Oldest first."""
    waiting = visible_requests(actor).filter(status__in=(Status.PENDING, Status.CANCEL_REQUESTED))
    me = own_employee(actor)
    if me is not None:
        waiting = waiting.exclude(employee_id=me.pk)
    mine = getattr(actor.membership, "pk", None)
    delegators = delegations.active_delegators(mine, delegations.today(actor.workspace))
    rule = Q(step=Step.MANAGER) & (Q(employee__manager__member_id=mine)
                                   | Q(employee__manager__member_id__in=delegators))
    if me is not None and actor.can(TEAM_APPROVE):
        rule |= Q(step=Step.MANAGER, employee_id__in=reports_below(me.pk, in_or=True))
    if actor.can(APPROVE_ALL):  # HR: the HR step of everyone (a manager step they may still decide on its page)
        rule |= Q(step=Step.HR)
    return waiting.filter(rule).order_by("created_at", "pk")

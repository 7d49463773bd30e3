"""Leave requests: the working-day count and balance a request would have (the preview), asking for leave,
and reading requests as the reader may see them.

A request counts the working days of the employee's branch (attendance.calendar): its working weekdays less
its holidays, so Friday to Monday with Monday a public holiday is 1 day. The balance a request is checked
against is what is *available*: the ledger balance less the days of the employee's other pending requests.

HR entering leave for someone else (`employee_id`, with leave.approve_all or leave.manage) is exempt from
the minimum notice: sick leave is often entered after the fact.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, QuerySet

from oorg.attendance import calendar
from oorg.core import audit, files
from oorg.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from oorg.org.models import Employee

from .. import ledger
from ..models import Approval, LeaveRequest, LeaveType
from ..permissions import APPROVE_ALL, MANAGE, OWN
from ..scopes import LEAVE, own_employee, require_own_employee

MAX_RANGE_DAYS = 366
OPEN = (LeaveRequest.Status.PENDING, LeaveRequest.Status.APPROVED, LeaveRequest.Status.CANCEL_REQUESTED)
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
ATTACHMENT_TYPES = {".pdf": b"%PDF", ".png": b"\x89PNG", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff"}


class InsufficientBalance(ValidationFailed):
    code = "insufficient_balance"

    def __init__(self, *, available: Decimal, requested: Decimal):
        self.available, self.requested = available, requested
        super().__init__(f"Not enough leave: {_fmt(available)} day(s) available, {_fmt(requested)} requested.",
                         field="end_date", code="insufficient_balance")

    def as_json(self) -> dict:
        return {**super().as_json(), "available": str(self.available), "requested": str(self.requested)}


class Overlap(Conflict):
    code = "overlap"

    def __init__(self, other: LeaveRequest):
        self.other = other
        super().__init__(f"This overlaps your request #{other.pk} from {other.start_date} to {other.end_date} "
                         f"({other.get_status_display().lower()}).", field="start_date", code="overlap")

    def as_json(self) -> dict:
        return {**super().as_json(), "other": {"id": self.other.pk, "start_date": str(self.other.start_date),
                                               "end_date": str(self.other.end_date), "status": self.other.status}}


def _fmt(days: Decimal) -> str:
    return f"{days.normalize():f}" if days == days.to_integral() else f"{days:f}".rstrip("0")


@dataclass
class Evaluation:
    """What a request for these dates would be: its days, the balance before and after, and its problems."""

    employee: object
    leave_type: LeaveType | None
    start_date: dt.date | None
    end_date: dt.date | None
    half_day: bool
    working_days: Decimal = Decimal(0)
    days: list = field(default_factory=list)
    balance_before: Decimal | None = None
    balance_after: Decimal | None = None
    problems: list = field(default_factory=list)
    needs_attachment: bool = False


def visible_types(actor) -> QuerySet:
    return LeaveType.objects.filter(active=True).order_by("position", "name")


def _leave_type(leave_type_id) -> LeaveType | None:
    try:
        leave_type_id = int(leave_type_id)
    except (TypeError, ValueError):
        return None
    return LeaveType.objects.filter(pk=leave_type_id).first()


def employee_for(actor, employee_id=None):
    """The employee a request is for: oneself by default; someone else only for HR (approve_all or manage),
    within their scope (404 outside it)."""
    if employee_id in (None, ""):
        return require_own_employee(actor), False
    me = own_employee(actor)
    if not (actor.can(APPROVE_ALL) or actor.can(MANAGE)):
        if me is not None and str(me.pk) == str(employee_id):
            return me, False
        raise PermissionDenied("Only HR enters leave for someone else.", field="employee_id")
    try:
        employee = LEAVE.get_employee(actor, employee_id)
    except NotFound:  # outside the actor's scope, or another workspace's: like an id that exists nowhere
        raise ValidationFailed("No such employee.", field="employee_id", code="unknown_employee") from None
    return employee, me is None or me.pk != employee.pk


def available(employee, leave_type: LeaveType, *, excluding: int | None = None) -> Decimal:
    return ledger.balance(employee, leave_type) - ledger.pending_days(employee, leave_type, excluding=excluding)


def evaluate(employee, leave_type_id, start_date, end_date, half_day=False, *, for_other=False, excluding=None,
             has_attachment=False) -> Evaluation:
    """Every problem of a request for these values, without writing anything."""
    leave_type = _leave_type(leave_type_id)
    half_day = bool(half_day)
    ev = Evaluation(employee, leave_type, start_date, end_date, half_day)
    add = ev.problems.append
    if leave_type is None:
        add(ValidationFailed("Choose a leave type.", field="leave_type_id", code="unknown_leave_type"))
    elif not leave_type.active:
        add(ValidationFailed(f"{leave_type.name} is no longer offered.", field="leave_type_id", code="inactive"))
    if start_date is None:
        add(ValidationFailed("Enter the first day.", field="start_date", code="required"))
    if end_date is None:
        add(ValidationFailed("Enter the last day.", field="end_date", code="required"))
    if start_date is None or end_date is None:
        return ev
    if end_date < start_date:
        add(ValidationFailed("The last day must be on or after the first day.", field="end_date"))
        return ev
    if (end_date - start_date).days >= MAX_RANGE_DAYS:
        add(ValidationFailed(f"A request covers at most {MAX_RANGE_DAYS} days.", field="end_date", code="too_long"))
        return ev
    if half_day and start_date != end_date:
        add(ValidationFailed("A half day is a single day: make the first and last day the same.", field="half_day"))
    elif half_day and leave_type is not None and not leave_type.half_days:
        add(ValidationFailed(f"{leave_type.name} cannot be taken as half days.", field="half_day"))
    ev.days = calendar.days_between(employee, start_date, end_date)
    count = sum(1 for d in ev.days if d.kind == "working")
    ev.working_days = (Decimal("0.5") if count else Decimal(0)) if half_day else Decimal(count)
    if not ev.working_days:
        add(ValidationFailed("There is no working day in this range.", field="start_date", code="no_working_days"))
    if leave_type is None:
        return ev
    if leave_type.min_notice_days and not for_other:
        earliest = calendar.today_for(employee) + dt.timedelta(days=leave_type.min_notice_days)
        if start_date < earliest:
            add(ValidationFailed(f"{leave_type.name} needs {leave_type.min_notice_days} day(s) notice: the first "
                                 f"day can be {earliest} at the earliest.", field="start_date", code="min_notice"))
    if leave_type.tracks_balance:
        ev.balance_before = available(employee, leave_type, excluding=excluding)
        ev.balance_after = ev.balance_before - ev.working_days
        if ev.working_days and ev.balance_after < 0 and not leave_type.allow_negative:
            add(InsufficientBalance(available=ev.balance_before, requested=ev.working_days))
    if leave_type.attachment_after_days is not None and ev.working_days > leave_type.attachment_after_days:
        ev.needs_attachment = True
        if not has_attachment:
            add(ValidationFailed(f"{leave_type.name} of more than {leave_type.attachment_after_days} day(s) needs "
                                 "a document (a PDF, PNG or JPEG).", field="attachment", code="attachment_required"))
    return ev


def refuse(problems) -> None:
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise ValidationFailed(problems=problems)


def preview(actor, *, leave_type_id, start_date, end_date, half_day=False, employee_id=None) -> Evaluation:
    employee, for_other = employee_for(actor, employee_id)
    return evaluate(employee, leave_type_id, start_date, end_date, half_day, for_other=for_other,
                    has_attachment=True)  # the preview says an attachment is needed, never refuses for it


def overlapping(employee, start_date, end_date, *, excluding=None) -> LeaveRequest | None:
    rows = LeaveRequest.objects.filter(employee=employee, status__in=OPEN, start_date__lte=end_date,
                                       end_date__gte=start_date)
    if excluding is not None:
        rows = rows.exclude(pk=excluding)
    return rows.order_by("start_date", "pk").first()


def check_attachment(upload) -> list:
    """Problems of an uploaded document: a PDF, PNG or JPEG of at most 5 MB (its content must say so too)."""
    if upload is None:
        return []
    suffix = os.path.splitext(upload.name or "")[1].lower()
    if suffix not in ATTACHMENT_TYPES:
        return [ValidationFailed("Upload a PDF, PNG or JPEG file.", field="attachment", code="file_type")]
    if upload.size > MAX_ATTACHMENT_BYTES:
        return [ValidationFailed("The file is larger than 5 MB.", field="attachment", code="file_too_large")]
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(ATTACHMENT_TYPES[suffix]):
        return [ValidationFailed("This file is not the PDF, PNG or JPEG its name says.", field="attachment",
                                 code="file_type")]
    return []


def _store(workspace_id, upload) -> str:
    suffix = os.path.splitext(upload.name)[1].lower()
    return files.save_private(f"leave/{workspace_id}/attachments", upload, suffix=suffix)


def create_request(actor, *, leave_type_id, start_date, end_date, half_day=False, note="", employee_id=None,
                   attachment=None) -> LeaveRequest:
    from . import approvals

    employee, for_other = employee_for(actor, employee_id)
    if not for_other and not actor.can(OWN):
        raise PermissionDenied("Your role does not let you request leave.")
    note = (note or "").strip()
    ev = evaluate(employee, leave_type_id, start_date, end_date, half_day, for_other=for_other,
                  has_attachment=attachment is not None)
    problems = list(ev.problems) + check_attachment(attachment)
    if len(note) > 2000:
        problems.append(ValidationFailed("The note is longer than 2,000 characters.", field="note"))
    elif "\x00" in note:  # no text column holds one (PostgreSQL refuses it)
        problems.append(ValidationFailed("The note has a NUL character.", field="note"))
    refuse(problems)
    stored = _store(actor.workspace.pk, attachment) if attachment is not None else ""
    with transaction.atomic():
        # One request of an employee at a time: two sent together could each pass the overlap and balance
        # checks before either is written. Holding the employee's row, the second sees the first.
        Employee.objects.select_for_update().filter(pk=employee.pk).values_list("pk").first()
        other = overlapping(employee, start_date, end_date)
        if other is not None:
            raise Overlap(other)
        refuse(evaluate(employee, leave_type_id, start_date, end_date, half_day, for_other=for_other,
                        has_attachment=attachment is not None).problems)
        step = approvals.first_step(employee)
        req = LeaveRequest.objects.create(
            workspace=actor.workspace, employee=employee, leave_type=ev.leave_type, start_date=start_date,
            end_date=end_date, half_day=bool(half_day), working_days=ev.working_days, note=note,
            attachment=stored, step=step, requested_by=actor.membership)
        audit.record(actor, "leave.request.created", req, target_label=_label(req),
                     employee_id=employee.pk, working_days=ev.working_days, step=step)
    return req


def _label(req: LeaveRequest) -> str:
    return f"Leave request #{req.pk}"


def add_attachment(actor, req: LeaveRequest, upload) -> LeaveRequest:
    """Attach (or replace) the document of a request that is still waiting, by the employee or HR."""
    from . import approvals

    if not approvals.may_cancel(actor, req):
        raise PermissionDenied("Only the employee or HR attaches a document.")
    if req.status != LeaveRequest.Status.PENDING:
        raise Conflict("Only a request waiting for approval takes a document.", code="not_pending")
    if upload is None:
        raise ValidationFailed("Choose a file.", field="attachment", code="required")
    refuse(check_attachment(upload))
    old, req.attachment = req.attachment, _store(req.workspace_id, upload)
    req.save(update_fields=["attachment", "updated_at"])
    if old:
        files.delete(old)
    audit.record(actor, "leave.request.attachment_added", req, target_label=_label(req))
    return req


# --- reading -----------------------------------------------------------------------------------------------


def visible_requests(actor) -> QuerySet:
    """The requests the actor sees: by the leave scope (own, team, all), and those a delegation lets them
    decide today."""
    from .delegations import active_delegators, today

    delegated = Q(step=LeaveRequest.Step.MANAGER,
                  employee__manager__member_id__in=active_delegators(getattr(actor.membership, "pk", None),
                                                                     today(actor.workspace)))
    try:
        narrowing = LEAVE.filter(actor)
    except PermissionDenied:
        if actor.membership is None:
            raise
        narrowing = Q(pk__in=[])
    rows = LeaveRequest.objects.all() if narrowing is None else LeaveRequest.objects.filter(narrowing | delegated)
    return rows.select_related("employee", "leave_type")


def get_request(actor, request_id) -> LeaveRequest:
    try:
        request_id = int(request_id)
    except (TypeError, ValueError):
        raise NotFound("No such leave request.") from None
    req = visible_requests(actor).filter(pk=request_id).first()
    if req is None:
        raise NotFound("No such leave request.")
    return req


def request_list(actor, *, employee_id=None, status=None, date_from=None, date_to=None) -> QuerySet:
    problems = []
    if date_from and date_to:
        if date_to < date_from:
            problems.append(ValidationFailed("`to` must be on or after `from`.", field="to"))
        elif (date_to - date_from).days > MAX_RANGE_DAYS:
            problems.append(ValidationFailed(f"A range covers at most {MAX_RANGE_DAYS} days.", field="to"))
    if status and status not in LeaveRequest.Status.values:
        problems.append(ValidationFailed("Unknown status.", field="status", code="invalid_choice"))
    refuse(problems)
    rows = visible_requests(actor)
    if employee_id is not None:
        rows = rows.filter(employee_id=LEAVE.get_employee(actor, employee_id).pk)
    if status:
        rows = rows.filter(status=status)
    if date_from:
        rows = rows.filter(end_date__gte=date_from)
    if date_to:
        rows = rows.filter(start_date__lte=date_to)
    return rows.order_by("-start_date", "-id")


def trail(req: LeaveRequest) -> list[Approval]:
    return list(req.approvals.select_related("decided_by__user", "on_behalf_of__user").order_by("at", "pk"))


def approval_data(a: Approval) -> dict:
    who = a.decided_by.user.email if a.decided_by_id and a.decided_by and a.decided_by.user_id else ""
    behalf = a.on_behalf_of.user.email if a.on_behalf_of_id and a.on_behalf_of else ""
    return {"id": a.pk, "step": a.step, "decision": a.decision, "decided_by_id": a.decided_by_id,
            "decided_by": who, "on_behalf_of_id": a.on_behalf_of_id, "on_behalf_of": behalf,
            "comment": a.comment, "at": a.at}


def request_data(req: LeaveRequest, *, balance: bool = True, with_trail: bool = True) -> dict:
    """The API answer of a request (also the payload of its events)."""
    data = {"id": req.pk, "employee_id": req.employee_id, "employee_name": req.employee.full_name,
            "leave_type_id": req.leave_type_id, "leave_type": req.leave_type.name,
            "leave_type_code": req.leave_type.code, "start_date": req.start_date, "end_date": req.end_date,
            "half_day": req.half_day, "working_days": req.working_days, "note": req.note,
            "has_attachment": bool(req.attachment), "status": req.status, "step": req.step,
            "version": req.version, "requested_by_id": req.requested_by_id, "created_at": req.created_at,
            "balance_before": None, "balance_after": None, "approvals": []}
    if balance and req.leave_type.tracks_balance:
        if req.status == LeaveRequest.Status.PENDING:
            before = available(req.employee, req.leave_type, excluding=req.pk)
            data["balance_before"], data["balance_after"] = before, before - req.working_days
        else:
            after = available(req.employee, req.leave_type)
            taken = req.status in (LeaveRequest.Status.APPROVED, LeaveRequest.Status.CANCEL_REQUESTED)
            data["balance_before"] = after + req.working_days if taken else after
            data["balance_after"] = after
    if with_trail:
        data["approvals"] = [approval_data(a) for a in trail(req)]
    for key in ("working_days", "balance_before", "balance_after"):  # days are JSON numbers, as in the balances
        if data[key] is not None:
            data[key] = float(data[key])
    return data

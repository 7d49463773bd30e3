"""Attendance corrections: an employee asks to set a day's clock-in and clock-out; their manager (at any depth,
or HR with approve_all) approves or rejects it; never one's own.

Exactly one decision wins: each decision (approve, reject, withdraw) is one conditional UPDATE on
`status = pending`, and whoever's UPDATE changed no row gets a 409. Approval rewrites the day's sessions (the
session named, or every session of that work date, replaced by one session clock_in → clock_out, corrected,
source "correction"), recomputes the day and is audited with the sessions before and after. The request tells
the employee's manager (events/corrections.py); the decision tells the employee.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from oorg.core import audit
from oorg.core.errors import Conflict, NotFound, PermissionDenied, Problems, ValidationFailed
from oorg.core.permissions import require
from oorg.org.hierarchy import reports_below
from oorg.org.models import Employee

from .. import days
from ..calendar import zone_of
from ..models import Correction, Session, Source
from ..permissions import APPROVE_ALL, OWN, TEAM_APPROVE
from ..scopes import ATTENDANCE, own_employee, require_own_employee

MAX_LENGTH = dt.timedelta(hours=24)
STATUSES = Correction.Status


# --- reading ---------------------------------------------------------------------------------------------------


def _decidable(actor) -> Q | None:
    """The Q of corrections the actor may decide (besides their own, excluded by decide). None: every one."""
    if actor.can(APPROVE_ALL):
        return None
    me = own_employee(actor)
    if not actor.can(TEAM_APPROVE) or me is None:
        return Q(pk__in=[])
    return Q(employee_id__in=reports_below(me.pk, in_or=True))


def visible_corrections(actor):
    """Mine, and those I may decide (and, for HR, everyone's)."""
    if not any(actor.can(p) for p in (OWN, TEAM_APPROVE, APPROVE_ALL)):
        raise PermissionDenied("Your role does not let you see attendance corrections.")
    queryset = Correction.objects.select_related("employee", "requested_by__user", "decided_by__user")
    decidable = _decidable(actor)
    if decidable is None:
        return queryset
    me = own_employee(actor)
    mine = Q(employee_id=me.pk) if me is not None else Q(pk__in=[])
    return queryset.filter(mine | decidable)


def correction_list(actor, *, status=None, employee_id=None, waiting_for_me: bool = False):
    queryset = visible_corrections(actor)
    if status:
        if status not in STATUSES.values:
            raise ValidationFailed(f"status is one of {', '.join(STATUSES.values)}.", field="status")
        queryset = queryset.filter(status=status)
    if employee_id is not None:
        queryset = queryset.filter(employee_id=employee_id)
    if waiting_for_me:
        me = own_employee(actor)
        decidable = _decidable(actor)
        queryset = queryset.filter(status=STATUSES.PENDING)
        if decidable is not None:
            queryset = queryset.filter(decidable)
        if me is not None:
            queryset = queryset.exclude(employee_id=me.pk)
    return queryset.order_by("-created_at", "-id")


def get_correction(actor, correction_id) -> Correction:
    correction = visible_corrections(actor).filter(pk=correction_id).first()
    if correction is None:
        raise NotFound("No such correction.")
    return correction


def may_decide(actor, correction: Correction) -> bool:
    return correction.status == STATUSES.PENDING and ATTENDANCE.decides_for(actor, correction.employee)


# --- checks ----------------------------------------------------------------------------------------------------


def _moment(value, field: str, zone) -> dt.datetime | None:
    if value in (None, ""):
        raise ValidationFailed("Give a date and time.", field=field, code="required")
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValidationFailed("A time is ISO 8601, like 2026-05-04T09:30:00+02:00.", field=field) from None
    if not isinstance(value, dt.datetime):
        raise ValidationFailed("A time is ISO 8601, like 2026-05-04T09:30:00+02:00.", field=field)
    if timezone.is_naive(value):  # a form's local time: in the employee's branch's zone
        value = value.replace(tzinfo=zone, fold=0)
    try:
        return value.astimezone(dt.timezone.utc)
    except (OverflowError, ValueError):
        raise ValidationFailed("This time is out of range.", field=field) from None


def clean_request(employee, *, work_date, clock_in, clock_out, reason, session_id=None) -> dict:
    zone = zone_of(employee)
    clean = {}
    with Problems() as problems:
        with problems.check():
            if work_date in (None, ""):
                raise ValidationFailed("Give the day to correct.", field="work_date", code="required")
            if isinstance(work_date, dt.datetime):
                work_date = work_date.date()
            if not isinstance(work_date, dt.date):
                try:
                    work_date = dt.date.fromisoformat(str(work_date).strip())
                except ValueError:
                    raise ValidationFailed("A date is YYYY-MM-DD.", field="work_date") from None
            clean["work_date"] = work_date
        with problems.check():
            clean["clock_in"] = _moment(clock_in, "clock_in", zone)
        with problems.check():
            clean["clock_out"] = _moment(clock_out, "clock_out", zone)
        text = str(reason or "").strip()
        if not text:
            problems.add("Say why the day needs correcting.", field="reason")
        elif len(text) > 2000:
            problems.add("A reason has at most 2,000 characters.", field="reason")
        clean["reason"] = text
        now = timezone.now()
        start, end = clean.get("clock_in"), clean.get("clock_out")
        if start is not None and end is not None:
            if end <= start:
                problems.add("The clock-out is after the clock-in.", field="clock_out")
            elif end - start > MAX_LENGTH:
                problems.add("A corrected session lasts at most 24 hours.", field="clock_out")
            elif end > now:
                problems.add("A correction is for time already worked, not in the future.", field="clock_out")
        if start is not None and "work_date" in clean:
            local = start.astimezone(zone).date()
            if abs((local - clean["work_date"]).days) > 1:
                problems.add("The clock-in is on the day to correct (or the evening before it).", field="clock_in")
        if "work_date" in clean and clean["work_date"] > dt.datetime.now(zone).date():
            problems.add("The day to correct is today or earlier.", field="work_date")
        clean["session"] = None
        if session_id not in (None, ""):
            try:
                session_id = int(session_id)
            except (TypeError, ValueError):
                session_id = None
            session = Session.objects.filter(pk=session_id, employee_id=employee.pk).first() if session_id else None
            if session is None:
                problems.add(ValidationFailed("No such session of yours.", field="session_id", code="not_found"))
            else:
                clean["session"] = session
    return clean


# --- writing ---------------------------------------------------------------------------------------------------


def _sessions_data(sessions) -> list[dict]:
    return [{"id": s.pk, "work_date": s.work_date.isoformat(), "started_at": s.started_at.isoformat(),
             "ended_at": s.ended_at.isoformat() if s.ended_at else None} for s in sessions]


def _audit(actor, action: str, correction: Correction, **data):
    audit.record(actor, action, correction, target_label=f"{correction.employee.full_name}, "
                 f"{correction.work_date.isoformat()}", employee_id=correction.employee_id, **data)


def request_correction(actor, *, work_date=None, clock_in=None, clock_out=None, reason=None,
                       session_id=None) -> Correction:
    require(actor, OWN)
    employee = require_own_employee(actor)
    clean = clean_request(employee, work_date=work_date, clock_in=clock_in, clock_out=clock_out, reason=reason,
                          session_id=session_id)
    with transaction.atomic():
        # one pending request per day: a second one would race the first's decision
        Employee.objects.select_for_update().filter(pk=employee.pk).first()
        if Correction.objects.filter(employee_id=employee.pk, work_date=clean["work_date"],
                                     status=STATUSES.PENDING).exists():
            raise Conflict("There is already a correction of this day waiting for approval; withdraw it first.",
                           field="work_date", code="pending_exists")
        correction = Correction.objects.create(workspace_id=actor.workspace.pk, employee=employee,
                                               requested_by=actor.membership, **clean)
        _audit(actor, "attendance.correction.requested", correction)
    return correction


def _claim(actor, correction: Correction, status: str, comment: str = "") -> None:
    """The conditional UPDATE: only a pending correction changes; otherwise someone else decided first."""
    now = timezone.now()
    changed = Correction.objects.filter(pk=correction.pk, status=STATUSES.PENDING).update(
        status=status, decided_by=actor.membership, decided_at=now, comment=comment)
    if not changed:
        correction.refresh_from_db(fields=["status"])
        raise Conflict(f"This correction was already {correction.get_status_display().lower()}.",
                       code="already_decided")
    correction.status, correction.decided_by, correction.decided_at, correction.comment = (
        status, actor.membership, now, comment)


def _comment(comment) -> str:
    text = str(comment or "").strip()
    if len(text) > 2000:
        raise ValidationFailed("A comment has at most 2,000 characters.", field="comment")
    return text


def _check_decider(actor, correction: Correction) -> None:
    me = own_employee(actor)
    if me is not None and me.pk == correction.employee_id:
        raise PermissionDenied("You cannot decide your own correction; your manager or HR does.")
    if not ATTENDANCE.decides_for(actor, correction.employee):
        raise PermissionDenied("Only the employee's manager or HR may decide this correction.")


def approve(actor, correction: Correction, *, comment=None) -> Correction:
    _check_decider(actor, correction)
    comment = _comment(comment)
    employee = correction.employee
    with transaction.atomic():
        _claim(actor, correction, STATUSES.APPROVED, comment)
        if correction.session_id:
            old = Session.objects.filter(pk=correction.session_id, employee_id=employee.pk)
        else:
            old = Session.objects.filter(employee_id=employee.pk, work_date=correction.work_date)
        replaced = list(old.order_by("started_at"))
        before = _sessions_data(replaced)
        touched = {correction.work_date} | {s.work_date for s in replaced}
        old.delete()
        session = Session.objects.create(
            workspace_id=correction.workspace_id, employee=employee, work_date=correction.work_date,
            started_at=correction.clock_in, ended_at=correction.clock_out, start_source=Source.CORRECTION,
            end_source=Source.CORRECTION, corrected=True, created_by=actor.membership)
        correction.session = session
        Correction.objects.filter(pk=correction.pk).update(session=session)
        days.recompute(employee, sorted(touched))
        _audit(actor, "attendance.correction.approved", correction, before=before,
               after=_sessions_data([session]), comment=comment)
    return correction


def reject(actor, correction: Correction, *, comment=None) -> Correction:
    _check_decider(actor, correction)
    comment = _comment(comment)
    with transaction.atomic():
        _claim(actor, correction, STATUSES.REJECTED, comment)
        _audit(actor, "attendance.correction.rejected", correction, comment=comment)
    return correction


def withdraw(actor, correction: Correction) -> Correction:
    me = own_employee(actor)
    if me is None or me.pk != correction.employee_id:
        raise PermissionDenied("Only whoever asked for a correction may withdraw it.")
    with transaction.atomic():
        now = timezone.now()
        changed = Correction.objects.filter(pk=correction.pk, status=STATUSES.PENDING).update(
            status=STATUSES.WITHDRAWN, decided_at=now)
        if not changed:
            correction.refresh_from_db(fields=["status"])
            raise Conflict(f"This correction was already {correction.get_status_display().lower()}.",
                           code="already_decided")
        correction.status, correction.decided_at = STATUSES.WITHDRAWN, now
        _audit(actor, "attendance.correction.withdrawn", correction)
    return correction

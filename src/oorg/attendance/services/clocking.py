"""Clocking in and out, and breaks: the one door for the web page, the API, the kiosk and (later) the desktop
agent.

Each action is for the actor's own employee record, or, with attendance.clock_others, for an employee in their
scope. Where one may clock in is the policy's (services/policy.py): the IP allow-list refuses an address outside
it; the allowed sites (the employee's own and their branch's) take a clock-in within a site's radius, and one
outside every site is refused or accepted and flagged. At most one open session per employee is the database's
rule (the partial unique index session_one_open), so two clock-ins racing each other end in one session and a
409. Every change recomputes the day (attendance.days) and is audited with its source.
"""
from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from oorg.core import audit, request_context
from oorg.core.errors import Conflict, PermissionDenied, Problems, ValidationFailed
from oorg.core.permissions import require

from .. import days, schedules
from ..models import Break, Session, Site, Source
from ..permissions import CLOCK_OTHERS, OWN
from ..scopes import ATTENDANCE, require_own_employee
from .policy import ip_allowed, policy_for

# What a caller may name as the source; "correction" and "system" are the system's own.
SOURCES = (Source.WEB, Source.API, Source.DESKTOP, Source.KIOSK, Source.IMPORT)
EARTH_RADIUS_M = 6_371_008.8


class AlreadyClockedIn(Conflict):
    code = "already_clocked_in"
    message = "You are already clocked in. Clock out first."


class NotClockedIn(Conflict):
    code = "not_clocked_in"
    message = "You are not clocked in."


class AlreadyOnBreak(Conflict):
    code = "already_on_break"
    message = "You are already on a break."


class NotOnBreak(Conflict):
    code = "not_on_break"
    message = "You are not on a break."


class OutsideAllowedSites(PermissionDenied):
    code = "outside_allowed_sites"


class IpNotAllowed(PermissionDenied):
    code = "ip_not_allowed"
    message = "Clocking in is not allowed from this network. Use the office network, or ask HR."


# --- whose clock --------------------------------------------------------------------------------------------


def target_employee(actor, employee_id=None):
    """The employee an action is for: the actor's own (409 without one), or `employee_id` for those who may
    clock others (403 otherwise; 404 outside their scope or workspace)."""
    if employee_id in (None, ""):
        require(actor, OWN)
        return require_own_employee(actor)
    require(actor, CLOCK_OTHERS)
    return ATTENDANCE.get_employee(actor, employee_id)


def viewed_employee(actor, employee_id=None):
    """For reading a status: one's own, or an employee in one's scope."""
    if employee_id in (None, ""):
        require(actor, OWN)
        return require_own_employee(actor)
    return ATTENDANCE.get_employee(actor, employee_id)


# --- input ------------------------------------------------------------------------------------------------


def _coordinate(value, field: str, bound: int) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValidationFailed(f"A number from -{bound} to {bound}.", field=field)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"A number from -{bound} to {bound}.", field=field) from None
    if not number.is_finite() or not -bound <= number <= bound:
        raise ValidationFailed(f"A number from -{bound} to {bound}.", field=field)
    return number.quantize(Decimal("0.000001"))


def clean_location(latitude=None, longitude=None, accuracy_m=None) -> tuple:
    """(latitude, longitude, accuracy in metres), each checked; 422 naming each bad one."""
    with Problems() as problems:
        with problems.check():
            latitude = _coordinate(latitude, "latitude", 90)
        with problems.check():
            longitude = _coordinate(longitude, "longitude", 180)
        accuracy = None
        if accuracy_m not in (None, ""):
            try:
                accuracy = float(accuracy_m)
            except (TypeError, ValueError):
                accuracy = -1.0
            if not (math.isfinite(accuracy) and 0 <= accuracy <= 100_000):
                problems.add("The accuracy is a number of metres from 0 to 100000.", field="accuracy_m")
        if not problems.about("latitude", "longitude") and (latitude is None) != (longitude is None):
            missing = "longitude" if longitude is None else "latitude"
            problems.add("Send the latitude and the longitude together.", field=missing)
    return latitude, longitude, accuracy


def clean_source(value) -> str:
    value = value or Source.API
    if value not in SOURCES:
        raise ValidationFailed("The source is one of web, api, desktop, kiosk, import.", field="source")
    return str(value)


# --- where ------------------------------------------------------------------------------------------------


def distance_m(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance (haversine), in metres."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def allowed_sites(employee):
    """The employee's own sites and their branch's."""
    where = Q(employee_id=employee.pk)
    if employee.branch_id:
        where |= Q(branch_id=employee.branch_id)
    return Site.objects.filter(where).order_by("pk")


def _describe(metres: float) -> str:
    return f"{metres / 1000:.1f} km" if metres >= 1000 else f"{int(round(metres))} m"


def place_of(employee, policy, latitude, longitude) -> tuple[Site | None, bool]:
    """(the site clocked in at, flagged outside): refuses with 403 when the policy says so."""
    sites = list(allowed_sites(employee)[:500])
    if not sites and not policy.require_location:
        return None, False
    if latitude is None:
        if policy.outside_site == policy.OutsideSite.FLAG:
            return None, True
        raise OutsideAllowedSites("Share your location to clock in: this workspace allows clocking in only at "
                                  "its sites." if sites else "Share your location to clock in.", field="latitude")
    if not sites:
        return None, False
    measured = sorted(((distance_m(latitude, longitude, s.latitude, s.longitude), s) for s in sites),
                      key=lambda pair: pair[0])
    for metres, site in measured:
        if metres <= site.radius_m:
            return site, False
    if policy.outside_site == policy.OutsideSite.FLAG:
        return None, True
    metres, nearest = measured[0]
    raise OutsideAllowedSites(f"You are {_describe(metres)} from {nearest.name}, the nearest place you may clock "
                              f"in (within {_describe(nearest.radius_m)}).", field="latitude")


def check_ip(policy, ip) -> None:
    if not ip_allowed(policy, ip):
        raise IpNotAllowed()


# --- reading ----------------------------------------------------------------------------------------------


def open_session(employee) -> Session | None:
    return (Session.objects.filter(employee_id=employee.pk, ended_at__isnull=True)
            .prefetch_related("breaks").select_related("site").first())


def open_break(session: Session | None) -> Break | None:
    if session is None:
        return None
    return Break.objects.filter(session_id=session.pk, ended_at__isnull=True).first()


def status_of(employee) -> dict:
    """{"state": out|in|break, "session": ..., "employee": {id, name}}."""
    session = open_session(employee)
    state = "out"
    if session is not None:
        state = "break" if open_break(session) is not None else "in"
    return {"state": state, "session": session_answer(session) if session else None,
            "employee": {"id": employee.pk, "name": employee.full_name}}


def session_answer(session: Session) -> dict:
    breaks = sorted(Break.objects.filter(session_id=session.pk), key=lambda b: (b.started_at, b.pk))
    return {"id": session.pk, "employee_id": session.employee_id, "work_date": session.work_date,
            "started_at": session.started_at, "ended_at": session.ended_at, "start_source": session.start_source,
            "end_source": session.end_source, "start_ip": session.start_ip, "end_ip": session.end_ip,
            "start_latitude": session.start_latitude, "start_longitude": session.start_longitude,
            "end_latitude": session.end_latitude, "end_longitude": session.end_longitude,
            "site_id": session.site_id, "outside_site": session.outside_site, "auto_closed": session.auto_closed,
            "corrected": session.corrected,
            "breaks": [{"id": b.pk, "started_at": b.started_at, "ended_at": b.ended_at,
                        "start_source": b.start_source} for b in breaks]}


# --- writing ----------------------------------------------------------------------------------------------


def _context(actor, ip):
    policy = policy_for(actor)
    ip = ip if ip is not None else request_context.client_ip.get()
    check_ip(policy, ip)
    return policy, ip


def _audit(actor, action: str, session: Session, employee, source: str, **data):
    audit.record(actor, action, session, target_label=employee.full_name, employee_id=employee.pk,
                 work_date=session.work_date.isoformat(), source=source, **data)


def clock_in(actor, employee, *, source=None, latitude=None, longitude=None, accuracy_m=None, ip=None,
             at=None) -> dict:
    source = clean_source(source)
    latitude, longitude, accuracy = clean_location(latitude, longitude, accuracy_m)
    policy, ip = _context(actor, ip)
    if open_session(employee) is not None:
        raise AlreadyClockedIn(_whose(actor, employee, "already clocked in. Clock out first."))
    site, outside = place_of(employee, policy, latitude, longitude)
    at = at or timezone.now()
    work_date = schedules.work_date_for(employee, at)
    try:
        with transaction.atomic():
            session = Session.objects.create(
                workspace_id=actor.workspace.pk, employee=employee, work_date=work_date, started_at=at,
                start_source=source, start_ip=ip or None, start_latitude=latitude, start_longitude=longitude,
                site=site, outside_site=outside, created_by=actor.membership)
            _audit(actor, "attendance.clocked_in", session, employee, source, site_id=site.pk if site else None,
                   outside_site=outside, accuracy_m=accuracy)
            days.recompute(employee, [work_date])
    except IntegrityError:  # a parallel clock-in won the race (session_one_open)
        raise AlreadyClockedIn(_whose(actor, employee, "already clocked in. Clock out first.")) from None
    return status_of(employee)


def _whose(actor, employee, rest: str) -> str:
    own = getattr(actor.membership, "pk", None) is not None and employee.member_id == actor.membership.pk
    return f"You are {rest}" if own else f"{employee.full_name} is {rest}"


def _locked_open_session(actor, employee) -> Session:
    session = Session.objects.select_for_update().filter(employee_id=employee.pk, ended_at__isnull=True).first()
    if session is None:
        raise NotClockedIn(_whose(actor, employee, "not clocked in."))
    return session


def clock_out(actor, employee, *, source=None, latitude=None, longitude=None, accuracy_m=None, ip=None,
              at=None) -> dict:
    source = clean_source(source)
    latitude, longitude, accuracy = clean_location(latitude, longitude, accuracy_m)
    policy, ip = _context(actor, ip)
    at = at or timezone.now()
    with transaction.atomic():
        session = _locked_open_session(actor, employee)
        at = max(at, session.started_at)
        ended_break = Break.objects.filter(session_id=session.pk, ended_at__isnull=True).update(ended_at=at)
        session.ended_at, session.end_source, session.end_ip = at, source, ip or None
        session.end_latitude, session.end_longitude = latitude, longitude
        session.save(update_fields=["ended_at", "end_source", "end_ip", "end_latitude", "end_longitude"])
        if ended_break:
            _audit(actor, "attendance.break_ended", session, employee, source, ended_by_clock_out=True)
        _audit(actor, "attendance.clocked_out", session, employee, source, accuracy_m=accuracy)
        days.recompute(employee, [session.work_date])
    return status_of(employee)


def start_break(actor, employee, *, source=None, latitude=None, longitude=None, accuracy_m=None, ip=None,
                at=None) -> dict:
    source = clean_source(source)
    clean_location(latitude, longitude, accuracy_m)
    _context(actor, ip)
    at = at or timezone.now()
    try:
        with transaction.atomic():
            session = _locked_open_session(actor, employee)
            if Break.objects.filter(session_id=session.pk, ended_at__isnull=True).exists():
                raise AlreadyOnBreak(_whose(actor, employee, "already on a break."))
            Break.objects.create(workspace_id=actor.workspace.pk, session=session,
                                 started_at=max(at, session.started_at), start_source=source)
            _audit(actor, "attendance.break_started", session, employee, source)
            days.recompute(employee, [session.work_date])
    except IntegrityError:  # a parallel break-start (break_one_open)
        raise AlreadyOnBreak(_whose(actor, employee, "already on a break.")) from None
    return status_of(employee)


def end_break(actor, employee, *, source=None, latitude=None, longitude=None, accuracy_m=None, ip=None,
              at=None) -> dict:
    source = clean_source(source)
    clean_location(latitude, longitude, accuracy_m)
    _context(actor, ip)
    at = at or timezone.now()
    with transaction.atomic():
        session = _locked_open_session(actor, employee)
        current = Break.objects.select_for_update().filter(session_id=session.pk, ended_at__isnull=True).first()
        if current is None:
            raise NotOnBreak(_whose(actor, employee, "not on a break."))
        current.ended_at = max(at, current.started_at)
        current.save(update_fields=["ended_at"])
        _audit(actor, "attendance.break_ended", session, employee, source)
        days.recompute(employee, [session.work_date])
    return status_of(employee)


ACTIONS = {"in": clock_in, "out": clock_out, "break-start": start_break, "break-end": end_break}


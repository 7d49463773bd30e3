"""Delegations: while an approver is away, someone else decides the requests waiting for them (the manager
step). One manages one's own delegations; the delegate must be an active member of the workspace, never
oneself. "Today" is the workspace's date (its time zone)."""
from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db.models import QuerySet
from django.utils import timezone

from oorg.core import audit
from oorg.core.errors import NotFound, PermissionDenied, Problems, ValidationFailed
from oorg.core.models import Membership

from ..models import Delegation
from ..permissions import OWN, TEAM_APPROVE

MAX_DAYS = 366


def today(workspace) -> dt.date:
    try:
        zone = zoneinfo.ZoneInfo(getattr(workspace, "time_zone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return timezone.now().astimezone(zone).date()


def _require_member(actor) -> Membership:
    if actor.membership is None or not (actor.can(OWN) or actor.can(TEAM_APPROVE)):
        raise PermissionDenied("Only members of the workspace delegate their approvals.")
    return actor.membership


def my_delegations(actor) -> QuerySet:
    """The delegations the actor made (newest first) and those made to them."""
    me = _require_member(actor)
    return Delegation.objects.filter(delegator=me).select_related("delegate__user").order_by("-starts_on", "-id")


def delegated_to(actor) -> QuerySet:
    if actor.membership is None:
        return Delegation.objects.none()
    return Delegation.objects.filter(delegate=actor.membership).select_related("delegator__user")


def active_delegators(membership_id, on: dt.date) -> QuerySet:
    """Ids of the memberships that have delegated to `membership_id` on this date (a subquery)."""
    return (Delegation.objects.filter(delegate_id=membership_id, starts_on__lte=on, ends_on__gte=on)
            .values("delegator_id"))


def is_delegate_for(delegate_id, delegator_id, on: dt.date) -> bool:
    return Delegation.objects.filter(delegate_id=delegate_id, delegator_id=delegator_id, starts_on__lte=on,
                                     ends_on__gte=on).exists()


def current_delegates(delegator_id, on: dt.date) -> QuerySet:
    return (Delegation.objects.filter(delegator_id=delegator_id, starts_on__lte=on, ends_on__gte=on)
            .values_list("delegate_id", flat=True))


def check_delegation(actor, data: dict, *, unchecked=()) -> list:
    problems = Problems(unchecked=unchecked)
    me = actor.membership
    delegate_id, starts_on, ends_on = data.get("delegate_id"), data.get("starts_on"), data.get("ends_on")
    if not problems.about("delegate_id"):
        try:
            delegate_id = int(delegate_id)
        except (TypeError, ValueError):
            delegate_id = None
        if delegate_id is None or not Membership.objects.filter(pk=delegate_id, is_active=True).exists():
            problems.add(ValidationFailed("Choose a member of this workspace.", field="delegate_id",
                                          code="unknown_member"))
        elif me is not None and delegate_id == me.pk:
            problems.add(ValidationFailed("You cannot delegate your approvals to yourself.", field="delegate_id",
                                          code="self_delegation"))
    if not problems.about("starts_on", "ends_on") and starts_on and ends_on:
        if ends_on < starts_on:
            problems.add(ValidationFailed("The end must be on or after the start.", field="ends_on"))
        elif (ends_on - starts_on).days >= MAX_DAYS:
            problems.add(ValidationFailed(f"A delegation lasts at most {MAX_DAYS} days.", field="ends_on"))
        elif ends_on < today(actor.workspace):
            problems.add(ValidationFailed("The end is in the past.", field="ends_on"))
    return list(problems)


def create_delegation(actor, *, delegate_id, starts_on: dt.date, ends_on: dt.date) -> Delegation:
    me = _require_member(actor)
    problems = check_delegation(actor, {"delegate_id": delegate_id, "starts_on": starts_on, "ends_on": ends_on})
    if problems:
        raise problems[0] if len(problems) == 1 else ValidationFailed(problems=problems)
    delegation = Delegation.objects.create(workspace=actor.workspace, delegator=me, delegate_id=int(delegate_id),
                                           starts_on=starts_on, ends_on=ends_on)
    audit.record(actor, "leave.delegation.created", delegation, target_label="Delegation",
                 delegate_id=delegation.delegate_id, starts_on=starts_on, ends_on=ends_on)
    return delegation


def get_delegation(actor, delegation_id) -> Delegation:
    me = _require_member(actor)
    try:
        delegation_id = int(delegation_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    delegation = Delegation.objects.filter(pk=delegation_id, delegator=me).select_related("delegate__user").first()
    if delegation is None:
        raise NotFound()
    return delegation


def delete_delegation(actor, delegation: Delegation) -> None:
    audit.record(actor, "leave.delegation.deleted", delegation, target_label="Delegation",
                 delegate_id=delegation.delegate_id)
    delegation.delete()


def delegation_data(delegation: Delegation) -> dict:
    delegate = delegation.delegate
    return {"id": delegation.pk, "delegator_id": delegation.delegator_id, "delegate_id": delegation.delegate_id,
            "delegate_email": delegate.user.email if delegate and delegate.user_id else "",
            "starts_on": delegation.starts_on, "ends_on": delegation.ends_on,
            "active": delegation.starts_on <= today(delegation.workspace) <= delegation.ends_on}

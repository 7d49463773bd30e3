"""The workspace's clocking policy: one AttendancePolicy row, created with its defaults on first read.

Who may clock in where (outside_site, require_location, ip_allow_list), when a forgotten session is closed,
what counts as overtime, and whether kiosks work at all. Read by clocking, kiosks and the day computation.
"""
from __future__ import annotations

import ipaddress

from django.db import IntegrityError, transaction

from oorg.core import audit
from oorg.core.errors import Problems, ValidationFailed, refuse_all
from oorg.core.permissions import require

from ..models import AttendancePolicy
from ..permissions import MANAGE

FIELDS = ("outside_site", "require_location", "ip_allow_list", "forgotten_after_hours",
          "overtime_threshold_minutes", "kiosk_enabled")
MAX_NETWORKS = 100


def policy_for(workspace_or_actor) -> AttendancePolicy:
    """The workspace's policy row (an Actor or a Workspace), created with the defaults when missing."""
    workspace = getattr(workspace_or_actor, "workspace", workspace_or_actor)
    workspace_id = getattr(workspace, "pk", workspace)
    policy = AttendancePolicy.objects.filter(workspace_id=workspace_id).first()
    if policy is not None:
        return policy
    try:
        with transaction.atomic():
            return AttendancePolicy.objects.create(workspace_id=workspace_id)
    except IntegrityError:  # created meanwhile by a parallel request
        return AttendancePolicy.objects.get(workspace_id=workspace_id)


def clean_networks(value, field: str = "ip_allow_list") -> list[str]:
    """CIDRs (or single addresses) as their normalized network strings; each bad one named by its index."""
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise ValidationFailed("A list of networks, like [\"203.0.113.0/24\", \"2001:db8::/32\"].", field=field)
    if len(value) > MAX_NETWORKS:
        raise ValidationFailed(f"At most {MAX_NETWORKS} networks.", field=field)
    networks, problems = [], Problems()
    for index, item in enumerate(value):
        try:
            networks.append(str(ipaddress.ip_network(str(item).strip(), strict=False)))
        except ValueError:
            problems.add(f"{str(item)[:60]!r} is not an IP address or network (like 203.0.113.0/24).",
                         field=f"{field}[{index}]")
    problems.raise_if_any()
    return list(dict.fromkeys(networks))


def ip_allowed(policy: AttendancePolicy, ip: str | None) -> bool:
    if not policy.ip_allow_list:
        return True
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return False
    for network in policy.ip_allow_list:
        try:
            if address in ipaddress.ip_network(network, strict=False):
                return True
        except (ValueError, TypeError):
            continue
    return False


def _bounded(value, field: str, low: int, high: int, unit: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValidationFailed(f"A whole number of {unit} from {low} to {high}.", field=field)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(f"A whole number of {unit} from {low} to {high}.", field=field) from None
    if not low <= number <= high:
        raise ValidationFailed(f"A whole number of {unit} from {low} to {high}.", field=field)
    return number


def _flag(value, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "on", "1", 1):
        return True
    if value in ("false", "off", "0", 0, "", None):
        return False
    raise ValidationFailed("Yes or no (true or false).", field=field)


def check_policy(changes: dict) -> tuple[dict, list]:
    """The cleaned changes and every problem found."""
    clean, problems = {}, Problems()
    for name in set(changes) - set(FIELDS):
        problems.add(ValidationFailed("Not a policy setting.", field=name, code="unknown_field"))
    if "outside_site" in changes:
        with problems.check():
            value = changes["outside_site"]
            if value not in AttendancePolicy.OutsideSite.values:
                raise ValidationFailed("Either refuse or flag.", field="outside_site")
            clean["outside_site"] = value
    for name in ("require_location", "kiosk_enabled"):
        if name in changes:
            with problems.check():
                clean[name] = _flag(changes[name], name)
    if "ip_allow_list" in changes:
        with problems.check():
            clean["ip_allow_list"] = clean_networks(changes["ip_allow_list"])
    if "forgotten_after_hours" in changes:
        with problems.check():
            clean["forgotten_after_hours"] = _bounded(changes["forgotten_after_hours"], "forgotten_after_hours",
                                                      1, 48, "hours")
    if "overtime_threshold_minutes" in changes:
        with problems.check():
            clean["overtime_threshold_minutes"] = _bounded(changes["overtime_threshold_minutes"],
                                                           "overtime_threshold_minutes", 0, 240, "minutes")
    return clean, list(problems)


def update_policy(actor, **changes) -> AttendancePolicy:
    require(actor, MANAGE)
    clean, problems = check_policy(changes)
    refuse_all(problems)
    with transaction.atomic():
        policy = policy_for(actor)
        policy = AttendancePolicy.objects.select_for_update().get(pk=policy.pk)
        changed = [name for name, value in clean.items() if getattr(policy, name) != value]
        for name, value in clean.items():
            setattr(policy, name, value)
        policy.save()
        if changed:
            audit.record(actor, "attendance.policy.updated", policy, target_label="Clocking policy",
                         fields=sorted(changed))
    return policy

"""Leave types and their policies: the system types (annual, sick, unpaid) every workspace has, and the
workspace's own. A system type keeps its code and cannot be archived, but its policy may change; a custom
type is archived (`active: false`), never deleted, because ledger entries and requests point at it.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from oorg.core import audit
from oorg.core.errors import Conflict, NotFound, Problems, ValidationFailed
from oorg.core.permissions import require

from ..defaults import ensure_types
from ..models import SYSTEM_CODES, LeaveType
from ..permissions import MANAGE, OWN

POLICY_FIELDS = ("name", "color", "paid", "accrual", "days_per_year", "prorate", "carry_over_max",
                 "carry_over_expires_months", "max_balance", "allow_negative", "min_notice_days",
                 "attachment_after_days", "half_days", "hr_approval", "position")
FIELDS = ("code", *POLICY_FIELDS, "active")
CODE = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,38}[a-z0-9])?$")
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


class LeaveTypeCodeTaken(Conflict):
    code = "code_taken"


# --- reading ---------------------------------------------------------------------------------------------------


def type_list(actor, *, active: bool | None = None):
    """Every leave type, system types first. The system types are created here when one is missing (a
    workspace made before leave existed, or one whose row was removed by hand): a cheap check of three codes."""
    if not (actor.can(OWN) or actor.can(MANAGE)):
        require(actor, OWN)
    codes = set(LeaveType.objects.filter(code__in=SYSTEM_CODES).values_list("code", flat=True))
    if len(codes) < len(SYSTEM_CODES):
        ensure_types(actor.workspace)
    queryset = LeaveType.objects.all()
    if active is not None:
        queryset = queryset.filter(active=active)
    return queryset.order_by("position", "name", "id")


def get_type(actor, leave_type_id) -> LeaveType:
    if not (actor.can(OWN) or actor.can(MANAGE)):
        require(actor, OWN)
    try:
        pk = int(leave_type_id)
    except (TypeError, ValueError):
        pk = None
    leave_type = LeaveType.objects.filter(pk=pk).first() if pk else None
    if leave_type is None:
        raise NotFound("No such leave type.")
    return leave_type


# --- checks ----------------------------------------------------------------------------------------------------


def _decimal(value, field: str, *, low: Decimal, high: Decimal, nullable: bool = False, label: str = "") -> \
        Decimal | None:
    if value is None or value == "":
        if nullable:
            return None
        raise ValidationFailed(f"Give {label or field}.", field=field, code="required")
    if isinstance(value, bool):
        raise ValidationFailed(f"{field} is a number.", field=field)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"{field} is a number.", field=field) from None
    if not number.is_finite() or number != number.quantize(Decimal("0.01")):
        raise ValidationFailed(f"{field} has at most 2 decimals.", field=field)
    if not low <= number <= high:
        raise ValidationFailed(f"{field} is from {low} to {high}.", field=field)
    return number.quantize(Decimal("0.01"))


def _integer(value, field: str, *, low: int, high: int, nullable: bool = False) -> int | None:
    if value is None or value == "":
        if nullable:
            return None
        raise ValidationFailed(f"Give {field}.", field=field, code="required")
    if isinstance(value, bool):
        raise ValidationFailed(f"{field} is a whole number.", field=field)
    try:
        number = int(str(value))
    except ValueError:
        raise ValidationFailed(f"{field} is a whole number.", field=field) from None
    if not low <= number <= high:
        raise ValidationFailed(f"{field} is from {low} to {high}.", field=field)
    return number


def _bool(value, field: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ValidationFailed(f"{field} is true or false.", field=field)


def clean_field(name: str, value):
    if name == "code":
        code = str(value or "").strip().lower()
        if not CODE.match(code):
            raise ValidationFailed("A code is 1 to 40 lowercase letters, digits, - or _ (like parental-leave).",
                                   field="code")
        return code
    if name == "name":
        text = " ".join(str(value or "").split())
        if not text:
            raise ValidationFailed("Give the leave type a name.", field="name", code="required")
        if len(text) > 80:
            raise ValidationFailed("A name has at most 80 characters.", field="name")
        return text
    if name == "color":
        text = str(value or "").strip()
        if not COLOR.match(text):
            raise ValidationFailed("A colour is #rrggbb, like #2563eb.", field="color")
        return text.lower()
    if name == "accrual":
        if value not in LeaveType.Accrual.values:
            raise ValidationFailed("accrual is yearly, monthly or none.", field="accrual")
        return value
    if name == "days_per_year":
        return _decimal(value, name, low=Decimal(0), high=Decimal(365))
    if name == "carry_over_max":
        return _decimal(value, name, low=Decimal(0), high=Decimal(365), nullable=True)
    if name == "max_balance":
        return _decimal(value, name, low=Decimal(0), high=Decimal(1000), nullable=True)
    if name == "carry_over_expires_months":
        return _integer(value, name, low=1, high=24, nullable=True)
    if name == "min_notice_days":
        return _integer(value, name, low=0, high=365)
    if name == "attachment_after_days":
        return _integer(value, name, low=0, high=365, nullable=True)
    if name == "position":
        return _integer(value, name, low=0, high=1000)
    if name in ("paid", "prorate", "allow_negative", "half_days", "hr_approval", "active"):
        return _bool(value, name)
    raise ValidationFailed(f"Unknown field {name}.", field=name)


def check_type(actor, leave_type: LeaveType | None, changes: dict, *, unchecked=()) -> list:
    """Every problem `changes` would be refused for (without saving): pages show them with shape errors."""
    problems = Problems(unchecked=unchecked)
    _clean(leave_type, changes, problems)
    return list(problems)


def _clean(leave_type: LeaveType | None, changes: dict, problems: Problems) -> dict:
    clean = {}
    for name, value in changes.items():
        if name in problems._unchecked:
            continue
        with problems.check():
            clean[name] = clean_field(name, value)
    if leave_type is None:
        for required in ("code", "name"):
            if required not in changes and not problems.about(required):
                problems.add(f"Give the leave type a {required}.", field=required)
    elif leave_type.is_system:
        if "code" in clean and clean["code"] != leave_type.code:
            problems.add(f"The code of the system type {leave_type.code} cannot change.", field="code")
        if clean.get("active") is False:
            problems.add(f"The system type {leave_type.name} cannot be archived.", field="active")
    if leave_type is None and clean.get("code") in SYSTEM_CODES:
        problems.add("This code belongs to a system type.", field="code")

    def value(name):
        return clean[name] if name in clean else getattr(leave_type, name, None)

    cap, carry = value("max_balance"), value("carry_over_max")
    if (cap is not None and carry is not None and carry > cap
            and not problems.about("max_balance", "carry_over_max")):
        problems.add("What is carried over cannot exceed the maximum balance.", field="carry_over_max")
    return clean


# --- writing ---------------------------------------------------------------------------------------------------


def create_type(actor, **values) -> LeaveType:
    require(actor, MANAGE)
    values = {k: v for k, v in values.items() if v is not None}  # not given: the model's default
    with Problems() as problems:
        clean = _clean(None, values, problems)
    if LeaveType.objects.filter(code=clean["code"]).exists():
        raise LeaveTypeCodeTaken(f"A leave type with the code {clean['code']} exists already.", field="code")
    try:
        with transaction.atomic():
            leave_type = LeaveType.objects.create(workspace_id=actor.workspace.pk, **clean)
            audit.record(actor, "leave.type.created", leave_type, code=leave_type.code)
    except IntegrityError:
        raise LeaveTypeCodeTaken(f"A leave type with the code {clean['code']} exists already.",
                                 field="code") from None
    return leave_type


def update_type(actor, leave_type: LeaveType, **changes) -> LeaveType:
    require(actor, MANAGE)
    with Problems() as problems:
        clean = _clean(leave_type, changes, problems)
    moved = [name for name, value in clean.items() if getattr(leave_type, name) != value]
    if not moved:
        return leave_type
    if "code" in moved and LeaveType.objects.filter(code=clean["code"]).exclude(pk=leave_type.pk).exists():
        raise LeaveTypeCodeTaken(f"A leave type with the code {clean['code']} exists already.", field="code")
    archived = "active" in moved and clean["active"] is False
    try:
        with transaction.atomic():
            for name in moved:
                setattr(leave_type, name, clean[name])
            leave_type.save(update_fields=moved)
            action = "leave.type.archived" if archived and moved == ["active"] else "leave.type.updated"
            audit.record(actor, action, leave_type, fields=moved)
    except IntegrityError:
        leave_type.refresh_from_db()
        raise LeaveTypeCodeTaken("A leave type with this code exists already.", field="code") from None
    return leave_type

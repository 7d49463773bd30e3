"""Kiosks: a shared office device whose page, behind a secret address, lets employees clock in and out with
their employee code and a personal PIN.

The address's key is random (32 bytes, URL-safe); only its SHA-256 is stored to find the kiosk, and the key is
kept sealed (core.crypto) so an admin can show the address again. Rotating it makes the old address answer 404.
Finding a kiosk by its key crosses workspaces (the key is what names the workspace), like crm's web forms.

A PIN is 4 to 8 digits, stored as a password hash (Argon2). Every PIN check goes through the throttle first
(`reserve`): 5 wrong tries per kiosk and employee code within 15 minutes, and 50 wrong tries per kiosk within an
hour, then 429 even for the right PIN. A wrong code and a wrong PIN get the same answer.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from oorg.accounts.guard import secret_check
from oorg.core import audit, crypto, ratelimit
from oorg.core.errors import AuthenticationFailed, NotFound, Problems, Throttled, ValidationFailed
from oorg.core.models import RateEvent
from oorg.core.permissions import require
from oorg.org.models import Branch, Employee

from ..models import Kiosk, KioskPin
from ..permissions import MANAGE, OWN
from ..scopes import require_own_employee
from .policy import policy_for

CODE_LIMIT = (5, timedelta(minutes=15))  # wrong PINs per kiosk and employee code
KIOSK_LIMIT = (50, timedelta(hours=1))  # wrong PINs per kiosk
TRIVIAL_PINS = {"1234", "12345", "123456", "1234567", "12345678", "4321", "654321", "87654321", "1212", "2580",
                "0852", "1122", "6969", "1004", "2000", "1111"}
FIELDS = ("name", "branch_id", "active")


class WrongPin(AuthenticationFailed):
    code = "wrong_pin"
    message = "The employee code or the PIN is not right."


# --- keys and addresses -----------------------------------------------------------------------------------


def new_key() -> str:
    return secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def public_url(kiosk: Kiosk) -> str:
    from django.urls import reverse

    try:
        key = crypto.decrypt(kiosk.key_sealed)
    except Exception:  # noqa: BLE001  a key sealed under a retired secret: rotate it to get an address again
        return ""
    return settings.BASE_URL.rstrip("/") + reverse("attendance-public:kiosk", kwargs={"key": key})


def kiosk_by_key(key: str) -> Kiosk | None:
    """The active kiosk at /kiosk/<key>/, in any workspace, when its workspace has kiosks enabled."""
    if not key or len(key) > 100:
        return None
    kiosk = (Kiosk.objects.unscoped().filter(key_hash=key_hash(key), active=True)
             .select_related("workspace", "branch").first())
    if kiosk is None:
        return None
    from oorg.core.tenancy import workspace_scope

    with workspace_scope(kiosk.workspace_id):
        if not policy_for(kiosk.workspace).kiosk_enabled:
            return None
    return kiosk


# --- managing kiosks ----------------------------------------------------------------------------------------


def kiosk_list(actor):
    require(actor, MANAGE)
    return Kiosk.objects.select_related("branch").order_by("name", "pk")


def get_kiosk(actor, kiosk_id) -> Kiosk:
    require(actor, MANAGE)
    kiosk = Kiosk.objects.filter(pk=kiosk_id).select_related("branch").first()
    if kiosk is None:
        raise NotFound("No such kiosk.")
    return kiosk


def _clean(values: dict, kiosk: Kiosk | None) -> dict:
    clean = {}
    with Problems() as problems:
        for name in set(values) - set(FIELDS):
            problems.add(ValidationFailed("Not a field of a kiosk.", field=name, code="unknown_field"))
        if "name" in values or kiosk is None:
            name = str(values.get("name") or "").strip()
            if not name:
                problems.add(ValidationFailed("Give the kiosk a name.", field="name", code="required"))
            elif len(name) > 80:
                problems.add("A name has at most 80 characters.", field="name")
            elif "\x00" in name:  # no text column holds one (PostgreSQL refuses it)
                problems.add("A name cannot hold a null character.", field="name")
            clean["name"] = name
        if values.get("branch_id") not in (None, ""):
            try:
                pk = int(values["branch_id"])
            except (TypeError, ValueError):
                pk = None
            branch = Branch.objects.filter(pk=pk).first() if pk else None
            if branch is None:
                problems.add(ValidationFailed("No such branch.", field="branch_id", code="not_found"))
            clean["branch"] = branch
        elif "branch_id" in values:
            clean["branch"] = None
        if "active" in values:
            if not isinstance(values["active"], bool):
                problems.add("Yes or no (true or false).", field="active")
            clean["active"] = bool(values["active"])
    return clean


def check_kiosk(values: dict, kiosk: Kiosk | None = None) -> list:
    try:
        _clean(values, kiosk)
    except ValidationFailed as exc:
        return exc.problems
    return []


def create_kiosk(actor, **values) -> tuple[Kiosk, str]:
    """The kiosk and its address (shown now, and on its page later)."""
    require(actor, MANAGE)
    clean = _clean(values, None)
    key = new_key()
    with transaction.atomic():
        kiosk = Kiosk.objects.create(workspace_id=actor.workspace.pk, key_hash=key_hash(key),
                                     key_sealed=crypto.encrypt(key), **clean)
        audit.record(actor, "attendance.kiosk.created", kiosk, target_label=kiosk.name)
    return kiosk, public_url(kiosk)


def update_kiosk(actor, kiosk: Kiosk, **changes) -> Kiosk:
    require(actor, MANAGE)
    clean = _clean(changes, kiosk)
    changed = sorted(name for name, value in clean.items() if getattr(kiosk, name) != value)
    if changed:
        with transaction.atomic():
            for name, value in clean.items():
                setattr(kiosk, name, value)
            kiosk.save()
            audit.record(actor, "attendance.kiosk.updated", kiosk, target_label=kiosk.name, fields=changed)
    return kiosk


def rotate_kiosk_key(actor, kiosk: Kiosk) -> tuple[Kiosk, str]:
    """A new address; the old one answers 404 from now on."""
    require(actor, MANAGE)
    key = new_key()
    with transaction.atomic():
        kiosk.key_hash, kiosk.key_sealed = key_hash(key), crypto.encrypt(key)
        kiosk.save(update_fields=["key_hash", "key_sealed"])
        audit.record(actor, "attendance.kiosk.key_rotated", kiosk, target_label=kiosk.name)
    return kiosk, public_url(kiosk)


def delete_kiosk(actor, kiosk: Kiosk) -> None:
    require(actor, MANAGE)
    with transaction.atomic():
        audit.record(actor, "attendance.kiosk.deleted", kiosk, target_label=kiosk.name)
        kiosk.delete()


# --- PINs ---------------------------------------------------------------------------------------------------


def clean_pin(pin, field: str = "pin") -> str:
    pin = str(pin or "").strip()
    if not re.fullmatch(r"[0-9]{4,8}", pin):
        raise ValidationFailed("A PIN is 4 to 8 digits.", field=field)
    if len(set(pin)) == 1 or pin in TRIVIAL_PINS or pin in "0123456789" or pin in "9876543210":
        raise ValidationFailed("This PIN is too easy to guess (like 0000 or 1234). Choose another.", field=field,
                               code="trivial_pin")
    return pin


def _store_pin(actor, employee: Employee, pin: str) -> None:
    with transaction.atomic():
        KioskPin.objects.update_or_create(employee=employee, defaults={
            "workspace_id": actor.workspace.pk, "pin_hash": make_password(pin)})
        audit.record(actor, "attendance.pin.set", employee, target_label=employee.full_name, employee_id=employee.pk)


def set_pin(actor, employee: Employee, *, pin) -> None:
    require(actor, MANAGE)
    _store_pin(actor, employee, clean_pin(pin))


def set_my_pin(actor, *, pin, password=None) -> None:
    """One's own PIN; with `password`, it is checked first (through the sign-in throttle)."""
    require(actor, OWN)
    employee = require_own_employee(actor)
    pin = clean_pin(pin)
    if password is not None:
        from oorg.accounts import services as accounts

        try:
            accounts.check_password(email=actor.user.email, password=str(password))
        except AuthenticationFailed:
            raise ValidationFailed("The password is not right.", field="password", code="wrong_password") from None
    _store_pin(actor, employee, pin)


def clear_pin(actor, employee: Employee) -> None:
    require(actor, MANAGE)
    with transaction.atomic():
        deleted, _ = KioskPin.objects.filter(employee=employee).delete()
        if deleted:
            audit.record(actor, "attendance.pin.cleared", employee, target_label=employee.full_name,
                         employee_id=employee.pk)


def has_pin(employee: Employee) -> bool:
    return KioskPin.objects.filter(employee=employee).exists()


# --- the throttled PIN check ---------------------------------------------------------------------------------


def _rate_key(*parts) -> str:
    message = ":".join(["attendance.kiosk", *(str(p).lower() for p in parts)]).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


class Reservation:
    def __init__(self, code_key: str, event_ids: list[int]):
        self.code_key, self.event_ids = code_key, event_ids

    def passed(self) -> None:
        """The PIN was right: this try is not a failure, and the code's count starts again."""
        RateEvent.objects.filter(pk__in=self.event_ids).delete()
        RateEvent.objects.filter(key=self.code_key).delete()


def reserve(kiosk: Kiosk, code: str) -> Reservation:
    """Count-and-decide in one locked transaction, like accounts.guard.reserve: 429 when the kiosk and code, or
    the kiosk, has too many recent wrong PINs; otherwise this try is counted as wrong until it passes."""
    code_key, kiosk_key = _rate_key(kiosk.pk, "code", code), _rate_key(kiosk.pk)
    with transaction.atomic():
        ratelimit.lock(f"kiosk:{code_key}", f"kiosk:{kiosk_key}")
        now = timezone.now()
        for key, (count, window) in ((code_key, CODE_LIMIT), (kiosk_key, KIOSK_LIMIT)):
            recent = RateEvent.objects.filter(key=key, at__gt=now - window)
            if recent.count() >= count:
                oldest = recent.order_by("at").values_list("at", flat=True).first()
                raise Throttled("Too many wrong PINs. Wait a while and try again, or ask HR.",
                                retry_after=max(1, int((oldest + window - now).total_seconds())))
        events = [RateEvent.objects.create(key=code_key, at=now), RateEvent.objects.create(key=kiosk_key, at=now)]
    RateEvent.objects.filter(at__lt=now - timedelta(days=1)).delete()
    return Reservation(code_key, [e.pk for e in events])


DUMMY_HASH = None


def _dummy_hash() -> str:
    global DUMMY_HASH
    if DUMMY_HASH is None:
        DUMMY_HASH = make_password("00000000-no-pin")
    return DUMMY_HASH


@secret_check("a kiosk PIN with an employee code (per kiosk and code, and per kiosk)")
def check_pin(kiosk: Kiosk, *, code, pin) -> Employee:
    """The employee with this code and PIN, inside the kiosk's workspace scope; WrongPin (401) for a wrong code
    or PIN alike, Throttled (429) after too many."""
    code = str(code or "").replace("\x00", "").strip()[:40]
    pin = str(pin or "").strip()[:40]
    attempt = reserve(kiosk, code)
    employee = Employee.objects.filter(code__iexact=code).select_related("branch").first() if code else None
    stored = (KioskPin.objects.filter(employee=employee).values_list("pin_hash", flat=True).first()
              if employee else None)
    ok = check_password(pin, stored or _dummy_hash()) and stored is not None and bool(pin)
    if employee is not None and employee.is_terminated:
        ok = False
    if not ok:
        raise WrongPin()
    attempt.passed()
    return employee

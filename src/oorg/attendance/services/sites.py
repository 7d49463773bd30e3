"""Allowed sites: a point and a radius where one may clock in, owned by a branch (everyone there) or by one
employee (several each). Managed with attendance.manage; read by clocking (services/clocking.allowed_sites)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction

from oorg.core import audit
from oorg.core.errors import NotFound, Problems, ValidationFailed
from oorg.core.permissions import require
from oorg.org.models import Branch, Employee

from ..models import Site
from ..permissions import MANAGE

FIELDS = ("name", "branch_id", "employee_id", "latitude", "longitude", "radius_m")
MIN_RADIUS, MAX_RADIUS = 10, 10_000


def site_list(actor, *, branch_id=None, employee_id=None):
    require(actor, MANAGE)
    queryset = Site.objects.select_related("branch", "employee")
    if branch_id is not None:
        queryset = queryset.filter(branch_id=branch_id)
    if employee_id is not None:
        queryset = queryset.filter(employee_id=employee_id)
    return queryset.order_by("name", "pk")


def get_site(actor, site_id) -> Site:
    require(actor, MANAGE)
    site = Site.objects.filter(pk=site_id).select_related("branch", "employee").first()
    if site is None:
        raise NotFound("No such site.")
    return site


def _number(value, field: str, low, high, message: str) -> Decimal:
    if value in (None, "") or isinstance(value, bool):
        raise ValidationFailed(message, field=field, code="required" if value in (None, "") else None)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(message, field=field) from None
    if not number.is_finite() or not low <= number <= high:
        raise ValidationFailed(message, field=field)
    return number


def _owner(values: dict, site: Site | None, problems: Problems) -> dict:
    """Exactly one of branch_id / employee_id, each resolved in the workspace (422 naming it otherwise)."""
    branch_id = values.get("branch_id", site.branch_id if site and "employee_id" not in values else None)
    employee_id = values.get("employee_id", site.employee_id if site and "branch_id" not in values else None)
    if branch_id in ("",):
        branch_id = None
    if employee_id in ("",):
        employee_id = None
    if (branch_id is None) == (employee_id is None):
        problems.add("Give exactly one of branch_id (everyone there) or employee_id (one person).",
                     field="branch_id" if "branch_id" in values or employee_id is None else "employee_id")
        return {}
    model, field, value = (Branch, "branch_id", branch_id) if branch_id is not None else (
        Employee, "employee_id", employee_id)
    try:
        pk = int(value)
    except (TypeError, ValueError):
        pk = None
    row = model.objects.filter(pk=pk).first() if pk else None
    if row is None:
        problems.add(ValidationFailed(f"No such {model._meta.verbose_name}.", field=field, code="not_found"))
        return {}
    return {"branch": row, "employee": None} if model is Branch else {"employee": row, "branch": None}


def _clean(values: dict, site: Site | None) -> dict:
    clean = {}
    with Problems() as problems:
        for name in set(values) - set(FIELDS):
            problems.add(ValidationFailed("Not a field of a site.", field=name, code="unknown_field"))
        if "name" in values or site is None:
            name = str(values.get("name") or "").strip()
            if not name:
                problems.add(ValidationFailed("Give the site a name.", field="name", code="required"))
            elif len(name) > 120:
                problems.add("A name has at most 120 characters.", field="name")
            elif "\x00" in name:  # no text column holds one (PostgreSQL refuses it)
                problems.add("A name cannot hold a null character.", field="name")
            clean["name"] = name
        if "latitude" in values or site is None:
            with problems.check():
                clean["latitude"] = _number(values.get("latitude"), "latitude", -90, 90,
                                            "The latitude is a number from -90 to 90.").quantize(Decimal("0.000001"))
        if "longitude" in values or site is None:
            with problems.check():
                clean["longitude"] = _number(values.get("longitude"), "longitude", -180, 180,
                                             "The longitude is a number from -180 to 180.").quantize(
                                                 Decimal("0.000001"))
        if "radius_m" in values or site is None:
            with problems.check():
                radius = values.get("radius_m", 150 if site is None else None)
                number = _number(radius, "radius_m", MIN_RADIUS, MAX_RADIUS,
                                 f"The radius is a whole number of metres from {MIN_RADIUS} to {MAX_RADIUS}.")
                if number != number.to_integral_value():
                    raise ValidationFailed("The radius is a whole number of metres.", field="radius_m")
                clean["radius_m"] = int(number)
        if "branch_id" in values or "employee_id" in values or site is None:
            clean.update(_owner(values, site, problems))
    return clean


def check_site(values: dict, site: Site | None = None) -> list:
    try:
        _clean(values, site)
    except ValidationFailed as exc:
        return exc.problems
    return []


def create_site(actor, **values) -> Site:
    require(actor, MANAGE)
    clean = _clean(values, None)
    with transaction.atomic():
        site = Site.objects.create(workspace_id=actor.workspace.pk, **clean)
        audit.record(actor, "attendance.site.created", site, target_label=site.name, **_described(site))
    return site


def update_site(actor, site: Site, **changes) -> Site:
    require(actor, MANAGE)
    clean = _clean(changes, site)
    changed = sorted(name for name, value in clean.items() if getattr(site, name) != value)
    if not changed:
        return site
    with transaction.atomic():
        for name, value in clean.items():
            setattr(site, name, value)
        site.save()
        audit.record(actor, "attendance.site.updated", site, target_label=site.name, fields=changed)
    return site


def delete_site(actor, site: Site) -> None:
    require(actor, MANAGE)
    with transaction.atomic():
        audit.record(actor, "attendance.site.deleted", site, target_label=site.name, **_described(site))
        site.delete()


def _described(site: Site) -> dict:
    return {"branch_id": site.branch_id, "employee_id": site.employee_id, "radius_m": site.radius_m}

"""Field rules shared by every CRM service and the importer: each cleaner returns the stored value or raises
ValidationFailed naming the field, so a bad value reads the same from the API, a form or a spreadsheet row.
Emails, phones and domains are stored normalised: that is what duplicate matching compares."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from oorg.core.errors import ValidationFailed, describe_choices
from oorg.core.models import Membership
from oorg.org import validation as org_validation

from .permissions import ASSIGN

TAG = re.compile(r"^[\w][\w .&+-]{0,39}$")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_TAGS = 20
MAX_AMOUNT = Decimal("9999999999999999.99")


def clean_text(value, field: str, *, max_length: int, required: bool = False, label: str | None = None) -> str:
    text = " ".join(str(value or "").split())
    name = label or field.replace("_", " ").capitalize()
    if required and not text:
        raise ValidationFailed(f"{name} is required.", field=field, code="required")
    if len(text) > max_length:
        raise ValidationFailed(f"{name} has at most {max_length} characters.", field=field)
    return text


def clean_email(value, field: str = "email") -> str:
    return org_validation.clean_email(value, field) if str(value or "").strip() else ""


def clean_phone(value, field: str = "phone", *, country: str = "") -> str:
    """E.164 ("+4930123456"); a number without a country code is read in the workspace's country."""
    return org_validation.clean_phone(value, field, country=country) if str(value or "").strip() else ""


def clean_domain(value, field: str = "domain") -> str:
    """"https://www.Example.com/about" -> "example.com"."""
    raw = str(value or "").strip().lower()
    if not raw:
        return ""
    host = urlsplit(raw if "//" in raw else f"//{raw}").hostname or ""
    if "@" in raw and "//" not in raw:
        host = raw.rsplit("@", 1)[1]
    host = host.removeprefix("www.").rstrip(".")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        host = ""
    if not DOMAIN.match(host):
        raise ValidationFailed(f"{value!r} is not a domain name (like example.com).", field=field)
    return host


def domain_of_email(email: str) -> str:
    return email.rsplit("@", 1)[1] if "@" in email else ""


def clean_tags(value, field: str = "tags") -> list[str]:
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ValidationFailed("Tags are a list of words.", field=field)
    tags = sorted({" ".join(str(t).split()).lower() for t in items if str(t).strip()})
    bad = [t for t in tags if not TAG.match(t)]
    if bad:
        raise ValidationFailed(f"A tag has 1 to 40 letters, digits, spaces or . & + -: {bad[0]!r}.", field=field)
    if len(tags) > MAX_TAGS:
        raise ValidationFailed(f"A record has at most {MAX_TAGS} tags.", field=field)
    return tags


def clean_choice(value, field: str, choices) -> str:
    text = str(value or "").strip()
    if text not in choices.values:
        raise ValidationFailed(f"Choose one of {describe_choices(choices)}.", field=field)
    return text


def clean_owner(actor, owner_id, field: str = "owner_id") -> Membership | None:
    """An active member of the workspace. Giving a record to someone else needs crm.records.assign."""
    if owner_id in (None, ""):
        return None
    try:
        owner_id = int(owner_id)
    except (TypeError, ValueError):
        raise ValidationFailed("Choose a member of the workspace as owner.", field=field) from None
    member = Membership.objects.filter(pk=owner_id, is_active=True).select_related("user").first()
    if member is None:
        raise ValidationFailed("Choose an active member of the workspace as owner.", field=field)
    if member.pk != getattr(actor.membership, "pk", None) and not actor.is_system and not actor.can(ASSIGN):
        raise ValidationFailed("Your role lets you own records, not give them to others.", field=field,
                               code="not_allowed")
    return member


def clean_amount(value, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", "")) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        raise ValidationFailed("An amount is a number like 1200.50.", field=field) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed("An amount is 0 or more, with at most 2 decimals.", field=field)
    return amount.quantize(Decimal("0.01"))


def clean_currency(value, field: str = "currency") -> str:
    import pycountry

    code = str(value or "").strip().upper()
    if not CURRENCY.match(code) or pycountry.currencies.get(alpha_3=code) is None:
        raise ValidationFailed(f"{value!r} is not an ISO 4217 currency code (like EUR or USD).", field=field)
    return code


def clean_date(value, field: str) -> dt.date | None:
    return org_validation.clean_date(value, field)

"""Field rules shared by the services and the importer: each cleaner returns the stored value or raises
ValidationFailed naming the field, so a bad value reads the same from the API, a form or a spreadsheet row."""
from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from functools import cache

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from oorg.core.errors import ValidationFailed

from .models import WEEKDAYS, Employee

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$")


@cache
def time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def clean_text(value, field: str, *, max_length: int, required: bool = False) -> str:
    text = " ".join(str(value or "").split()) if field not in ("home_address", "address") else str(value or "").strip()
    if required and not text:
        raise ValidationFailed(f"{field.replace('_', ' ').capitalize()} is required.", field=field)
    if len(text) > max_length:
        raise ValidationFailed(f"{field.replace('_', ' ').capitalize()} has at most {max_length} characters.",
                               field=field)
    return text


def clean_code(value) -> str:
    code = str(value or "").strip()
    if isinstance(value, float) and value.is_integer():  # a spreadsheet turned "1042" into 1042.0
        code = str(int(value))
    if not CODE_PATTERN.match(code):
        raise ValidationFailed("An employee code has 1 to 32 letters, digits, '.', '_', '-' or '/'.", field="code")
    return code


def clean_email(value, field: str = "work_email") -> str:
    email = str(value or "").strip().lower()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationFailed(f"{email!r} is not a valid email address.", field=field) from None
    return email


def clean_phone(value, field: str = "phone", *, country: str = "") -> str:
    """Stored as E.164. Numbers without a +country prefix are read in the branch's country."""
    raw = str(value or "").strip()
    if isinstance(value, float) and value.is_integer():
        raw = str(int(value))
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, country.upper() or None)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number) or not phonenumbers.is_valid_number(number):
        hint = "" if country or raw.startswith("+") else " Start it with + and the country code."
        raise ValidationFailed(f"{raw!r} is not a valid phone number.{hint}", field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_date(value, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed(f"{value!r} is not a date; write it as YYYY-MM-DD.", field=field) from None


def clean_choice(value, field: str, choices) -> str:
    text = str(value or "").strip().lower().replace(" ", "_").replace("-", "_")
    if text not in choices.values:
        raise ValidationFailed(f"{field.replace('_', ' ').capitalize()} must be one of: {', '.join(choices.values)}.",
                               field=field)
    return text


def clean_dates(start: dt.date | None, end: dt.date | None, birth: dt.date | None = None) -> None:
    if start and end and end < start:
        raise ValidationFailed("The end date is before the start date.", field="end_date")
    if birth and not (dt.date(1900, 1, 1) <= birth <= dt.date.today()):
        raise ValidationFailed("The birth date must be between 1900 and today.", field="birth_date")


def clean_time_zone(value) -> str:
    name = str(value or "").strip()
    if name not in time_zones():
        raise ValidationFailed(f"{name!r} is not an IANA time zone such as Europe/Berlin.", field="time_zone")
    return name


def clean_country(value) -> str:
    code = str(value or "").strip().upper()
    if code and code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationFailed(f"{code!r} is not a two-letter country code such as DE or US.", field="country")
    return code


def clean_working_days(days) -> list[str]:
    days = [str(d).strip().lower()[:3] for d in days or []]
    unknown = [d for d in days if d not in WEEKDAYS]
    if unknown:
        raise ValidationFailed(f"Working days are among {', '.join(WEEKDAYS)}.", field="working_days")
    return [d for d in WEEKDAYS if d in days]


def clean_hours(starts: dt.time, ends: dt.time) -> None:
    if ends <= starts:
        raise ValidationFailed("Work ends after it starts.", field="work_ends")


EMPLOYEE_TEXT_LIMITS = {"full_name": 150, "job_title": 120, "home_address": 500, "emergency_contact_name": 150}
STATUS = Employee.Status
EMPLOYMENT_TYPE = Employee.EmploymentType

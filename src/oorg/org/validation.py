"""Field rules shared by the services and the importer: each cleaner returns the stored value or raises
ValidationFailed naming the field, so a bad value reads the same from the API, a form or a spreadsheet row.
The services run them inside core.errors.Problems, so every bad field of a request is reported at once.
Choices are named by their labels (with their codes, for API clients); countries and time zones are
exactly what the pages' pickers offer (core.places)."""
from __future__ import annotations

import datetime as dt
import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from oorg.core.errors import Problems, ValidationFailed, describe_choices
from oorg.core.places import countries, time_zone_names

from .models import WEEKDAYS, Employee

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$")
WEEKDAY_LABELS = {"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday", "fri": "Friday",
                  "sat": "Saturday", "sun": "Sunday"}


def _key(text: str) -> str:
    return text.strip().lower().replace(" ", "_").replace("-", "_")


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
        read_in_country = country.upper() in phonenumbers.SUPPORTED_REGIONS
        hint = "" if read_in_country or raw.startswith("+") else " Start it with + and the country code."
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
    """A choice by its code or its label ("full_time", "Full-time", "full time"); refused with every label."""
    text = str(value or "").strip()
    by_key = {_key(code): code for code in choices.values} | {_key(str(label)): code for code, label in choices.choices}
    if _key(text) not in by_key:
        raise ValidationFailed(f"{field.replace('_', ' ').capitalize()} must be one of: {describe_choices(choices)}"
                               f"{f'; not {text!r}' if text else ''}.", field=field)
    return by_key[_key(text)]


def clean_dates(start: dt.date | None, end: dt.date | None, birth: dt.date | None = None) -> None:
    """Both problems at once when both dates are wrong; pass None for a date that is not known."""
    with Problems() as problems:
        if start and end and end < start:
            problems.add("The end date is before the start date.", field="end_date")
        if birth and not (dt.date(1900, 1, 1) <= birth <= dt.date.today()):
            problems.add("The birth date must be between 1900 and today.", field="birth_date")


def clean_time_zone(value) -> str:
    """An IANA zone the time zone picker offers (UTC or Region/City; not old aliases such as US/Eastern)."""
    name = str(value or "").strip()
    if name not in time_zone_names():
        raise ValidationFailed(f"{name!r} is not a time zone we offer; choose a Region/City name such as "
                               "Europe/Berlin or America/New_York, or UTC.", field="time_zone")
    return name


def clean_country(value) -> str:
    """An ISO 3166-1 alpha-2 code, as the country picker sends it ("" for none)."""
    code = str(value or "").strip().upper()
    if code and code not in countries():
        raise ValidationFailed(f"{code!r} is not an ISO 3166-1 two-letter country code, such as DE (Germany) or "
                               "US (United States).", field="country")
    return code


def clean_working_days(days) -> list[str]:
    days = [str(d).strip().lower()[:3] for d in days or []]
    unknown = [d for d in days if d not in WEEKDAYS]
    if unknown:
        raise ValidationFailed(f"Working days are among: {describe_choices(WEEKDAY_LABELS.items())}.",
                               field="working_days")
    return [d for d in WEEKDAYS if d in days]


def clean_hours(starts: dt.time, ends: dt.time) -> None:
    if ends <= starts:
        raise ValidationFailed("Work ends after it starts.", field="work_ends")


FIELD_LABELS = {  # an employee's fields as people read them (messages name a field by its label)
    "code": "Employee code", "full_name": "Full name", "work_email": "Work email", "phone": "Phone",
    "job_title": "Job title", "department": "Department", "branch": "Branch", "manager": "Manager",
    "employment_type": "Employment type", "start_date": "Start date", "end_date": "End date", "status": "Status",
    "member": "Workspace account", "photo": "Photo", "birth_date": "Birth date", "home_address": "Home address",
    "emergency_contact_name": "Emergency contact", "emergency_contact_phone": "Emergency contact phone",
}
SELF_SERVICE_LABELS = {
    "phone": "Work phone", "photo": "Photo", "birth_date": "Birth date", "home_address": "Home address",
    "emergency_contact_name": "Emergency contact name", "emergency_contact_phone": "Emergency contact phone",
}
EMPLOYEE_TEXT_LIMITS = {"full_name": 150, "job_title": 120, "home_address": 500, "emergency_contact_name": 150}
STATUS = Employee.Status
EMPLOYMENT_TYPE = Employee.EmploymentType

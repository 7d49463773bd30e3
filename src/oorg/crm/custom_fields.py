"""Custom field values: checked against the workspace's definitions, filtered with `?cf.<name>=...`.

Values live in each record's `custom_fields` JSON column as their JSON type (a number as a number, a date as
"YYYY-MM-DD", several choices as a list), so a filter compares like with like on both databases. A bad value
is refused naming `custom_fields.<name>`, every bad value of a request at once.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Q

from oorg.core.errors import Problems, ValidationFailed

from .models import CustomField

Type = CustomField.Type
MAX_TEXT = 1000
FILTER_PREFIX = "cf."


def definitions(entity: str) -> dict[str, CustomField]:
    return {f.name: f for f in CustomField.objects.filter(entity=entity).order_by("position", "id")}


def _number(value, where: str):
    if isinstance(value, bool):
        raise ValidationFailed("A number is expected.", field=where)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationFailed(f"{value!r} is not a number.", field=where) from None
    if not number.is_finite() or abs(number) >= Decimal("1e15"):
        raise ValidationFailed(f"{value!r} is not a number we can store.", field=where)
    return int(number) if number == number.to_integral_value() else float(number)


def clean_value(definition: CustomField, value, where: str):
    """The stored JSON value of one field, or None for "no value"."""
    if value is None or value == "" or value == []:
        return None
    kind = definition.type
    if kind == Type.TEXT:
        text = str(value).strip()
        if len(text) > MAX_TEXT:
            raise ValidationFailed(f"{definition.label} has at most {MAX_TEXT} characters.", field=where)
        return text
    if kind == Type.NUMBER:
        return _number(value, where)
    if kind == Type.DATE:
        try:
            return (value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value).strip())).isoformat()
        except ValueError:
            raise ValidationFailed(f"{value!r} is not a date; write it as YYYY-MM-DD.", field=where) from None
    if kind == Type.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "1", "on"):
            return True
        if text in ("false", "no", "0", "off"):
            return False
        raise ValidationFailed("Answer true or false.", field=where)
    if kind == Type.URL:
        text = str(value).strip()
        try:
            URLValidator(schemes=["http", "https"])(text)
        except ValidationError:
            raise ValidationFailed(f"{text!r} is not a web address (https://...).", field=where) from None
        return text
    if kind == Type.CHOICE:
        text = str(value).strip()
        if text not in definition.choices:
            raise ValidationFailed(f"Choose one of: {', '.join(definition.choices)}.", field=where)
        return text
    if kind == Type.MULTI_CHOICE:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            raise ValidationFailed("A list of choices is expected.", field=where)
        chosen = [str(v).strip() for v in items if str(v).strip()]
        unknown = [v for v in chosen if v not in definition.choices]
        if unknown:
            raise ValidationFailed(f"{unknown[0]!r} is not one of: {', '.join(definition.choices)}.", field=where)
        return [c for c in definition.choices if c in chosen]  # in the definition's order, once each
    raise ValidationFailed(f"Unknown field type {kind!r}.", field=where)


def clean_values(entity: str, values, *, current: dict | None = None, problems: Problems | None = None,
                 defs: dict[str, CustomField] | None = None) -> dict:
    """The record's new `custom_fields`: `current` updated with `values` (a partial change keeps the rest).
    Unknown names and bad values are each a problem; a required field left empty is one too.
    Pass `problems` to add to a caller's collection, `defs` to reuse definitions read once (an import)."""
    defs = definitions(entity) if defs is None else defs
    result = dict(current or {})
    own = problems is None
    problems = Problems() if own else problems
    if values is not None and not isinstance(values, dict):
        problems.add(ValidationFailed("custom_fields is an object of field names and values.",
                                      field="custom_fields"))
        values = {}
    for name, value in (values or {}).items():
        where = f"custom_fields.{name}"
        definition = defs.get(name)
        if definition is None:
            known = ", ".join(defs) or "none yet"
            problems.add(ValidationFailed(f"No custom field {name!r} on this kind of record (fields: {known}).",
                                          field=where, code="unknown_field"))
            continue
        with problems.check():
            cleaned = clean_value(definition, value, where)
            if cleaned is None:
                result.pop(name, None)
            else:
                result[name] = cleaned
    for name, definition in defs.items():
        if definition.required and result.get(name) in (None, "", []) and not problems.about(f"custom_fields.{name}"):
            problems.add(ValidationFailed(f"{definition.label} is required.", field=f"custom_fields.{name}",
                                          code="required"))
    if own:
        problems.raise_if_any()
    return {name: result[name] for name in result if name in defs}


def filters(entity: str, params: dict) -> Q:
    """`?cf.<name>=value` for each custom field named in the query string: equal values (case-insensitive
    for text; "has this one" for several choices)."""
    wanted = {k[len(FILTER_PREFIX):]: v for k, v in params.items() if k.startswith(FILTER_PREFIX)}
    if not wanted:
        return Q()
    defs = definitions(entity)
    condition = Q()
    with Problems() as problems:
        for name, raw in wanted.items():
            definition = defs.get(name)
            where = f"cf.{name}"
            if definition is None:
                problems.add(ValidationFailed(f"No custom field {name!r} to filter by.", field=where))
                continue
            with problems.check():
                if definition.type == Type.MULTI_CHOICE:
                    (value,) = clean_value(definition, [raw], where) or [None]
                    condition &= Q(**{f"custom_fields__{name}__icontains": f'"{value}"'})
                elif definition.type == Type.TEXT:
                    condition &= Q(**{f"custom_fields__{name}__iexact": str(raw).strip()})
                else:
                    condition &= Q(**{f"custom_fields__{name}": clean_value(definition, raw, where)})
    return condition

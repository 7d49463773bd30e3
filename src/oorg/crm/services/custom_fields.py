"""Custom field definitions: what extra fields each kind of record has (crm/custom_fields.py checks values).

A definition's entity, name and type never change (stored values are read by them); removing a choice some
records still hold is refused (409, naming how many), and deleting a definition leaves stored values in place,
ignored from then on (clean_values keeps only defined names).
"""
from __future__ import annotations

import re

from django.db import transaction
from django.db.models import Max

from oorg.core import audit
from oorg.core.errors import Conflict, Problems, ValidationFailed, describe_choices
from oorg.core.permissions import Actor, require

from .. import scopes
from ..models import ENTITIES, Company, Contact, CustomField, Deal, Lead
from ..permissions import SETTINGS

NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_CHOICES = 100
MODELS = {"lead": Lead, "contact": Contact, "company": Company, "deal": Deal}
WITH_CHOICES = (CustomField.Type.CHOICE, CustomField.Type.MULTI_CHOICE)
FIELDS = ("entity", "name", "label", "type", "choices", "required", "position")


def custom_fields_of(actor: Actor, entity: str | None = None):
    """Everyone who sees CRM records may read the definitions: their forms need them."""
    scopes.require_scope(actor)
    queryset = CustomField.objects.all()
    if entity:
        if entity not in ENTITIES:
            raise ValidationFailed(f"entity is one of {', '.join(ENTITIES)}.", field="entity")
        queryset = queryset.filter(entity=entity)
    return queryset.order_by("entity", "position", "id")


def get_custom_field(actor: Actor, field_id: int) -> CustomField:
    from oorg.core.errors import NotFound

    scopes.require_scope(actor)
    field = CustomField.objects.filter(pk=field_id).first()
    if field is None:
        raise NotFound("No such custom field.")
    return field


def _clean_choices(value) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise ValidationFailed("choices is a list of words.", field="choices")
    choices = [" ".join(str(c).split()) for c in value]
    if any(not c or len(c) > 80 for c in choices):
        raise ValidationFailed("Each choice has 1 to 80 characters.", field="choices")
    if len(set(choices)) != len(choices):
        raise ValidationFailed("Each choice appears once.", field="choices")
    if len(choices) > MAX_CHOICES:
        raise ValidationFailed(f"A field has at most {MAX_CHOICES} choices.", field="choices")
    return choices


def in_use(field: CustomField, choice: str) -> int:
    """How many records hold `choice` in this field (one COUNT over the workspace's records of its kind)."""
    model = MODELS[field.entity]
    if field.type == CustomField.Type.MULTI_CHOICE:
        return model.objects.filter(**{f"custom_fields__{field.name}__icontains": f'"{choice}"'}).count()
    return model.objects.filter(**{f"custom_fields__{field.name}": choice}).count()


def _apply(field: CustomField, changes: dict, *, unchecked=()) -> Problems:
    problems = Problems(unchecked=unchecked)
    creating = field.pk is None
    for name, value in changes.items():
        with problems.check():
            if name not in FIELDS:
                raise ValidationFailed(f"Unknown field {name!r}.", field=name)
            if name == "entity":
                if not creating and value != field.entity:
                    raise ValidationFailed("A field's kind of record cannot change; make a new field.",
                                           field="entity")
                if value not in ENTITIES:
                    raise ValidationFailed(f"entity is one of {', '.join(ENTITIES)}.", field="entity")
                field.entity = value
            elif name == "name":
                if not creating and value != field.name:
                    raise ValidationFailed("A field's name cannot change (records store values by it).",
                                           field="name")
                value = str(value or "").strip()
                if not NAME.match(value):
                    raise ValidationFailed("A name starts with a lower-case letter, then up to 39 lower-case "
                                           "letters, digits or _ (like deal_source).", field="name")
                field.name = value
            elif name == "label":
                label = " ".join(str(value or "").split())
                if not label or len(label) > 80:
                    raise ValidationFailed("A label has 1 to 80 characters.", field="label",
                                           code="required" if not label else None)
                field.label = label
            elif name == "type":
                if not creating and value != field.type:
                    raise ValidationFailed("A field's type cannot change; make a new field.", field="type")
                if value not in CustomField.Type.values:
                    raise ValidationFailed(f"Choose one of {describe_choices(CustomField.Type)}.", field="type")
                field.type = value
            elif name == "choices":
                field.choices = _clean_choices(value)
            elif name == "required":
                field.required = bool(value)
            elif name == "position":
                field.position = max(0, int(value or 0))
    if creating:
        for name in ("entity", "name", "label", "type"):
            if name not in changes and not problems.about(name):
                problems.add(ValidationFailed(f"{name.capitalize()} is required.", field=name, code="required"))
    if not problems.about("type", "choices"):
        if field.type in WITH_CHOICES and not field.choices:
            problems.add(ValidationFailed("A choice field needs at least one choice.", field="choices"))
        elif field.type not in WITH_CHOICES and field.choices:
            problems.add(ValidationFailed("Only choice fields have choices.", field="choices"))
    if creating and not problems.about("entity", "name"):
        if CustomField.objects.filter(entity=field.entity, name=field.name).exists():
            problems.add(Conflict(f"The {field.entity}s have a field called {field.name!r} already.", field="name"))
    return problems


def check_custom_field(actor: Actor, field: CustomField | None, data: dict, *, unchecked=()) -> list:
    require(actor, SETTINGS)
    import copy

    target = CustomField(workspace=actor.workspace) if field is None else copy.copy(field)
    return list(_apply(target, data, unchecked=unchecked))


def create_custom_field(actor: Actor, **data) -> CustomField:
    require(actor, SETTINGS)
    field = CustomField(workspace=actor.workspace)
    with transaction.atomic():
        _apply(field, data).raise_if_any()
        if "position" not in data:
            last = CustomField.objects.filter(entity=field.entity).aggregate(last=Max("position"))["last"]
            field.position = 0 if last is None else last + 1
        field.save()
        audit.record(actor, "crm.custom_field.created", field, fields=sorted(data), entity=field.entity,
                     name=field.name)
    return field


def update_custom_field(actor: Actor, field: CustomField, **changes) -> CustomField:
    from oorg.core.errors import unchanged_on_refusal

    require(actor, SETTINGS, field)
    before = list(field.choices)
    with unchanged_on_refusal(field), transaction.atomic():
        _apply(field, changes).raise_if_any()
        removed = [c for c in before if c not in field.choices]
        used = {c: n for c in removed if (n := in_use(field, c))}
        if used:
            told = ", ".join(f"{c!r} ({n} record{'s' if n != 1 else ''})" for c, n in used.items())
            raise Conflict(f"Records still use {told}; change them first.", field="choices", code="choice_in_use")
        field.save()
        audit.record(actor, "crm.custom_field.updated", field, fields=sorted(changes))
    return field


def delete_custom_field(actor: Actor, field: CustomField) -> None:
    require(actor, SETTINGS, field)
    with transaction.atomic():
        audit.record(actor, "crm.custom_field.deleted", field, entity=field.entity, name=field.name)
        field.delete()

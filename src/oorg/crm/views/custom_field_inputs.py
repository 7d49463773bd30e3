"""Custom fields on record forms, for every kind of record (leads, contacts, companies, deals).

    class ContactForm(CustomFieldsMixin, ServiceForm):
        entity = "contact"
    form = ContactForm(request.POST, initial={..., **custom_field_initial(contact)})

    {% include "crm/_custom_fields.html" %}      (renders form.custom_field_names)

Each definition becomes a form field named `custom_fields.<name>`, the name the services give a refusal
about it, so a bad value shows next to its input with no mapping. `service_data()` hands the service one
`custom_fields` dict (only the changed ones on an edit form); the service checks values and required fields.
"""
from __future__ import annotations

from django import forms

from ..custom_fields import definitions
from ..models import CustomField

PREFIX = "custom_fields."
Type = CustomField.Type
BOOLEAN_CHOICES = [("", "—"), ("true", "Yes"), ("false", "No")]


def form_field(definition: CustomField) -> forms.Field:
    label = definition.label + (" (required)" if definition.required else "")
    common = {"label": label, "required": False}
    kind = definition.type
    if kind == Type.CHOICE:
        return forms.ChoiceField(choices=[("", "—")] + [(c, c) for c in definition.choices], **common)
    if kind == Type.MULTI_CHOICE:
        return forms.MultipleChoiceField(choices=[(c, c) for c in definition.choices],
                                         widget=forms.CheckboxSelectMultiple, **common)
    if kind == Type.BOOLEAN:
        return forms.ChoiceField(choices=BOOLEAN_CHOICES, **common)
    if kind == Type.DATE:
        return forms.CharField(max_length=10, widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == Type.NUMBER:
        return forms.CharField(max_length=40, widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
    if kind == Type.URL:
        return forms.CharField(max_length=1000, widget=forms.URLInput(), **common)
    return forms.CharField(max_length=1000, **common)


def custom_field_form_fields(entity: str, defs: dict | None = None) -> dict[str, forms.Field]:
    """{"custom_fields.<name>": a Django form field} for each definition of `entity`, in their order."""
    defs = definitions(entity) if defs is None else defs
    return {PREFIX + name: form_field(definition) for name, definition in defs.items()}


def custom_field_initial(record) -> dict:
    """The form's initial values for a stored record's custom fields."""
    initial = {}
    for name, value in (getattr(record, "custom_fields", None) or {}).items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        initial[PREFIX + name] = value
    return initial


def custom_field_values(data: dict) -> dict | None:
    """Pop the `custom_fields.<name>` keys of `data` into one {name: value} (None when there are none)."""
    values = {key[len(PREFIX):]: data.pop(key) for key in [k for k in data if k.startswith(PREFIX)]}
    return {name: (None if value in ("", [], None) else value) for name, value in values.items()} if values else None


def custom_field_facts(entity: str, record) -> list[tuple[str, str]]:
    """(label, shown value) of the record's custom fields that have a value, for a record page."""
    stored = getattr(record, "custom_fields", None) or {}
    facts = []
    for name, definition in definitions(entity).items():
        value = stored.get(name)
        if value in (None, "", []):
            continue
        if isinstance(value, bool):
            value = "Yes" if value else "No"
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        facts.append((definition.label, str(value)))
    return facts


class CustomFieldsMixin:
    """Adds the entity's custom fields to a ServiceForm and groups their values for the service."""

    entity = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        extra = custom_field_form_fields(self.entity)
        self.fields.update(extra)
        self.custom_field_names = list(extra)

    def custom_field_bound(self):
        return [self[name] for name in self.custom_field_names]

    def service_data(self) -> dict:
        data = super().service_data()
        values = custom_field_values(data)
        if values is not None:
            data["custom_fields"] = values
        return data

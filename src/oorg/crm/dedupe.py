"""Duplicates: the same person or company entered twice, found by normalised email, phone or domain.

Matching looks only at records the actor sees (crm/scopes.py), so a refusal never reveals a record outside
their scope; each key is one indexed lookup, so the cost follows the input, not the table.
"""
from __future__ import annotations

from oorg.core.errors import Conflict

from . import scopes
from .models import Company, Contact, Lead

# What each kind of record is matched on, in the order a match is looked for.
KEYS = {Lead: ("email", "phone"), Contact: ("email", "phone"), Company: ("domain",)}


class Duplicate(Conflict):
    """409: a record with the same email, phone or domain exists; the answer names it."""

    code = "duplicate"

    def __init__(self, existing, key: str, *, field: str | None = None):
        noun = existing._meta.verbose_name
        super().__init__(f"A {noun} with this {key} exists already ({existing}, id {existing.pk}). "
                         'Open it, merge them, or send "allow_duplicate": true to create another.',
                         field=field or key)
        self.existing_id, self.key = existing.pk, key

    def as_json(self) -> dict:
        return {**super().as_json(), "existing_id": self.existing_id, "match": self.key}


def find_match(actor, model, values: dict, *, exclude_pk=None):
    """The first visible record sharing a key with `values` (already normalised), with the key: (record, key)."""
    for key in KEYS[model]:
        value = values.get(key)
        if not value:
            continue
        queryset = scopes.visible(actor, model).filter(**{key: value})
        if exclude_pk is not None:
            queryset = queryset.exclude(pk=exclude_pk)
        match = queryset.order_by("pk").first()
        if match is not None:
            return match, key
    return None, None


def refuse_duplicate(actor, model, values: dict, *, allow: bool = False, exclude_pk=None) -> None:
    if allow:
        return
    match, key = find_match(actor, model, values, exclude_pk=exclude_pk)
    if match is not None:
        raise Duplicate(match, key)

"""Saved views of the CRM lists: a person's named filters and columns per kind of record, and the columns they
chose for a list.

Both are `SavedView` rows of the person, in the workspace: a named view holds the list's query string (its
filters, `q` and ordering) and its columns; the row named "" holds the columns the person last chose for the
list, so the choice follows them from one device to another (a session would forget it). Nobody else sees a
person's views: every read and write is by `actor.user`.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.db import IntegrityError, transaction

from oorg.core.errors import NotFound, Problems, ValidationFailed

from .. import scopes
from ..lists import COLUMNS
from ..models import ENTITIES, SavedView

CURRENT = ""  # the name of the row holding a person's chosen columns for a list
MAX_VIEWS = 50  # per person and kind of record
NOT_FILTERS = {"cursor", "view"}  # query parameters of a page that are not part of what a view saves


def _entity(entity: str) -> str:
    if entity not in ENTITIES:
        raise ValidationFailed(f"entity is one of {', '.join(ENTITIES)}.", field="entity")
    return entity


def default_columns(entity: str) -> list[str]:
    return [c.key for c in COLUMNS[_entity(entity)] if c.default]


def clean_columns(entity: str, columns) -> list[str]:
    known = [c.key for c in COLUMNS[_entity(entity)]]
    chosen = [str(c) for c in (columns or [])]
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise ValidationFailed(f"Unknown column {unknown[0]!r}; choose among {', '.join(known)}.", field="columns")
    if not chosen:
        raise ValidationFailed("Choose at least one column.", field="columns", code="required")
    return [k for k in known if k in chosen]  # in the list's own order


def clean_query(query: str) -> str:
    """The saved part of a list's query string: its filters, without the page it was on."""
    pairs = [(k, v) for k, v in parse_qsl(str(query or "").lstrip("?"), keep_blank_values=False)
             if k not in NOT_FILTERS and v.strip()]
    text = urlencode(pairs)
    if len(text) > 2000:
        raise ValidationFailed("These filters are too long to save (2,000 characters at most).", field="query")
    return text


def _mine(actor, entity: str):
    scopes.require_scope(actor)
    return SavedView.objects.filter(user=actor.user, entity=_entity(entity))


def views_of(actor, entity: str) -> list[SavedView]:
    """The person's named views of this list, by name."""
    return list(_mine(actor, entity).exclude(name=CURRENT).order_by("name", "id"))


def get_view(actor, view_id) -> SavedView:
    scopes.require_scope(actor)
    view = SavedView.objects.filter(user=actor.user, pk=view_id).exclude(name=CURRENT).first()
    if view is None:
        raise NotFound("No such saved view.")
    return view


def current_columns(actor, entity: str) -> list[str]:
    row = _mine(actor, entity).filter(name=CURRENT).first()
    if row is not None:
        known = {c.key for c in COLUMNS[entity]}
        columns = [c for c in row.columns if c in known]
        if columns:
            return columns
    return default_columns(entity)


def set_columns(actor, entity: str, columns) -> list[str]:
    columns = clean_columns(entity, columns)
    SavedView.objects.update_or_create(workspace_id=actor.workspace.pk, user=actor.user, entity=entity,
                                       name=CURRENT, defaults={"columns": columns, "query": ""})
    return columns


def save_view(actor, entity: str, *, name, query: str = "", columns=None) -> SavedView:
    """Save (or replace, under the same name) a named view of this list."""
    with Problems() as problems:
        with problems.check():
            _entity(entity)
        name = " ".join(str(name or "").split())
        if not name:
            problems.add(ValidationFailed("Give the view a name.", field="name", code="required"))
        elif len(name) > 80:
            problems.add(ValidationFailed("A view's name has at most 80 characters.", field="name"))
        with problems.check():
            query = clean_query(query)
        if entity in ENTITIES:
            with problems.check():
                columns = clean_columns(entity, columns if columns is not None else current_columns(actor, entity))
    mine = _mine(actor, entity)
    if not mine.filter(name=name).exists() and mine.exclude(name=CURRENT).count() >= MAX_VIEWS:
        raise ValidationFailed(f"You have {MAX_VIEWS} saved views of this list already; delete one first.",
                               field="name")
    try:
        with transaction.atomic():
            view, _created = SavedView.objects.update_or_create(
                workspace_id=actor.workspace.pk, user=actor.user, entity=entity, name=name,
                defaults={"query": query, "columns": columns})
    except IntegrityError:  # the same name saved twice at once: the other one won
        view = mine.get(name=name)
    return view


def delete_view(actor, view: SavedView) -> None:
    get_view(actor, view.pk)
    view.delete()

"""Bulk change and bulk delete of a filtered set of leads, contacts, companies or deals.

The set is what the list shows for the same filters (records.query: the actor's scope first), optionally
narrowed to chosen ids. Its size is counted once and capped (MAX_ROWS); the work then walks it by primary key
in batches of BATCH ids (keyset: `pk > last` over the scoped, filtered query), each batch one UPDATE or DELETE
of those ids in the same transaction, so the cost follows the set, never the table, and no statement carries
more than BATCH ids.
One audit record stands for the whole; each batch adds one event per row (events.emit_each).
A delete names how many it expects (`confirm_count`): when the set has changed since, nothing is deleted (409).
"""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from oorg.core import audit, events
from oorg.core.errors import Conflict, Problems, ValidationFailed
from oorg.core.permissions import Actor, require

from .. import fields, records, scopes
from ..lists import SPECS
from ..models import Contact, Lead, TimelineEntry
from ..permissions import DELETE, EDIT
from .contacts import owner_label

MAX_ROWS = 10_000
MAX_IDS = 1_000
BATCH = 500
ENTITIES = ("lead", "contact", "company", "deal")
SET_KEYS = {"owner_id", "add_tags", "remove_tags", "status"}


def _check_entity(entity: str) -> None:
    if entity not in ENTITIES:
        raise ValidationFailed(f"entity is one of {', '.join(ENTITIES)}.", field="entity")


def matched(actor: Actor, entity: str, *, filter: dict | None = None, ids=None):
    """The records the change is for: the list's filters (strings, as in its query string) and chosen ids."""
    _check_entity(entity)
    if filter is None and ids is None:
        raise ValidationFailed("Send a filter (as the list's query string) or ids.", field="filter")
    if filter is not None and not isinstance(filter, dict):
        raise ValidationFailed("filter is an object of query parameters.", field="filter")
    params = {str(k): "" if v is None else str(v) for k, v in (filter or {}).items()}
    queryset = records.query(actor, SPECS[entity], params, ordered=False)
    if ids is not None:
        try:
            wanted = sorted({int(i) for i in ids})
        except (TypeError, ValueError):
            raise ValidationFailed("ids is a list of record ids.", field="ids") from None
        if len(wanted) > MAX_IDS:
            raise ValidationFailed(f"Choose at most {MAX_IDS} ids; use a filter for more.", field="ids")
        queryset = queryset.filter(pk__in=wanted)
    return queryset


def count_matched(queryset) -> int:
    count = queryset.count()
    if count > MAX_ROWS:
        raise ValidationFailed(f"{count} records match; a bulk change takes at most {MAX_ROWS}. Narrow the filter, "
                               "or use the import to change more.", field="filter", code="too_many")
    return count


def _batches(queryset):
    """The matched ids BATCH at a time, by primary key (an indexed range read per batch)."""
    last = 0
    while True:
        ids = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return
        yield ids
        last = ids[-1]


def _clean_set(actor: Actor, entity: str, changes: dict) -> dict:
    if not isinstance(changes, dict) or not changes:
        raise ValidationFailed("Say what to change: owner_id, add_tags, remove_tags"
                               f"{', status' if entity == 'lead' else ''}.", field="set")
    cleaned = {}
    with Problems() as problems:
        for name, value in changes.items():
            with problems.check():
                where = f"set.{name}"
                if name not in SET_KEYS or (name == "status" and entity != "lead"):
                    raise ValidationFailed(f"Unknown change {name!r}.", field=where)
                if name == "owner_id":
                    if value in (None, ""):
                        raise ValidationFailed("Choose the new owner.", field=where)
                    if not actor.can("crm.records.assign"):
                        raise ValidationFailed("Your role does not let you give records to others.", field=where,
                                               code="not_allowed")
                    cleaned["owner"] = fields.clean_owner(actor, value, field=where)
                elif name in ("add_tags", "remove_tags"):
                    tags = fields.clean_tags(value, field=where)
                    if tags:
                        cleaned[name] = tags
                elif name == "status":
                    status = fields.clean_choice(value, where, Lead.Status)
                    if status == Lead.Status.CONVERTED:
                        raise ValidationFailed("A lead becomes converted by converting it, not in bulk.",
                                               field=where)
                    cleaned["status"] = status
    if not cleaned:
        raise ValidationFailed("Nothing to change.", field="set")
    return cleaned


def _model(entity: str):
    return SPECS[entity].model


def _event_rows(entity: str, ids: list[int]):
    model = _model(entity)
    queryset = model.objects.filter(pk__in=ids).order_by("pk")
    if model is Contact:
        queryset = queryset.prefetch_related("company_links")
    return list(queryset)


def _emit(audit_event, type_name: str, rows, data=None) -> None:
    if type_name in events.TYPES and rows:  # each kind registers its own types (crm/events/<kind>.py)
        events.emit_each(audit_event, type_name, rows, data=data)


def bulk_update(actor: Actor, entity: str, *, filter: dict | None = None, ids=None,
                changes: dict | None = None) -> dict:
    require(actor, EDIT)
    scopes.require_scope(actor)
    queryset = matched(actor, entity, filter=filter, ids=ids)
    changes = _clean_set(actor, entity, changes or {})
    if "status" in changes:
        queryset = queryset.exclude(status=Lead.Status.CONVERTED)  # a converted lead keeps its status
    model = _model(entity)
    with transaction.atomic():
        count = count_matched(queryset)
        names = sorted(k if k != "owner" else "owner_id" for k in changes)
        event = audit.record(actor, "crm.records.bulk_updated", None, entity=entity, count=count, fields=names,
                             owner_id=changes["owner"].pk if "owner" in changes else None,
                             add_tags=changes.get("add_tags"), remove_tags=changes.get("remove_tags"),
                             status=changes.get("status"))
        updated, now = 0, timezone.now()
        for batch in _batches(queryset):
            rows = model.objects.filter(pk__in=batch)
            plain = {"updated_at": now}
            if "owner" in changes:
                owner = changes["owner"]
                moving = list(rows.exclude(owner=owner).values_list("pk", "owner_id"))
                TimelineEntry.objects.bulk_create([
                    TimelineEntry(workspace_id=actor.workspace.pk, kind=TimelineEntry.Kind.ASSIGNMENT,
                                  summary=f"Owner changed to {owner_label(owner)}"[:300], actor=actor.user,
                                  data={"from_owner_id": old, "to_owner_id": owner.pk, "bulk": True},
                                  **{entity: model(pk=pk)})
                    for pk, old in moving])
                plain["owner"] = owner
            if "status" in changes:
                plain["status"] = changes["status"]
            updated += rows.update(**plain)
            if "add_tags" in changes or "remove_tags" in changes:
                add, remove = set(changes.get("add_tags") or []), set(changes.get("remove_tags") or [])
                tagged = []
                for pk, tags in rows.values_list("pk", "tags"):
                    new = sorted((set(tags or []) | add) - remove)[:fields.MAX_TAGS]
                    if new != (tags or []):
                        tagged.append(model(pk=pk, tags=new))
                model.objects.bulk_update(tagged, ["tags"], batch_size=BATCH)
            _emit(event, f"crm.{entity}.updated", _event_rows(entity, batch), data=lambda _row: {"fields": names, "bulk": True})
    return {"matched": count, "updated": updated}


def bulk_delete(actor: Actor, entity: str, *, filter: dict | None = None, ids=None, confirm_count: int) -> dict:
    require(actor, DELETE)
    scopes.require_scope(actor)
    queryset = matched(actor, entity, filter=filter, ids=ids)
    model = _model(entity)
    with transaction.atomic():
        count = count_matched(queryset)
        if confirm_count != count:
            raise Conflict(f"{count} records match now, not {confirm_count}; nothing was deleted. Review the "
                           "selection again.", field="confirm_count", code="count_changed")
        event = audit.record(actor, "crm.records.bulk_deleted", None, entity=entity, count=count,
                             filter=filter or {}, ids=sorted(ids)[:50] if ids else None)
        deleted = 0
        for batch in _batches(queryset):
            _emit(event, f"crm.{entity}.deleted", _event_rows(entity, batch))
            model.objects.filter(pk__in=batch).delete()
            deleted += len(batch)
    return {"deleted": deleted}


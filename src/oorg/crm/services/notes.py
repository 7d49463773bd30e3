"""Notes on a record: rich text from people, stored sanitised (crm/sanitize.py), shown on the record's timeline.

A note is visible iff its record is. Its author, or whoever may delete records, may change or delete it.
"""
from __future__ import annotations

from django.db import transaction

from oorg.core import audit
from oorg.core.errors import NotFound, PermissionDenied, Problems, ValidationFailed
from oorg.core.permissions import require

from .. import sanitize, timeline
from ..models import Note, TimelineEntry
from ..permissions import DELETE, EDIT
from .activities import LINKS, entity_of, linked_record, record_scope


def visible_notes(actor):
    queryset = Note.objects.all()
    narrowing = record_scope(actor)
    return queryset if narrowing is None else queryset.filter(narrowing)


def get_note(actor, note_id) -> Note:
    note = visible_notes(actor).filter(pk=note_id).select_related("lead", "contact", "company", "deal",
                                                                  "author").first()
    if note is None:
        raise NotFound("No such note.")
    return note


def note_list(actor, **links):
    queryset = visible_notes(actor).select_related("author")
    for name in LINKS:
        value = links.get(f"{name}_id")
        if value is not None:
            queryset = queryset.filter(**{f"{name}_id": value})
    return queryset.order_by("-created_at", "-id")


def may_change(actor, note: Note) -> bool:
    return actor.can(DELETE) or (note.author_id is not None and note.author_id == getattr(actor.user, "pk", None)
                                 and actor.can(EDIT))


def _audit(actor, action: str, note: Note, **data):
    record = note.record
    audit.record(actor, action, note, target_label=sanitize.plain_text(note.body, 80),
                 record_owner_id=record.owner_id, record_type=entity_of(record), record_id=record.pk, **data)


def create_note(actor, *, body=None, **links) -> Note:
    require(actor, EDIT)
    with Problems() as problems:
        record = None
        with problems.check():
            record = linked_record(actor, links)
        with problems.check():
            body = sanitize.clean_html(body)
    with transaction.atomic():
        note = Note.objects.create(workspace_id=actor.workspace.pk, body=body, author=actor.user,
                                   **timeline.link_of(record))
        timeline.add(record, timeline.Kind.NOTE, sanitize.plain_text(body), actor=actor, note=note)
        _audit(actor, "crm.note.created", note)
    return note


def update_note(actor, note: Note, *, body=None) -> Note:
    if not may_change(actor, note):
        raise PermissionDenied("Only the note's author, or someone who may delete records, may change it.")
    if body is None:
        raise ValidationFailed("A note needs some text.", field="body", code="required")
    body = sanitize.clean_html(body)
    if body == note.body:
        return note
    with transaction.atomic():
        note.body = body
        note.save(update_fields=["body", "updated_at"])
        TimelineEntry.objects.filter(note=note).update(summary=sanitize.plain_text(body))
        _audit(actor, "crm.note.updated", note, fields=["body"])
    return note


def delete_note(actor, note: Note) -> None:
    if not may_change(actor, note):
        raise PermissionDenied("Only the note's author, or someone who may delete records, may delete it.")
    with transaction.atomic():
        _audit(actor, "crm.note.deleted", note)
        note.delete()  # its timeline entry goes with it (CASCADE)

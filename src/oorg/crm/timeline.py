"""A record's timeline: notes, activities, stage changes, conversions, merges, owner changes and emails.

Each service that does one of these writes its `TimelineEntry` in its own transaction (`add`), so the
timeline is one indexed range read per record (newest first, keyset pages), and a merge moves a whole
history with one UPDATE per kind of link (`move`).
"""
from __future__ import annotations

from .models import Company, Contact, Deal, Lead, TimelineEntry

LINK_OF = {Lead: "lead", Contact: "contact", Company: "company", Deal: "deal"}
Kind = TimelineEntry.Kind


def link_of(record) -> dict:
    """{"contact": record}: the keyword a Linked row (note, activity, entry) takes for this record."""
    return {LINK_OF[type(record)]: record}


def add(record, kind: str, summary: str, *, actor=None, data: dict | None = None, **refs) -> TimelineEntry:
    return TimelineEntry.objects.create(workspace_id=record.workspace_id, kind=kind, summary=summary[:300],
                                        data=data or {}, actor=getattr(actor, "user", None), **link_of(record),
                                        **refs)


def entries_of(record):
    """The record's entries, newest first (ordered for keyset pages)."""
    return (TimelineEntry.objects.filter(**link_of(record)).select_related("actor", "note", "activity")
            .order_by("-at", "-id"))


def move(source, target) -> int:
    """Every entry, note and activity of `source` now belongs to `target` (same kind of record)."""
    from .models import Activity, Note

    name = LINK_OF[type(source)]
    moved = 0
    for model in (TimelineEntry, Note, Activity):
        moved += model.objects.filter(**{name: source}).update(**{name: target})
    return moved

"""/api/v1/{leads|contacts|companies|deals}/{id}/timeline: a record's history, newest first, in pages."""
from __future__ import annotations

from ninja import Query, Router

from oorg.core.api import Page, list_of, paginate
from oorg.core.schemas import Id

from .. import scopes, timeline
from ..models import Company, Contact, Deal, Lead
from ..schemas.timeline import TimelineEntryOut

router = Router(tags=["crm"])


def entry_out(entry) -> dict:
    actor = entry.actor
    activity = entry.activity
    return {
        "id": entry.pk, "kind": entry.kind, "summary": entry.summary, "at": entry.at, "data": entry.data,
        "actor": {"id": actor.pk, "name": actor.full_name or actor.email, "email": actor.email}
        if actor else None,
        "note": {"id": entry.note.pk, "body": entry.note.body} if entry.note_id else None,
        "activity": {"id": activity.pk, "kind": activity.kind, "subject": activity.subject,
                     "due_at": activity.due_at, "done": activity.done_at is not None,
                     "owner_id": activity.owner_id} if entry.activity_id else None,
        "stage_change_id": entry.stage_change_id,
    }


def _timeline(request, model, record_id: int, page: Page) -> dict:
    record = scopes.get_visible(request.actor, model, record_id)
    answer = paginate(timeline.entries_of(record), page)
    answer["items"] = [entry_out(e) for e in answer["items"]]
    return answer


@router.get("/leads/{int:record_id}/timeline", response=list_of(TimelineEntryOut), summary="A lead's timeline")
def lead_timeline(request, record_id: Id, page: Query[Page]):
    return _timeline(request, Lead, record_id, page)


@router.get("/contacts/{int:record_id}/timeline", response=list_of(TimelineEntryOut),
            summary="A contact's timeline")
def contact_timeline(request, record_id: Id, page: Query[Page]):
    return _timeline(request, Contact, record_id, page)


@router.get("/companies/{int:record_id}/timeline", response=list_of(TimelineEntryOut),
            summary="A company's timeline")
def company_timeline(request, record_id: Id, page: Query[Page]):
    return _timeline(request, Company, record_id, page)


@router.get("/deals/{int:record_id}/timeline", response=list_of(TimelineEntryOut), summary="A deal's timeline")
def deal_timeline(request, record_id: Id, page: Query[Page]):
    return _timeline(request, Deal, record_id, page)

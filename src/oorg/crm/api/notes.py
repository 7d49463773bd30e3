"""/api/v1/notes: sanitised rich text on a record; visible iff the record is (crm/services/notes.py)."""
from __future__ import annotations

from ninja import Query, Router, Status

from oorg.core.api import Page, list_of, paginate
from oorg.core.schemas import Id

from ..schemas.notes import NoteIn, NoteOut, NotePatch
from ..services import notes as services

router = Router(tags=["crm"])


class NoteFilters(Page):
    lead_id: Id | None = None
    contact_id: Id | None = None
    company_id: Id | None = None
    deal_id: Id | None = None


@router.get("/notes", response=list_of(NoteOut), summary="Notes of the records you see, newest first")
def note_list(request, filters: Query[NoteFilters]):
    values = filters.model_dump(exclude={"limit", "offset", "cursor"})
    return paginate(services.note_list(request.actor, **values), filters)


@router.post("/notes", response={201: NoteOut}, summary="Add a note to one record (HTML, sanitised)")
def note_create(request, payload: NoteIn):
    return Status(201, services.create_note(request.actor, **payload.model_dump()))


@router.get("/notes/{int:note_id}", response=NoteOut, summary="One note")
def note_detail(request, note_id: Id):
    return services.get_note(request.actor, note_id)


@router.patch("/notes/{int:note_id}", response=NoteOut, summary="Change a note (its author, or crm.records.delete)")
def note_update(request, note_id: Id, payload: NotePatch):
    return services.update_note(request.actor, services.get_note(request.actor, note_id), body=payload.body)


@router.delete("/notes/{int:note_id}", response={204: None}, summary="Delete a note (its author, or crm.records.delete)")
def note_delete(request, note_id: Id):
    services.delete_note(request.actor, services.get_note(request.actor, note_id))
    return Status(204, None)

"""Events of activities and notes, and the reminder of an activity that is due.

A payload is the API answer (ActivityOut, NoteOut) plus the record it belongs to and that record's owner
(`record_owner_id`), which decides who may receive it (by_owner: the record scopes). The reminder is no
webhook: it tells the activity's owner, with a link to the record.
"""
from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from oorg.core import events
from oorg.core.models import Workspace

from ..schemas.activities import ActivityOut
from ..schemas.notes import NoteOut
from . import by_owner
from .kinds import ACTIVITY_DUE


class ActivityData(ActivityOut):
    record_owner_id: int | None
    record_type: str
    record_id: int


class ActivityUpdatedData(ActivityData):
    fields: list[str]


class ActivityDueData(ActivityData):
    owner_user_id: int | None
    url: str


class NoteData(NoteOut):
    record_owner_id: int | None
    record_type: str
    record_id: int


class NoteUpdatedData(NoteData):
    fields: list[str]


def _record(data: dict) -> dict:
    return {"record_owner_id": data.get("record_owner_id"), "record_type": data.get("record_type", ""),
            "record_id": data.get("record_id")}


def _activity(activity, data: dict) -> dict:
    return {**ActivityOut.from_orm(activity).model_dump(mode="json"), **_record(data)}


def _activity_updated(activity, data: dict) -> dict:
    return {**_activity(activity, data), "fields": list(data.get("fields") or [])}


def record_path(workspace_id: int, record_type: str, record_id: int) -> str:
    slug = Workspace.objects.filter(pk=workspace_id).values_list("slug", flat=True).first()
    if slug is None:
        return ""
    try:
        return reverse(f"crm:{record_type}", args=[slug, record_id])
    except NoReverseMatch:
        return reverse("crm:activities", args=[slug])


def _activity_due(activity, data: dict) -> dict:
    owner = activity.owner
    return {**_activity(activity, data), "owner_user_id": owner.user_id if owner else None,
            "url": record_path(activity.workspace_id, data.get("record_type", ""), data.get("record_id"))}


def notify_due(event) -> list[events.Notice]:
    """The activity's owner is reminded of it, with a link to its record."""
    user_id = event.data.get("owner_user_id")
    if not user_id:
        return []
    kind = {"call": "Call", "meeting": "Meeting", "task": "Task"}.get(event.data.get("kind"), "Activity")
    due = event.data.get("due_at")
    return [events.Notice(user_id=user_id, kind=ACTIVITY_DUE, title=f"{kind} due: {event.data.get('subject', '')}",
                          body=f"Due {due}." if due else "", url=event.data.get("url") or "")]


def _note(note, data: dict) -> dict:
    return {**NoteOut.from_orm(note).model_dump(mode="json"), **_record(data)}


def _note_updated(note, data: dict) -> dict:
    return {**_note(note, data), "fields": list(data.get("fields") or [])}


VISIBLE = by_owner("record_owner_id")

events.register_types([
    events.EventType("crm.activity.created", "A call, meeting or task was logged on a CRM record.",
                     payload=ActivityData, build=_activity, visible_to=VISIBLE),
    events.EventType("crm.activity.updated", "An activity changed; `fields` names what changed.",
                     payload=ActivityUpdatedData, build=_activity_updated, visible_to=VISIBLE),
    events.EventType("crm.activity.completed", "An activity was marked done.", payload=ActivityData,
                     build=_activity, visible_to=VISIBLE),
    events.EventType("crm.activity.reopened", "An activity was marked not done.", payload=ActivityData,
                     build=_activity, visible_to=VISIBLE),
    events.EventType("crm.activity.deleted", "An activity was deleted.", payload=ActivityData, build=_activity,
                     visible_to=VISIBLE),
    events.EventType("crm.activity.due", "An activity's reminder time came; its owner is told.",
                     payload=ActivityDueData, build=_activity_due, notify=notify_due, webhook=False,
                     visible_to=VISIBLE),
    events.EventType("crm.note.created", "A note was added to a CRM record.", payload=NoteData, build=_note,
                     visible_to=VISIBLE),
    events.EventType("crm.note.updated", "A note changed.", payload=NoteUpdatedData, build=_note_updated,
                     visible_to=VISIBLE),
    events.EventType("crm.note.deleted", "A note was deleted.", payload=NoteData, build=_note, visible_to=VISIBLE),
], group="CRM")

from ..services import reminders  # noqa: E402,F401  registers the periodic reminder task with Celery

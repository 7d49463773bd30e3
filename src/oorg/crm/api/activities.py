"""/api/v1/activities: calls, meetings and tasks; visible iff their record is (crm/services/activities.py)."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Query, Router, Status

from oorg.core.api import Page, list_of, paginate
from oorg.core.schemas import Id

from ..schemas.activities import ActivityIn, ActivityOut, ActivityPatch
from ..services import activities as services

router = Router(tags=["crm"])


class ActivityFilters(Page):
    owner_id: Id | None = None
    done: bool | None = None
    kind: Literal["call", "meeting", "task"] | None = None
    due_from: dt.datetime | None = None
    due_to: dt.datetime | None = None
    lead_id: Id | None = None
    contact_id: Id | None = None
    company_id: Id | None = None
    deal_id: Id | None = None


@router.get("/activities", response=list_of(ActivityOut), summary="Activities of the records you see")
def activity_list(request, filters: Query[ActivityFilters]):
    values = filters.model_dump(exclude={"limit", "offset", "cursor"})
    return paginate(services.activity_list(request.actor, **values), filters)


@router.post("/activities", response={201: ActivityOut}, summary="Log a call, meeting or task on one record")
def activity_create(request, payload: ActivityIn):
    return Status(201, services.create_activity(request.actor, **payload.model_dump()))


@router.get("/activities/{int:activity_id}", response=ActivityOut, summary="One activity")
def activity_detail(request, activity_id: Id):
    return services.get_activity(request.actor, activity_id)


@router.patch("/activities/{int:activity_id}", response=ActivityOut,
              summary="Change an activity (a new remind_at is reminded again)")
def activity_update(request, activity_id: Id, payload: ActivityPatch):
    activity = services.get_activity(request.actor, activity_id)
    return services.update_activity(request.actor, activity, **payload.model_dump(exclude_unset=True))


@router.delete("/activities/{int:activity_id}", response={204: None}, summary="Delete an activity")
def activity_delete(request, activity_id: Id):
    services.delete_activity(request.actor, services.get_activity(request.actor, activity_id))
    return Status(204, None)


@router.post("/activities/{int:activity_id}/done", response=ActivityOut, summary="Mark an activity done")
def activity_done(request, activity_id: Id):
    return services.set_done(request.actor, services.get_activity(request.actor, activity_id), True)


@router.post("/activities/{int:activity_id}/undone", response=ActivityOut, summary="Mark an activity not done")
def activity_undone(request, activity_id: Id):
    return services.set_done(request.actor, services.get_activity(request.actor, activity_id), False)

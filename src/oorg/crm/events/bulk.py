"""A bulk change that gives records to someone tells them once ("25 contacts are now yours"), not once per
record; each record's own `crm.<kind>.updated` event (with `"bulk": true`) still goes to webhooks."""
from __future__ import annotations

from django.urls import reverse
from ninja import Schema

from oorg.core import events
from oorg.core.models import Membership, Workspace
from oorg.core.tenancy import workspace_scope

from .kinds import ASSIGNED

PLURALS = {"lead": ("lead", "leads"), "contact": ("contact", "contacts"), "company": ("company", "companies"),
           "deal": ("deal", "deals")}


class BulkUpdatedData(Schema):
    entity: str  # lead | contact | company | deal
    count: int  # records the change matched
    fields: list[str]
    owner_id: int | None  # the new owner, when the change gave the records to someone
    add_tags: list[str] | None
    remove_tags: list[str] | None
    status: str | None


def notify_bulk_owner(event) -> list[events.Notice]:
    data = event.data
    owner_id, count, entity = data.get("owner_id"), int(data.get("count") or 0), data.get("entity")
    if not owner_id or not count or entity not in PLURALS:
        return []
    with workspace_scope(event.workspace_id):
        user_id = Membership.objects.filter(pk=owner_id, is_active=True).values_list("user_id", flat=True).first()
    slug = Workspace.objects.filter(pk=event.workspace_id).values_list("slug", flat=True).first()
    if user_id is None or user_id == event.actor_user_id or slug is None:
        return []
    noun = PLURALS[entity][count != 1]
    url = reverse(f"crm:{PLURALS[entity][1]}", kwargs={"workspace_slug": slug}) + f"?owner_id={owner_id}"
    return [events.Notice(user_id=user_id, kind=ASSIGNED, title=f"{count:,} {noun} are now yours" if count != 1
                          else f"1 {noun} is now yours",
                          body=f"{event.actor_label} gave you {count:,} {noun} in one change.", url=url)]


events.register_types([
    events.EventType("crm.records.bulk_updated", "Records were changed in bulk (each also has its own updated "
                     "event).", payload=BulkUpdatedData, notify=notify_bulk_owner, webhook=False),
], group="CRM")

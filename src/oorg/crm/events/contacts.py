"""Contact events: created, updated (`fields` names what changed; a new owner is told), deleted, merged.
The payload is the API's ContactOut, so its top-level `owner_id` decides who may receive it (by_owner)."""
from __future__ import annotations

from django.urls import reverse

from oorg.core import events
from oorg.core.models import Membership, Workspace
from oorg.core.tenancy import workspace_scope

from ..schemas.contacts import ContactOut, contact_out
from . import by_owner
from .kinds import ASSIGNED


class ContactUpdatedData(ContactOut):
    fields: list[str]
    bulk: bool = False  # one of a bulk change: its new owner is told once, by crm.records.bulk_updated


class ContactMergedData(ContactOut):
    source_id: int  # the contact merged into this one, deleted since


def _contact(contact, data: dict) -> dict:
    return contact_out(contact)


def _updated(contact, data: dict) -> dict:
    return {**contact_out(contact), "fields": list(data.get("fields") or []), "bulk": bool(data.get("bulk"))}


def _merged(contact, data: dict) -> dict:
    return {**contact_out(contact), "source_id": int(data.get("source_id") or 0)}


def notify_new_owner(noun: str, url_name: str, id_kwarg: str):
    """A record was created for, or given to, someone other than the person who did it: they are told."""
    def notify(event) -> list[events.Notice]:
        data = event.data
        if data.get("bulk"):  # told once for the whole change (crm/events/bulk.py)
            return []
        if event.type.endswith(".updated") and "owner_id" not in (data.get("fields") or []):
            return []
        if event.type.endswith(".created") and "owner_id" not in (data.get("fields") or []):
            return []
        owner_id = data.get("owner_id")
        user_id = None
        if owner_id:
            with workspace_scope(event.workspace_id):
                user_id = Membership.objects.filter(pk=owner_id, is_active=True).values_list(
                    "user_id", flat=True).first()
        slug = Workspace.objects.filter(pk=event.workspace_id).values_list("slug", flat=True).first()
        if user_id is None or user_id == event.actor_user_id or slug is None:
            return []
        name = data.get("full_name") or data.get("name") or ""
        return [events.Notice(user_id=user_id, kind=ASSIGNED, title=f"The {noun} {name} is now yours",
                              body=f"{event.actor_label} gave you the {noun} {name}.",
                              url=reverse(url_name, kwargs={"workspace_slug": slug, id_kwarg: data["id"]}))]
    return notify


_notify = notify_new_owner("contact", "crm:contact", "contact_id")

events.register_types([
    events.EventType("crm.contact.created", "A contact was added.", payload=ContactOut, build=_contact,
                     notify=_notify, visible_to=by_owner()),
    events.EventType("crm.contact.updated", "A contact changed; `fields` names what changed.",
                     payload=ContactUpdatedData, build=_updated, notify=_notify, visible_to=by_owner()),
    events.EventType("crm.contact.deleted", "A contact was deleted.", payload=ContactOut, build=_contact,
                     visible_to=by_owner()),
    events.EventType("crm.contact.merged", "Another contact was merged into this one (and deleted).",
                     payload=ContactMergedData, build=_merged, visible_to=by_owner()),
], group="CRM")

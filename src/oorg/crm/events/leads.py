"""Lead events: created, updated, deleted, converted. Each payload is the lead's API answer (LeadOut) with its
owner id at the top, so a webhook follows the record scopes (by_owner). A lead given to someone else, by a
person, a web form's round-robin or an import, tells its new owner (kind crm.assigned)."""
from __future__ import annotations

from django.urls import reverse

from oorg.core import events
from oorg.core.models import Membership, Workspace
from oorg.core.tenancy import workspace_scope

from ..schemas.leads import LeadConvertedData, LeadDeletedData, LeadOut, LeadUpdatedData
from . import by_owner
from .kinds import ASSIGNED


def lead_data(lead, data: dict | None = None) -> dict:
    return LeadOut.from_orm(lead).model_dump(mode="json")


def _updated(lead, data: dict) -> dict:
    return {**lead_data(lead), "fields": list(data.get("fields") or []),
            "previous_owner_id": data.get("previous_owner_id"), "bulk": bool(data.get("bulk"))}


def _deleted(lead, data: dict) -> dict:
    return {"id": lead.pk, "full_name": lead.full_name, "owner_id": lead.owner_id}


def _converted(lead, data: dict) -> dict:
    return {**lead_data(lead), "contact_id": data.get("contact_id"), "company_id": data.get("company_id"),
            "deal_id": data.get("deal_id")}


def _assigned_notice(event, owner_id) -> list[events.Notice]:
    """The lead's owner is told, unless they gave it to themselves."""
    if owner_id is None:
        return []
    with workspace_scope(event.workspace_id):
        owner = Membership.objects.filter(pk=owner_id, is_active=True).values("user_id").first()
    if owner is None or owner["user_id"] == event.actor_user_id:
        return []
    slug = Workspace.objects.filter(pk=event.workspace_id).values_list("slug", flat=True).first()
    url = reverse("crm:lead", kwargs={"workspace_slug": slug, "lead_id": event.data["id"]}) if slug else ""
    name = event.data.get("full_name", "")
    return [events.Notice(user_id=owner["user_id"], kind=ASSIGNED, title=f"Lead {name} is now yours",
                          body=f"{event.actor_label} gave you the lead {name}.", url=url)]


def notify_created(event) -> list[events.Notice]:
    return _assigned_notice(event, event.data.get("owner_id"))


def notify_updated(event) -> list[events.Notice]:
    data = event.data
    if data.get("bulk"):  # told once for the whole change (crm/events/bulk.py)
        return []
    if "owner_id" not in (data.get("fields") or []) or data.get("owner_id") == data.get("previous_owner_id"):
        return []
    return _assigned_notice(event, data.get("owner_id"))


events.register_types([
    events.EventType("crm.lead.created", "A lead was added (by hand, the API, a web form or an import).",
                     payload=LeadOut, build=lead_data, notify=notify_created, visible_to=by_owner()),
    events.EventType("crm.lead.updated", "A lead changed; `fields` names what changed.", payload=LeadUpdatedData,
                     build=_updated, notify=notify_updated, visible_to=by_owner()),
    events.EventType("crm.lead.deleted", "A lead was deleted.", payload=LeadDeletedData, build=_deleted,
                     visible_to=by_owner()),
    events.EventType("crm.lead.converted", "A lead became a contact (with a company and a deal, when made).",
                     payload=LeadConvertedData, build=_converted, visible_to=by_owner()),
], group="CRM")

"""Deal events: created, changed, moved to another stage, deleted. The payload is the API's answer (DealOut);
every type follows the record scopes (by_owner). A deal given to someone other than who gave it tells them."""
from __future__ import annotations

from django.urls import reverse

from oorg.core import events
from oorg.core.models import Membership, Workspace

from ..schemas.deals import DealOut
from . import by_owner
from .kinds import ASSIGNED


class DealUpdatedData(DealOut):
    fields: list[str]
    bulk: bool = False  # one of a bulk change: its new owner is told once, by crm.records.bulk_updated


class DealStageChangedData(DealOut):
    from_stage_id: int | None
    from_stage_name: str
    to_stage_name: str


def _deal(deal, data: dict) -> dict:
    return DealOut.from_orm(deal).model_dump(mode="json")


def _updated(deal, data: dict) -> dict:
    return {**_deal(deal, data), "fields": list(data.get("fields") or []), "bulk": bool(data.get("bulk"))}


def _stage_changed(deal, data: dict) -> dict:
    return {**_deal(deal, data), "from_stage_id": data.get("from_stage_id"),
            "from_stage_name": data.get("from_stage", ""), "to_stage_name": data.get("to_stage", "")}


def _assigned(event) -> list[events.Notice]:
    """The new owner hears of a deal given to them by someone else (or by the round-robin)."""
    if event.data.get("bulk"):  # told once for the whole change (crm/events/bulk.py)
        return []
    if event.type == "crm.deal.updated" and "owner" not in (event.data.get("fields") or []):
        return []
    owner_id = event.data.get("owner_id")
    user_id = Membership.objects.filter(pk=owner_id, is_active=True).values_list("user_id", flat=True).first()
    if user_id is None or user_id == event.actor_user_id:
        return []
    slug = Workspace.objects.filter(pk=event.workspace_id).values_list("slug", flat=True).first()
    url = reverse("crm:deal", kwargs={"workspace_slug": slug, "deal_id": event.data["id"]}) if slug else ""
    return [events.Notice(user_id=user_id, kind=ASSIGNED, title=f"Deal {event.data.get('name')} is yours now",
                          body=f"{event.actor_label} gave you the deal {event.data.get('name')}.", url=url)]


events.register_types([
    events.EventType("crm.deal.created", "A deal was created.", payload=DealOut, build=_deal, notify=_assigned,
                     visible_to=by_owner()),
    events.EventType("crm.deal.updated", "A deal changed; `fields` names what changed.", payload=DealUpdatedData,
                     build=_updated, notify=_assigned, visible_to=by_owner()),
    events.EventType("crm.deal.stage_changed", "A deal moved to another stage (from/to stage names).",
                     payload=DealStageChangedData, build=_stage_changed, visible_to=by_owner()),
    events.EventType("crm.deal.deleted", "A deal was deleted.", payload=DealOut, build=_deal,
                     visible_to=by_owner()),
], group="CRM")

"""crm.lead.merged: another lead was folded into this one (crm/services/merge.py). Kept apart from leads.py
(the leads helper's) because merging is this module's owner's; the payload is the kept lead's LeadOut."""
from __future__ import annotations

from oorg.core import events

from ..schemas.leads import LeadOut
from . import by_owner


class LeadMergedData(LeadOut):
    source_id: int  # the lead merged into this one, deleted since


def _merged(lead, data: dict) -> dict:
    return {**LeadOut.from_orm(lead).model_dump(mode="json"), "source_id": int(data.get("source_id") or 0)}


events.register_types([
    events.EventType("crm.lead.merged", "Another lead was merged into this one (and deleted).",
                     payload=LeadMergedData, build=_merged, visible_to=by_owner()),
], group="CRM")

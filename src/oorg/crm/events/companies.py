"""Company events: created, updated (`fields` names what changed; a new owner is told), deleted, merged.
The payload is the API's CompanyOut, whose top-level `owner_id` decides who may receive it (by_owner)."""
from __future__ import annotations

from oorg.core import events

from ..schemas.companies import CompanyOut, company_out
from . import by_owner
from .contacts import notify_new_owner


class CompanyUpdatedData(CompanyOut):
    fields: list[str]
    bulk: bool = False  # one of a bulk change: its new owner is told once, by crm.records.bulk_updated


class CompanyMergedData(CompanyOut):
    source_id: int


def _company(company, data: dict) -> dict:
    return company_out(company)


def _updated(company, data: dict) -> dict:
    return {**company_out(company), "fields": list(data.get("fields") or []), "bulk": bool(data.get("bulk"))}


def _merged(company, data: dict) -> dict:
    return {**company_out(company), "source_id": int(data.get("source_id") or 0)}


_notify = notify_new_owner("company", "crm:company", "company_id")

events.register_types([
    events.EventType("crm.company.created", "A company was added.", payload=CompanyOut, build=_company,
                     notify=_notify, visible_to=by_owner()),
    events.EventType("crm.company.updated", "A company changed; `fields` names what changed.",
                     payload=CompanyUpdatedData, build=_updated, notify=_notify, visible_to=by_owner()),
    events.EventType("crm.company.deleted", "A company was deleted.", payload=CompanyOut, build=_company,
                     visible_to=by_owner()),
    events.EventType("crm.company.merged", "Another company was merged into this one (and deleted).",
                     payload=CompanyMergedData, build=_merged, visible_to=by_owner()),
], group="CRM")

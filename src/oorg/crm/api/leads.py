"""Leads: list (filters, q, ordering, cf.*), create, read, change, delete, and convert."""
from __future__ import annotations

from typing import Literal

from ninja import Query, Router, Schema, Status
from pydantic import Field

from oorg.core.api import Page, list_of, paginate
from oorg.core.schemas import Id

from .. import lists, records, scopes
from ..models import Lead
from ..schemas.leads import ConversionOut, ConvertIn, LeadIn, LeadOut, LeadPatch
from ..services import conversion, leads

router = Router(tags=["crm"])


class LeadFilters(Schema):
    status: str | None = Field(None, max_length=200, description="new, contacted, ... (several: comma-separated)")
    source: str | None = Field(None, max_length=200)
    owner_id: str | None = Field(None, max_length=20, description="a membership id, or none")
    tag: str | None = Field(None, max_length=200)
    created_from: str | None = Field(None, max_length=10, description="YYYY-MM-DD")
    created_to: str | None = Field(None, max_length=10, description="YYYY-MM-DD")
    q: str | None = Field(None, max_length=200)
    ordering: Literal["name", "-name", "created_at", "-created_at", "updated_at", "-updated_at"] | None = None


def _params(request, filters: LeadFilters) -> dict:
    params = {k: v for k, v in filters.model_dump().items() if v is not None}
    params.update({k: v for k, v in request.GET.items() if k.startswith("cf.")})
    return params


@router.get("/leads", response=list_of(LeadOut),
            summary="Leads you see: filter by status, source, owner_id, tag, created_from/to, q, cf.<name>")
def lead_list(request, filters: Query[LeadFilters], page: Query[Page]):
    return paginate(records.query(request.actor, lists.LEADS, _params(request, filters)), page)


@router.post("/leads", response={201: LeadOut}, summary="Create a lead (409 with existing_id for a duplicate)")
def lead_create(request, payload: LeadIn):
    values = payload.model_dump(exclude_unset=True)
    allow = values.pop("allow_duplicate", False)
    values.setdefault("source", Lead.Source.API)
    return Status(201, leads.create_lead(request.actor, allow_duplicate=allow, **values))


@router.get("/leads/{int:lead_id}", response=LeadOut, summary="One lead")
def lead_detail(request, lead_id: Id):
    return scopes.get_visible(request.actor, Lead, lead_id)


@router.patch("/leads/{int:lead_id}", response=LeadOut, summary="Change a lead (owner_id: crm.records.assign)")
def lead_update(request, lead_id: Id, payload: LeadPatch):
    lead = scopes.get_visible(request.actor, Lead, lead_id)
    return leads.update_lead(request.actor, lead, **payload.model_dump(exclude_unset=True))


@router.delete("/leads/{int:lead_id}", response={204: None}, summary="Delete a lead")
def lead_delete(request, lead_id: Id):
    leads.delete_lead(request.actor, scopes.get_visible(request.actor, Lead, lead_id))
    return Status(204, None)


@router.post("/leads/{int:lead_id}/convert", response=ConversionOut,
             summary="Convert a lead into a contact (+ company, + deal); 409 already_converted the second time")
def lead_convert(request, lead_id: Id, payload: ConvertIn):
    lead = scopes.get_visible(request.actor, Lead, lead_id)
    return conversion.convert_lead(request.actor, lead, **payload.model_dump()).as_dict()

"""Likely duplicates (records sharing an email, a phone or a domain) and merging two records into one."""
from __future__ import annotations

from ninja import Query, Router, Schema

from oorg.core.api import Page, check_page
from oorg.core.errors import ValidationFailed
from oorg.core.schemas import Id, StrictSchema

from ..models import Company, Contact, Lead
from ..schemas.companies import CompanyDetailOut
from ..schemas.contacts import ContactOut
from ..schemas.leads import LeadOut
from ..services import merge as services

router = Router(tags=["crm"])


class MergeIn(StrictSchema):
    target_id: Id
    source_id: Id


class DuplicateRecord(Schema):
    id: int
    name: str
    owner_id: int | None
    created_at: str
    email: str | None = None
    phone: str | None = None
    domain: str | None = None


class DuplicateGroup(Schema):
    key: str
    value: str
    count: int
    records: list[DuplicateRecord]


class DuplicateList(Schema):
    items: list[DuplicateGroup]
    count: int
    next_cursor: str | None = None


def _groups(request, model, page: Page) -> dict:
    check_page(page)
    if page.cursor:
        raise ValidationFailed("Duplicates are paged with offset.", field="cursor")
    return services.duplicate_groups(request.actor, model, limit=page.limit, offset=page.offset)


@router.get("/contacts/duplicates", response=DuplicateList, summary="Contacts sharing an email or a phone")
def contact_duplicates(request, page: Query[Page]):
    return _groups(request, Contact, page)


@router.get("/companies/duplicates", response=DuplicateList, summary="Companies sharing a domain")
def company_duplicates(request, page: Query[Page]):
    return _groups(request, Company, page)


@router.get("/leads/duplicates", response=DuplicateList, summary="Leads sharing an email or a phone")
def lead_duplicates(request, page: Query[Page]):
    return _groups(request, Lead, page)


@router.post("/contacts/merge", response=ContactOut, summary="Merge source_id into target_id (crm.records.delete)")
def contact_merge(request, payload: MergeIn):
    contact = services.merge_records(request.actor, Contact, target_id=payload.target_id, source_id=payload.source_id)
    return Contact.objects.prefetch_related("company_links").get(pk=contact.pk)


@router.post("/companies/merge", response=CompanyDetailOut, summary="Merge source_id into target_id")
def company_merge(request, payload: MergeIn):
    from .companies import detail_out

    company = services.merge_records(request.actor, Company, target_id=payload.target_id, source_id=payload.source_id)
    return detail_out(company)


@router.post("/leads/merge", response=LeadOut, summary="Merge source_id into target_id")
def lead_merge(request, payload: MergeIn):
    return services.merge_records(request.actor, Lead, target_id=payload.target_id, source_id=payload.source_id)

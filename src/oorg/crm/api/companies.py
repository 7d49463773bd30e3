"""Companies: list (filters, q, cf.<name>, ordering, pages), create, read, change, delete, their contacts."""
from __future__ import annotations

from ninja import Query, Router, Status
from pydantic import Field

from oorg.core.api import Page, list_of, paginate
from oorg.core.schemas import Id

from .. import records, scopes
from ..lists import SPECS
from ..models import Company, ContactCompany
from ..schemas.companies import CompanyDetailOut, CompanyIn, CompanyOut, CompanyPatch
from ..schemas.contacts import ContactOut
from ..services import companies as services
from .contacts import ContactFilters, contact_list_page

router = Router(tags=["crm"])


class CompanyFilters(Page):
    q: str | None = Field(None, max_length=200)
    owner_id: str | None = Field(None, max_length=20, description="a membership id, or none")
    tag: str | None = Field(None, max_length=200)
    industry: str | None = Field(None, max_length=200)
    size: str | None = Field(None, max_length=60)
    domain: str | None = Field(None, max_length=253)
    ordering: str | None = Field(None, max_length=40, description="name, created_at, updated_at; - reverses")


def detail_out(company: Company) -> dict:
    # Counted on the detail only; contacts the reader cannot see are counted too (the company's size, not a list).
    count = ContactCompany.objects.filter(company=company).count()
    return {**CompanyOut.from_orm(company).model_dump(), "contact_count": count}


@router.get("/companies", response=list_of(CompanyOut),
            summary="Companies you see: filters, q, cf.<name>=value, ordering")
def company_list(request, filters: Query[CompanyFilters]):
    return paginate(records.query(request.actor, SPECS["company"], request.GET), filters)


@router.post("/companies", response={201: CompanyDetailOut},
             summary="Create a company (409 with existing_id when the domain is taken)")
def company_create(request, payload: CompanyIn):
    return Status(201, detail_out(services.create_company(request.actor, **payload.model_dump())))


@router.get("/companies/{int:company_id}", response=CompanyDetailOut, summary="One company, with its contact count")
def company_detail(request, company_id: Id):
    return detail_out(scopes.get_visible(request.actor, Company, company_id))


@router.patch("/companies/{int:company_id}", response=CompanyDetailOut, summary="Change a company")
def company_update(request, company_id: Id, payload: CompanyPatch):
    company = scopes.get_visible(request.actor, Company, company_id)
    changes = payload.model_dump(exclude_unset=True)
    allow = changes.pop("allow_duplicate", False)
    return detail_out(services.update_company(request.actor, company, allow_duplicate=allow, **changes))


@router.delete("/companies/{int:company_id}", response={204: None}, summary="Delete a company")
def company_delete(request, company_id: Id):
    services.delete_company(request.actor, scopes.get_visible(request.actor, Company, company_id))
    return Status(204, None)


@router.get("/companies/{int:company_id}/contacts", response=list_of(ContactOut),
            summary="The contacts of a company that you see")
def company_contacts(request, company_id: Id, filters: Query[ContactFilters]):
    company = scopes.get_visible(request.actor, Company, company_id)
    params = {**{k: request.GET.get(k) for k in request.GET}, "company_id": str(company.pk)}
    return contact_list_page(request, records.query(request.actor, SPECS["contact"], params), filters)

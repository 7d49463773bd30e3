"""Contacts: list (filters, q, cf.<name>, ordering, pages), create, read, change, delete."""
from __future__ import annotations

from ninja import Query, Router, Status
from pydantic import Field

from oorg.core.api import Page, list_of, paginate
from oorg.core.schemas import Id

from .. import records, scopes
from ..lists import SPECS
from ..models import Contact
from ..schemas.contacts import ContactIn, ContactOut, ContactPatch
from ..services import contacts as services

router = Router(tags=["crm"])


class ContactFilters(Page):
    q: str | None = Field(None, max_length=200)
    owner_id: str | None = Field(None, max_length=20, description="a membership id, or none")
    tag: str | None = Field(None, max_length=200)
    company_id: str | None = Field(None, max_length=20)
    email: str | None = Field(None, max_length=254)
    created_from: str | None = Field(None, max_length=10)
    created_to: str | None = Field(None, max_length=10)
    ordering: str | None = Field(None, max_length=40, description="name, created_at, updated_at; - reverses")


def contact_list_page(request, queryset, page: Page) -> dict:
    return paginate(queryset.prefetch_related("company_links"), page)


@router.get("/contacts", response=list_of(ContactOut),
            summary="Contacts you see: filters, q, cf.<name>=value, ordering")
def contact_list(request, filters: Query[ContactFilters]):
    # The query string as sent: cf.<name> filters are not declared parameters.
    return contact_list_page(request, records.query(request.actor, SPECS["contact"], request.GET), filters)


@router.post("/contacts", response={201: ContactOut}, summary="Create a contact (409 with existing_id on a duplicate)")
def contact_create(request, payload: ContactIn):
    return Status(201, services.create_contact(request.actor, **payload.model_dump()))


def _get(request, contact_id: int) -> Contact:
    return scopes.get_visible(request.actor, Contact, contact_id,
                              Contact.objects.prefetch_related("company_links"))


@router.get("/contacts/{int:contact_id}", response=ContactOut, summary="One contact")
def contact_detail(request, contact_id: Id):
    return _get(request, contact_id)


@router.patch("/contacts/{int:contact_id}", response=ContactOut, summary="Change a contact")
def contact_update(request, contact_id: Id, payload: ContactPatch):
    contact = _get(request, contact_id)
    changes = payload.model_dump(exclude_unset=True)
    allow = changes.pop("allow_duplicate", False)
    services.update_contact(request.actor, contact, allow_duplicate=allow, **changes)
    return _get(request, contact_id)


@router.delete("/contacts/{int:contact_id}", response={204: None}, summary="Delete a contact")
def contact_delete(request, contact_id: Id):
    services.delete_contact(request.actor, _get(request, contact_id))
    return Status(204, None)

"""Custom field definitions: anyone who sees CRM records lists them (forms need them); crm.settings.manage
creates, changes and deletes them."""
from __future__ import annotations

from typing import Literal

from ninja import Query, Router, Status

from oorg.core.api import Page, list_of, paginate
from oorg.core.schemas import Id

from ..schemas.custom_fields import CustomFieldIn, CustomFieldOut, CustomFieldPatch
from ..services import custom_fields as services

router = Router(tags=["crm"])


class CustomFieldFilters(Page):
    entity: Literal["lead", "contact", "company", "deal"] | None = None


@router.get("/custom-fields", response=list_of(CustomFieldOut), summary="Custom fields, of one kind of record or all")
def custom_field_list(request, filters: Query[CustomFieldFilters]):
    return paginate(services.custom_fields_of(request.actor, filters.entity), filters)


@router.post("/custom-fields", response={201: CustomFieldOut}, summary="Add a custom field (crm.settings.manage)")
def custom_field_create(request, payload: CustomFieldIn):
    data = payload.model_dump(exclude_unset=True)
    return Status(201, services.create_custom_field(request.actor, **data))


@router.get("/custom-fields/{int:field_id}", response=CustomFieldOut, summary="One custom field")
def custom_field_detail(request, field_id: Id):
    return services.get_custom_field(request.actor, field_id)


@router.patch("/custom-fields/{int:field_id}", response=CustomFieldOut,
              summary="Change a custom field's label, choices or required (entity, name and type stay)")
def custom_field_update(request, field_id: Id, payload: CustomFieldPatch):
    field = services.get_custom_field(request.actor, field_id)
    return services.update_custom_field(request.actor, field, **payload.model_dump(exclude_unset=True))


@router.delete("/custom-fields/{int:field_id}", response={204: None},
               summary="Delete a custom field (stored values are kept, ignored)")
def custom_field_delete(request, field_id: Id):
    services.delete_custom_field(request.actor, services.get_custom_field(request.actor, field_id))
    return Status(204, None)

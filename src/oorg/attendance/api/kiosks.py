"""/api/v1/attendance/kiosks and the kiosk PINs (attendance/services/kiosks.py)."""
from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from oorg.core.api import Page, list_of, paginate
from oorg.core.schemas import Id, StrictSchema

from ..scopes import ATTENDANCE
from ..services import kiosks as services

router = Router(tags=["attendance"])


class KioskIn(StrictSchema):
    name: str = Field(max_length=80)
    branch_id: Id | None = None


class KioskPatch(StrictSchema):
    name: str | None = Field(None, max_length=80)
    branch_id: Id | None = None
    active: bool | None = None


class KioskOut(Schema):
    id: int
    name: str
    branch_id: int | None
    active: bool
    url: str = Field(description="The kiosk's page: open it on the shared device (needs no sign-in)")
    created_at: dt.datetime

    @staticmethod
    def resolve_url(obj) -> str:
        return services.public_url(obj)


class PinIn(StrictSchema):
    pin: str = Field(min_length=1, max_length=16, description="4 to 8 digits")


class MyPinIn(StrictSchema):
    pin: str = Field(min_length=1, max_length=16, description="4 to 8 digits")
    password: str | None = Field(None, max_length=200, description="Your password, checked when given")


@router.get("/attendance/kiosks", response=list_of(KioskOut), summary="Kiosks (shared clocking devices)")
def kiosk_list(request, filters: Query[Page]):
    return paginate(services.kiosk_list(request.actor), filters)


@router.post("/attendance/kiosks", response={201: KioskOut}, summary="Add a kiosk (answers its address)")
def kiosk_create(request, payload: KioskIn):
    kiosk, _url = services.create_kiosk(request.actor, **payload.model_dump(exclude_unset=True))
    return Status(201, kiosk)


@router.patch("/attendance/kiosks/{int:kiosk_id}", response=KioskOut, summary="Rename, move or deactivate")
def kiosk_update(request, kiosk_id: Id, payload: KioskPatch):
    kiosk = services.get_kiosk(request.actor, kiosk_id)
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if not (k != "branch_id" and v is None)}
    return services.update_kiosk(request.actor, kiosk, **changes)


@router.delete("/attendance/kiosks/{int:kiosk_id}", response={204: None}, summary="Delete a kiosk")
def kiosk_delete(request, kiosk_id: Id):
    services.delete_kiosk(request.actor, services.get_kiosk(request.actor, kiosk_id))
    return Status(204, None)


@router.post("/attendance/kiosks/{int:kiosk_id}/rotate-key", response=KioskOut,
             summary="A new address for the kiosk; the old one stops working")
def kiosk_rotate(request, kiosk_id: Id):
    kiosk, _url = services.rotate_kiosk_key(request.actor, services.get_kiosk(request.actor, kiosk_id))
    return kiosk


@router.put("/attendance/pins/{int:employee_id}", response={204: None}, summary="Set an employee's kiosk PIN")
def pin_set(request, employee_id: Id, payload: PinIn):
    services.require(request.actor, services.MANAGE)
    services.set_pin(request.actor, ATTENDANCE.get_employee(request.actor, employee_id), pin=payload.pin)
    return Status(204, None)


@router.delete("/attendance/pins/{int:employee_id}", response={204: None}, summary="Remove an employee's PIN")
def pin_clear(request, employee_id: Id):
    services.require(request.actor, services.MANAGE)
    services.clear_pin(request.actor, ATTENDANCE.get_employee(request.actor, employee_id))
    return Status(204, None)


@router.put("/attendance/my-pin", response={204: None}, summary="Set your own kiosk PIN")
def my_pin(request, payload: MyPinIn):
    services.set_my_pin(request.actor, pin=payload.pin, password=payload.password)
    return Status(204, None)

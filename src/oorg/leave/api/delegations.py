"""/api/v1/leave/delegations: one's own delegations of approvals while away (leave/services/delegations.py)."""
from __future__ import annotations

import datetime as dt

from ninja import Router, Schema, Status

from oorg.core.schemas import Id, StrictSchema

from ..services import delegations as services

router = Router(tags=["leave"])


class DelegationOut(Schema):
    id: int
    delegator_id: int
    delegate_id: int
    delegate_email: str
    starts_on: dt.date
    ends_on: dt.date
    active: bool


class DelegationList(Schema):
    items: list[DelegationOut]
    count: int


class DelegationIn(StrictSchema):
    delegate_id: Id
    starts_on: dt.date
    ends_on: dt.date


@router.get("/leave/delegations", response=DelegationList, summary="Your delegations of approvals")
def delegation_list(request):
    rows = list(services.my_delegations(request.actor)[:200])
    return {"items": [services.delegation_data(d) for d in rows], "count": len(rows)}


@router.post("/leave/delegations", response={201: DelegationOut},
             summary="Let another member decide your manager-step requests while you are away")
def delegation_create(request, payload: DelegationIn):
    return Status(201, services.delegation_data(services.create_delegation(request.actor, **payload.model_dump())))


@router.delete("/leave/delegations/{int:delegation_id}", response={204: None}, summary="End a delegation")
def delegation_delete(request, delegation_id: Id):
    services.delete_delegation(request.actor, services.get_delegation(request.actor, delegation_id))
    return Status(204, None)

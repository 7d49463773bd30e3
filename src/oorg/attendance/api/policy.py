"""/api/v1/attendance/policy: the workspace's clocking policy (attendance/services/policy.py)."""
from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Router, Schema

from oorg.core.permissions import require

from ..permissions import MANAGE
from ..services import policy as services

router = Router(tags=["attendance"])


class PolicyOut(Schema):
    outside_site: Literal["refuse", "flag"]
    require_location: bool
    ip_allow_list: list[str]
    forgotten_after_hours: int
    overtime_threshold_minutes: int
    kiosk_enabled: bool
    updated_at: dt.datetime


class PolicyIn(Schema):
    model_config = {"extra": "forbid"}

    outside_site: Literal["refuse", "flag"] | None = Field(None, description="Outside every allowed site")
    require_location: bool | None = None
    ip_allow_list: list[str] | None = Field(None, max_length=100, description="CIDRs; empty: any address")
    forgotten_after_hours: int | None = Field(None, ge=1, le=48)
    overtime_threshold_minutes: int | None = Field(None, ge=0, le=240)
    kiosk_enabled: bool | None = None


@router.get("/attendance/policy", response=PolicyOut, summary="The clocking policy")
def policy_detail(request):
    require(request.actor, MANAGE)
    return services.policy_for(request.actor)


@router.put("/attendance/policy", response=PolicyOut, summary="Change the clocking policy (the fields sent)")
def policy_update(request, payload: PolicyIn):
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    return services.update_policy(request.actor, **changes)

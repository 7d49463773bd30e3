"""Events of balances: an adjustment by hand tells the employee (notification kind `leave.balance_changed`).

The payload is the API answer of the ledger entry (LedgerEntryOut) plus the employee's account (`user_id`) and
a link to their balances page. Webhooks receive it only for readers who see everyone's leave (leave.view_all).
"""
from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from oorg.core import events
from oorg.core.models import Workspace

from ..api.balances import LedgerEntryOut

BALANCE_CHANGED = "leave.balance_changed"


class AdjustmentData(LedgerEntryOut):
    user_id: int | None
    url: str


def _balances_path(workspace_id: int) -> str:
    slug = Workspace.objects.filter(pk=workspace_id).values_list("slug", flat=True).first()
    if slug is None:
        return ""
    try:
        return reverse("leave:balances", kwargs={"workspace_slug": slug})
    except NoReverseMatch:
        return ""


def _adjustment(entry, data: dict) -> dict:
    from oorg.org.models import Employee

    member = (Employee.objects.filter(pk=entry.employee_id).select_related("member")
              .values_list("member__user_id", flat=True).first())
    return {**LedgerEntryOut.from_orm(entry).model_dump(mode="json"), "user_id": member,
            "url": _balances_path(entry.workspace_id)}


def notify_adjusted(event) -> list[events.Notice]:
    """The employee (when their record is linked to an account) is told how much and why."""
    data = event.data
    user_id = data.get("user_id")
    if not user_id:
        return []
    from decimal import Decimal

    from ..services.balances import show_days

    days = Decimal(str(data.get("days") or 0))
    name = (data.get("leave_type") or {}).get("name", "leave")
    noun = "day" if abs(days) == 1 else "days"
    return [events.Notice(user_id=user_id, kind=BALANCE_CHANGED,
                          title=f"Your {name[:1].lower() + name[1:]} balance changed by {show_days(days, sign=True)} "
                                f"{noun}: {data.get('reason', '')}"[:200],
                          body=data.get("reason", ""), url=data.get("url") or "")]


def _sees_everyones_leave(actor, data: dict) -> bool:
    return bool(actor is not None and actor.can("leave.view_all"))


events.register_kinds([
    events.Kind(BALANCE_CHANGED, "Your leave balance changed",
                description="HR added days to one of your leave balances or took some away, with a reason."),
], group="Leave")

events.register_types([
    events.EventType("leave.balance.adjusted", "HR adjusted an employee's leave balance by hand (days and reason).",
                     payload=AdjustmentData, build=_adjustment, notify=notify_adjusted,
                     visible_to=_sees_everyones_leave),
], group="Leave")

"""The forecast: open deals the actor sees (not in a won or lost stage), their amounts and weighted amounts
(amount × stage probability / 100) by month of expected close and by owner, per currency (never summed across
currencies). Summed by the database in two grouped queries, whatever the number of deals."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum
from django.db.models.functions import TruncMonth

from oorg.core.errors import Problems, ValidationFailed

from .. import fields, scopes
from ..models import Deal

CENT = Decimal("0.01")


def _decimal(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def open_deals(actor, *, pipeline_id=None, close_from: dt.date | None = None, close_to: dt.date | None = None):
    deals = scopes.visible(actor, Deal).filter(stage__is_won=False, stage__is_lost=False)
    if pipeline_id:
        deals = deals.filter(pipeline_id=pipeline_id)
    if close_from:
        deals = deals.filter(expected_close_date__gte=close_from)
    if close_to:
        deals = deals.filter(expected_close_date__lte=close_to)
    return deals


def clean_params(params) -> dict:
    """pipeline_id, from, to of a query string (or a dict), checked together."""
    out = {}
    with Problems() as problems:
        raw = str(params.get("pipeline_id") or params.get("pipeline") or "").strip()
        if raw:
            try:
                out["pipeline_id"] = int(raw)
            except ValueError:
                problems.add(ValidationFailed("pipeline_id is a number.", field="pipeline_id"))
        for name, key in (("from", "close_from"), ("to", "close_to")):
            with problems.check():
                value = str(params.get(name) or "").strip()
                if value:
                    out[key] = fields.clean_date(value, name)
    return out


def forecast(actor, *, pipeline_id=None, close_from=None, close_to=None) -> dict:
    deals = open_deals(actor, pipeline_id=pipeline_id, close_from=close_from, close_to=close_to)
    weighted = ExpressionWrapper(F("amount") * F("stage__probability"),
                                 output_field=DecimalField(max_digits=24, decimal_places=2))
    sums = {"amount_sum": Sum("amount"), "weighted_sum": Sum(weighted), "deals": Count("id")}
    by_month = (deals.annotate(month=TruncMonth("expected_close_date")).values("month", "currency")
                .annotate(**sums).order_by(F("month").asc(nulls_last=True), "currency"))
    by_owner = (deals.values("owner_id", "owner__user__full_name", "currency").annotate(**sums)
                .order_by("owner__user__full_name", "owner_id", "currency"))

    def amounts(row) -> dict:
        return {"currency": row["currency"], "amount": f"{_decimal(row['amount_sum']):.2f}",
                "weighted": f"{(_decimal(row['weighted_sum']) / 100).quantize(CENT):.2f}", "count": row["deals"]}

    def month_of(value) -> str | None:
        if value is None:
            return None
        if isinstance(value, str):
            return value[:7]
        return f"{value.year:04d}-{value.month:02d}"

    return {"by_month": [{"month": month_of(r["month"]), **amounts(r)} for r in by_month],
            "by_owner": [{"owner_id": r["owner_id"], "owner_name": r["owner__user__full_name"], **amounts(r)}
                         for r in by_owner]}

"""The forecast page: open deals' amounts and weighted amounts by month of expected close (a bar chart drawn
as inline SVG on the server, no script, with the table beside it as its text equivalent) and by owner, per
currency. The numbers are the API's (crm/services/forecast.py)."""
from __future__ import annotations

from decimal import Decimal

from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from oorg.core.errors import DomainError

from .. import scopes
from ..services import forecast as forecasting
from ..services import pipelines as pipeline_services

BAR_WIDTH = 240  # the SVG's bar area, in its own units (it scales to the page)


def _charts(rows: list[dict]) -> list[dict]:
    """One chart per currency: a row per month, the amount bar and the weighted bar inside it."""
    charts: dict[str, list] = {}
    for row in rows:
        charts.setdefault(row["currency"], []).append(row)
    out = []
    for currency, months in charts.items():
        top = max((Decimal(m["amount"]) for m in months), default=Decimal(0)) or Decimal(1)
        bars = []
        for i, m in enumerate(months):
            amount, weighted = Decimal(m["amount"]), Decimal(m["weighted"])
            bars.append({**m, "label": m["month"] or "No date", "y": i * 28,
                         "amount_width": max(int(amount / top * BAR_WIDTH), 1 if amount else 0),
                         "weighted_width": max(int(weighted / top * BAR_WIDTH), 1 if weighted else 0),
                         "text_y": i * 28 + 15})
        out.append({"currency": currency, "bars": bars, "height": len(bars) * 28, "width": BAR_WIDTH + 90,
                    "bar_x": 70})
    return out


@require_safe
def forecast(request, workspace_slug):
    actor = request.actor
    scopes.require_scope(actor)
    pipelines = list(pipeline_services.pipelines_for(actor))
    error = None
    try:
        params = forecasting.clean_params(request.GET)
    except DomainError as exc:
        params, error = {}, exc.message
    numbers = forecasting.forecast(actor, **params)
    context = {"pipelines": pipelines, "params": params, "error": error, "by_month": numbers["by_month"],
               "by_owner": numbers["by_owner"], "charts": _charts(numbers["by_month"]),
               "sent": {k: request.GET.get(k, "") for k in ("from", "to")}}
    return render(request, "crm/forecast/forecast.html", context, status=422 if error else 200)


urlpatterns = [path("forecast/", forecast, name="forecast")]

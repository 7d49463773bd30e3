"""The pipeline board: one column per stage, the deals the actor sees as cards, newest move first.

Each column shows at most CAP cards (the rest: a "N more" link to the filtered deals list) and its totals per
currency, weighted by the stage's probability. Cards move by drag and drop (static/crm/board.js, SortableJS),
by keyboard (ArrowLeft/ArrowRight on a focused card, or its move buttons), or without JavaScript through the
same buttons, which are plain POST forms (POST/redirect/GET). The script posts the same form with
`Accept: application/json` and gets the message and the new column totals back.
"""
from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.db.models import Count, Sum
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST, require_safe

from oorg.core.errors import DomainError, NotFound
from oorg.core.forms import redirect_get_to
from oorg.core.models import Membership

from .. import lists, records, scopes
from ..permissions import EDIT
from ..services import deals as deal_services
from ..services import pipelines as pipeline_services
from .deals import deals_url, money, owner_label

CAP = 50
KEPT = ("pipeline", "owner_id", "q")  # the board's own query: kept across a move


def _pipeline(request):
    actor = request.actor
    pipelines = list(pipeline_services.pipelines_for(actor))
    if not pipelines:
        pipeline_services.ensure_default_pipeline(actor.workspace)
        pipelines = list(pipeline_services.pipelines_for(actor))
    wanted = request.GET.get("pipeline")
    chosen = next((p for p in pipelines if str(p.pk) == wanted), None) if wanted else None
    if wanted and chosen is None:
        raise NotFound("No such pipeline.")
    return pipelines, chosen or pipelines[0]


def column_totals(actor, pipeline, params: dict) -> dict[int, dict]:
    """{stage id: {"count", "totals": [{"currency", "amount", "weighted"} as text]}}: one grouped query."""
    deals = records.query(actor, lists.DEALS, {**params, "pipeline_id": str(pipeline.pk)}, ordered=False)
    probability = {s.pk: s.probability for s in pipeline.stages.all()}
    found: dict[int, dict] = {pk: {"count": 0, "totals": []} for pk in probability}
    rows = deals.values("stage_id", "currency").annotate(n=Count("id"), total=Sum("amount")).order_by("currency")
    for row in rows:
        column = found.setdefault(row["stage_id"], {"count": 0, "totals": []})
        total = Decimal(str(row["total"] or 0)).quantize(Decimal("0.01"))
        weighted = (total * probability.get(row["stage_id"], 0) / 100).quantize(Decimal("0.01"))
        column["count"] += row["n"]
        column["totals"].append({"currency": row["currency"], "amount": money(total, row["currency"]),
                                 "weighted": money(weighted, row["currency"])})
    return found


CARD = ("id", "name", "amount", "currency", "expected_close_date", "owner__user__full_name", "owner__user__email")


def stage_cards(actor, pipeline, params: dict, stage_ids, cap: int = CAP) -> dict[int, list[dict]]:
    """{stage id: its first `cap` cards, newest move first}: per stage one range read of the index
    crm_deal_by_stage (workspace, stage, stage_changed_at, id), the card's columns only (no model instances)."""
    deals = records.query(actor, lists.DEALS, {**params, "pipeline_id": str(pipeline.pk)}, ordered=False)
    found = {}
    for stage_id in stage_ids:
        rows = deals.filter(stage_id=stage_id).order_by("-stage_changed_at", "-id").values_list(*CARD)[:cap]
        found[stage_id] = [{"pk": pk, "name": name, "amount": money(amount, currency),
                            "owner": (full_name or email) if email is not None else "nobody",
                            "expected_close_date": close}
                           for pk, name, amount, currency, close, full_name, email in rows]
    return found


def _filters(request) -> dict:
    return {k: request.GET.get(k, "").strip() for k in ("owner_id", "q") if request.GET.get(k, "").strip()}


@require_safe
def board(request, workspace_slug):
    actor = request.actor
    scopes.require_scope(actor)
    pipelines, pipeline = _pipeline(request)
    filters = _filters(request)
    stages = sorted(pipeline.stages.all(), key=lambda s: (s.position, s.pk))
    totals = column_totals(actor, pipeline, filters)
    cards_of = stage_cards(actor, pipeline, filters, [s.pk for s in stages], CAP)
    back = urlencode({"pipeline": pipeline.pk, **filters})
    columns = []
    for index, stage in enumerate(stages):
        cards = cards_of[stage.pk]
        count = totals[stage.pk]["count"]
        columns.append({
            "stage": stage, "cards": [{"deal": card, "amount": card["amount"], "owner": card["owner"]}
                                      for card in cards],
            "count": count, "totals": totals[stage.pk]["totals"], "more": max(count - len(cards), 0),
            "more_url": deals_url(workspace_slug, pipeline_id=pipeline.pk, stage_id=stage.pk, **filters),
            "prev": stages[index - 1] if index > 0 else None,
            "next": stages[index + 1] if index + 1 < len(stages) else None})
    owners = Membership.objects.filter(is_active=True).select_related("user").order_by("user__full_name", "pk")
    if scopes.scope_of(actor) == scopes.OWN:
        owners = owners.filter(pk=getattr(actor.membership, "pk", None))
    context = {"pipelines": pipelines, "pipeline": pipeline, "columns": columns, "filters": filters, "back": back,
               "owners": [(m.pk, owner_label(m)) for m in owners[:200]], "can_move": actor.can(EDIT), "cap": CAP}
    return render(request, "crm/board/board.html", context)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back_url(request, workspace_slug, pipeline_id) -> str:
    from django.http import QueryDict

    sent = QueryDict(request.POST.get("back", ""))
    kept = {k: sent.get(k) for k in KEPT if sent.get(k)}
    kept["pipeline"] = kept.get("pipeline") or pipeline_id
    return f"{reverse('crm:board', kwargs={'workspace_slug': workspace_slug})}?{urlencode(kept)}"


@redirect_get_to("crm:board")
@require_POST
def board_move(request, workspace_slug, deal_id: int):
    """Move a card to another stage of its pipeline (stage_id): the board's forms and its script post here."""
    actor = request.actor
    deal = deal_services.get_deal(actor, deal_id)
    try:
        deal = deal_services.move_deal(actor, deal, request.POST.get("stage_id"))
    except NotFound:
        raise
    except DomainError as exc:
        if _wants_json(request):
            return JsonResponse({"message": f"{deal.name} was not moved: {exc.message}"}, status=exc.status)
        messages.error(request, f"{deal.name} was not moved: {exc.message}")
        return redirect(_back_url(request, workspace_slug, deal.pipeline_id))
    message = f"Deal {deal.name} moved to {deal.stage.name}"
    if _wants_json(request):
        from django.http import QueryDict

        sent = QueryDict(request.POST.get("back", ""))
        params = {k: sent.get(k) for k in ("owner_id", "q") if sent.get(k)}
        totals = column_totals(actor, deal.pipeline, params)
        return JsonResponse({"message": message, "deal_id": deal.pk, "stage_id": deal.stage_id,
                             "columns": {str(k): v for k, v in totals.items()}})
    messages.success(request, message + ".")
    return redirect(_back_url(request, workspace_slug, deal.pipeline_id))


urlpatterns = [
    path("board/", board, name="board"),
    path("board/deals/<int:deal_id>/move", board_move, name="board-move"),
]

"""Deals: list, create, read, change, move, delete; their stage changes; and the forecast."""
import datetime as dt

from ninja import Query, Router, Schema, Status
from pydantic import Field

from oorg.core.api import Page, list_of, paginate
from oorg.core.schemas import Id

from .. import lists, records
from ..schemas.deals import DealIn, DealMoveIn, DealOut, DealPatch, ForecastOut, StageChangeOut
from ..services import deals as services
from ..services import forecast as forecasting

router = Router(tags=["crm"])


class DealFilters(Schema):
    pipeline_id: str | None = Field(None, max_length=20)
    stage_id: str | None = Field(None, max_length=20)
    contact_id: str | None = Field(None, max_length=20)
    company_id: str | None = Field(None, max_length=20)
    owner_id: str | None = Field(None, max_length=20)
    currency: str | None = Field(None, max_length=10)
    close_from: str | None = Field(None, max_length=40)
    close_to: str | None = Field(None, max_length=40)
    tag: str | None = Field(None, max_length=200)
    q: str | None = Field(None, max_length=400)
    ordering: str | None = Field(None, max_length=40)


class ForecastFilters(Schema):
    pipeline_id: Id | None = None
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None


# Fixed paths first: /deals/forecast before /deals/{id}.
@router.get("/deals/forecast", response=ForecastOut,
            summary="Open deals' amounts and weighted amounts by month of expected close and by owner, per currency")
def deal_forecast(request, filters: Query[ForecastFilters]):
    return forecasting.forecast(request.actor, pipeline_id=filters.pipeline_id, close_from=filters.from_,
                                close_to=filters.to)


@router.get("/deals", response=list_of(DealOut), summary="Deals (filters, q, cf.<name>, ordering)")
def deal_list(request, filters: Query[DealFilters], page: Query[Page]):
    return paginate(records.query(request.actor, lists.DEALS, request.GET), page)


@router.post("/deals", response={201: DealOut}, summary="Create a deal")
def deal_create(request, payload: DealIn):
    return Status(201, services.create_deal(request.actor, **payload.model_dump(exclude_unset=True)))


@router.get("/deals/{int:deal_id}", response=DealOut, summary="One deal")
def deal_detail(request, deal_id: Id):
    return services.get_deal(request.actor, deal_id)


@router.patch("/deals/{int:deal_id}", response=DealOut, summary="Change a deal (a new stage_id is a stage change)")
def deal_update(request, deal_id: Id, payload: DealPatch):
    deal = services.get_deal(request.actor, deal_id)
    return services.update_deal(request.actor, deal, **payload.model_dump(exclude_unset=True))


@router.post("/deals/{int:deal_id}/move", response=DealOut, summary="Move a deal to another stage of its pipeline")
def deal_move(request, deal_id: Id, payload: DealMoveIn):
    deal = services.get_deal(request.actor, deal_id)
    return services.move_deal(request.actor, deal, payload.stage_id)


@router.get("/deals/{int:deal_id}/stage-changes", response=list_of(StageChangeOut),
            summary="A deal's stage changes, newest first")
def deal_stage_changes(request, deal_id: Id, page: Query[Page]):
    deal = services.get_deal(request.actor, deal_id)
    return paginate(services.stage_changes_of(deal), page)


@router.delete("/deals/{int:deal_id}", response={204: None}, summary="Delete a deal")
def deal_delete(request, deal_id: Id):
    services.delete_deal(request.actor, services.get_deal(request.actor, deal_id))
    return Status(204, None)

"""Pipelines and their stages (reading: every CRM viewer; changing: crm.settings.manage)."""
from ninja import Query, Router, Status

from oorg.core.api import Page, list_of, paginate
from oorg.core.schemas import Id

from ..schemas.pipelines import PipelineIn, PipelineOut, PipelinePatch
from ..services import pipelines as services

router = Router(tags=["crm"])


def _stages(payload) -> list[dict] | None:
    return None if payload.stages is None else [s.model_dump(exclude_none=True) for s in payload.stages]


@router.get("/pipelines", response=list_of(PipelineOut), summary="Pipelines, in order")
def pipeline_list(request, page: Query[Page]):
    return paginate(services.pipelines_for(request.actor), page)


@router.post("/pipelines", response={201: PipelineOut}, summary="Create a pipeline with its stages")
def pipeline_create(request, payload: PipelineIn):
    pipeline = services.create_pipeline(request.actor, name=payload.name, stages=_stages(payload),
                                        assignees=payload.assignees)
    return Status(201, services.get_pipeline(request.actor, pipeline.pk))


@router.get("/pipelines/{int:pipeline_id}", response=PipelineOut, summary="One pipeline")
def pipeline_detail(request, pipeline_id: Id):
    return services.get_pipeline(request.actor, pipeline_id)


@router.patch("/pipelines/{int:pipeline_id}", response=PipelineOut,
              summary="Rename, change stages (kept by id, added, removed if empty) or the round-robin")
def pipeline_update(request, pipeline_id: Id, payload: PipelinePatch):
    pipeline = services.get_pipeline(request.actor, pipeline_id)
    return services.update_pipeline(request.actor, pipeline, name=payload.name, stages=_stages(payload),
                                    assignees=payload.assignees)


@router.delete("/pipelines/{int:pipeline_id}", response={204: None}, summary="Delete a pipeline without deals")
def pipeline_delete(request, pipeline_id: Id):
    services.delete_pipeline(request.actor, services.get_pipeline(request.actor, pipeline_id))
    return Status(204, None)

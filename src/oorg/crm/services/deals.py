"""Deals: create, change, move between stages, delete. One door for the API, the pages and the board.

A stage change (a PATCH of stage_id, or a move on the board) is recorded with who and when (StageChange), on
the deal's timeline, and as the `crm.deal.stage_changed` event; entering a won or lost stage closes the deal
(closed_at), leaving it reopens it. A deal made without an owner goes to the pipeline's next assignee in turn
(round-robin), else to whoever made it. Giving a deal to someone else tells them (crm.assigned).
"""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from oorg.core import audit
from oorg.core.errors import Problems, ValidationFailed
from oorg.core.permissions import require

from .. import custom_fields, fields, scopes, timeline
from ..models import Company, Contact, Deal, Pipeline, Stage, StageChange
from ..permissions import DELETE, EDIT
from . import pipelines as pipeline_services

FIELDS = ("name", "amount", "currency", "expected_close_date", "pipeline_id", "stage_id", "owner_id", "contact_id",
          "company_id", "tags", "custom_fields")


def get_deal(actor, pk) -> Deal:
    return scopes.get_visible(actor, Deal, pk, Deal.objects.select_related("stage", "pipeline", "owner__user",
                                                                           "contact", "company"))


def _visible_link(actor, model, value, field: str):
    if value in (None, ""):
        return None
    try:
        pk = int(value)
    except (TypeError, ValueError):
        pk = None
    found = scopes.visible(actor, model).filter(pk=pk).first() if pk else None
    if found is None:
        raise ValidationFailed(f"No such {model._meta.verbose_name} that you can see.", field=field)
    return found


def _pipeline_and_stage(deal: Deal | None, data: dict, problems: Problems):
    """The deal's pipeline and stage after the change: a stage must be in the pipeline; a new pipeline without
    a stage starts at its first stage only when the deal is new (moving a deal needs a stage of the new one)."""
    pipeline = deal.pipeline if deal is not None else None
    if "pipeline_id" in data or deal is None:
        raw = data.get("pipeline_id")
        if raw in (None, ""):
            if deal is None:
                pipeline = pipeline_services.first_pipeline()
                if pipeline is None:
                    problems.add(ValidationFailed("Create a pipeline first.", field="pipeline_id"))
                    return None, None
        else:
            try:
                pipeline = Pipeline.objects.filter(pk=int(raw)).first()
            except (TypeError, ValueError):
                pipeline = None
            if pipeline is None:
                problems.add(ValidationFailed("No such pipeline.", field="pipeline_id"))
                return None, None
    stage = deal.stage if deal is not None else None
    raw_stage = data.get("stage_id")
    if raw_stage not in (None, ""):
        try:
            stage = Stage.objects.filter(pk=int(raw_stage)).first()
        except (TypeError, ValueError):
            stage = None
        if stage is None or stage.pipeline_id != pipeline.pk:
            problems.add(ValidationFailed(f"Choose a stage of the pipeline {pipeline.name}.", field="stage_id"))
            return pipeline, None
    elif deal is None or (deal is not None and pipeline.pk != deal.pipeline_id):
        if deal is not None:
            problems.add(ValidationFailed(f"Moving a deal to pipeline {pipeline.name} needs one of its stages.",
                                          field="stage_id"))
            return pipeline, None
        stage = pipeline.stages.order_by("position", "id").first()
        if stage is None:
            problems.add(ValidationFailed(f"Pipeline {pipeline.name} has no stages.", field="stage_id"))
    return pipeline, stage


def check_deal(actor, deal: Deal | None, data: dict, *, unchecked=()) -> list:
    """Every problem `data` would be refused for, without saving (the deal form's ServiceForm calls it)."""
    problems = Problems(unchecked=unchecked)
    _clean(actor, deal, data, problems)
    return list(problems)


def _clean(actor, deal: Deal | None, data: dict, problems: Problems) -> dict:
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown deal fields: {sorted(unknown)}")
    values = {}
    skip = problems.about

    def check(name, clean):
        if name in data and not skip(name):
            with problems.check():
                values[name] = clean(data[name])

    if deal is None or "name" in data:
        if not skip("name"):
            with problems.check():
                values["name"] = fields.clean_text(data.get("name"), "name", max_length=200, required=True)
    check("amount", fields.clean_amount)
    check("currency", lambda v: fields.clean_currency(v) if v not in (None, "") else "EUR")
    check("expected_close_date", lambda v: fields.clean_date(v, "expected_close_date"))
    check("tags", fields.clean_tags)
    check("owner_id", lambda v: fields.clean_owner(actor, v))
    check("contact_id", lambda v: _visible_link(actor, Contact, v, "contact_id"))
    check("company_id", lambda v: _visible_link(actor, Company, v, "company_id"))
    if not skip("pipeline_id", "stage_id"):
        pipeline, stage = _pipeline_and_stage(deal, data, problems)
        if stage is not None:
            values["pipeline"], values["stage"] = pipeline, stage
    if "custom_fields" in data or deal is None:
        values["custom_fields"] = custom_fields.clean_values(
            "deal", data.get("custom_fields") or {}, current=deal.custom_fields if deal else None, problems=problems)
    return values


def _apply(deal: Deal, values: dict) -> list[str]:
    renamed = {"owner_id": "owner", "contact_id": "contact", "company_id": "company"}
    changed = []
    for key, value in values.items():
        name = renamed.get(key, key)
        before = getattr(deal, f"{name}_id") if name in ("owner", "contact", "company", "pipeline", "stage") \
            else getattr(deal, name)
        after = getattr(value, "pk", value)
        if before != after:
            setattr(deal, name, value)
            changed.append(name)
    return changed


def create_deal(actor, **data) -> Deal:
    require(actor, EDIT)
    scopes.require_scope(actor)
    with Problems() as problems:
        values = _clean(actor, None, data, problems)
    owner = values.pop("owner_id", None)
    with transaction.atomic():
        if owner is None:
            owner = pipeline_services.next_assignee(values["pipeline"]) or actor.membership
        deal = Deal(workspace=actor.workspace, owner=owner, created_by=actor.user)
        _apply(deal, values)
        if deal.stage.is_won or deal.stage.is_lost:
            deal.closed_at = timezone.now()
        deal.save()
        timeline.add(deal, timeline.Kind.CREATED, f"Deal created in {deal.stage.name}", actor=actor)
        audit.record(actor, "crm.deal.created", deal, fields=sorted(data))
    return deal


def _move(actor, deal: Deal, from_stage: Stage, to_stage: Stage) -> StageChange:
    now = timezone.now()
    deal.stage_changed_at = now
    closes = to_stage.is_won or to_stage.is_lost
    deal.closed_at = (deal.closed_at or now) if closes else None
    change = StageChange.objects.create(workspace=deal.workspace, deal=deal, from_stage=from_stage, to_stage=to_stage,
                                        by=actor.user)
    timeline.add(deal, timeline.Kind.STAGE_CHANGE, f"Moved from {from_stage.name} to {to_stage.name}", actor=actor,
                 data={"from_stage_id": from_stage.pk, "to_stage_id": to_stage.pk}, stage_change=change)
    return change


def update_deal(actor, deal: Deal, **data) -> Deal:
    require(actor, EDIT, deal)
    from_stage, from_owner = deal.stage, deal.owner
    with Problems() as problems:
        values = _clean(actor, deal, data, problems)
    with transaction.atomic():
        changed = _apply(deal, values)
        if not changed:
            return deal
        moved = "stage" in changed
        if moved:
            _move(actor, deal, from_stage, deal.stage)
        deal.save()
        if "owner" in changed:
            _assigned(actor, deal, from_owner)
        others = [c for c in changed if c not in ("stage", "pipeline")]
        if others or not moved:
            audit.record(actor, "crm.deal.updated", deal, fields=changed)
        if moved:
            audit.record(actor, "crm.deal.stage_changed", deal, from_stage=from_stage.name,
                         to_stage=deal.stage.name, from_stage_id=from_stage.pk)
    return deal


def move_deal(actor, deal: Deal, stage_id) -> Deal:
    """The board's move: only the stage (of the deal's own pipeline)."""
    if stage_id in (None, ""):
        raise ValidationFailed("Choose a stage.", field="stage_id")
    return update_deal(actor, deal, stage_id=stage_id)


def _assigned(actor, deal: Deal, from_owner) -> None:
    new = deal.owner
    name = new.user.full_name if new is not None else "nobody"
    timeline.add(deal, timeline.Kind.ASSIGNMENT, f"Owner changed to {name}", actor=actor,
                 data={"from_owner_id": getattr(from_owner, "pk", None), "to_owner_id": getattr(new, "pk", None)})


def delete_deal(actor, deal: Deal) -> None:
    require(actor, DELETE, deal)
    with transaction.atomic():
        audit.record(actor, "crm.deal.deleted", deal)
        deal.delete()


def stage_changes_of(deal: Deal):
    return (StageChange.objects.filter(deal=deal).select_related("from_stage", "to_stage", "by")
            .order_by("-at", "-id"))

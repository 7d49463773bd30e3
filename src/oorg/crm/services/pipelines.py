"""Pipelines and their stages, and who gets a pipeline's new deals in turn (round-robin).

Every CRM viewer reads pipelines (the board and the deal form need them); changing them takes
crm.settings.manage. A stage with deals in it is never removed, and a pipeline with deals is never deleted:
the deals would lose their place (409 naming what blocks it).
"""
from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from oorg.core import audit
from oorg.core.errors import Conflict, NotFound, Problems, ValidationFailed
from oorg.core.models import Membership
from oorg.core.permissions import require

from .. import fields, scopes
from ..models import Deal, Pipeline, Stage
from ..permissions import SETTINGS

MAX_STAGES = 30
DEFAULT_STAGES = [("Qualified", 20, False, False), ("Proposal", 50, False, False), ("Negotiation", 80, False, False),
                  ("Won", 100, True, False), ("Lost", 0, False, True)]


def pipelines_for(actor) -> QuerySet:
    scopes.require_scope(actor)
    return Pipeline.objects.order_by("position", "id").prefetch_related("stages")


def get_pipeline(actor, pk) -> Pipeline:
    pipeline = pipelines_for(actor).filter(pk=pk).first()
    if pipeline is None:
        raise NotFound("No such pipeline.")
    return pipeline


def first_pipeline() -> Pipeline | None:
    return Pipeline.objects.order_by("position", "id").first()


def ensure_default_pipeline(workspace) -> Pipeline:
    """The workspace's first pipeline; a "Sales" pipeline with the usual five stages when it has none."""
    with transaction.atomic():
        existing = first_pipeline()
        if existing is not None:
            return existing
        pipeline = Pipeline.objects.create(workspace=workspace, name="Sales")
        Stage.objects.bulk_create([Stage(workspace=workspace, pipeline=pipeline, name=name, probability=p, position=i,
                                         is_won=won, is_lost=lost)
                                   for i, (name, p, won, lost) in enumerate(DEFAULT_STAGES)])
    return pipeline


# --- checks ------------------------------------------------------------------------------------------------


def _flag(value, where: str) -> bool:
    if value in (None, ""):
        return False
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "1", "on", "yes"):
        return True
    if str(value).lower() in ("false", "0", "off", "no"):
        return False
    raise ValidationFailed("Answer true or false.", field=where)


def clean_stages(stages, problems: Problems, *, pipeline: Pipeline | None = None) -> list[dict]:
    """[{"id"?, "name", "probability", "is_won", "is_lost"}] in order, each checked; problems name
    `stages.<n>.<field>`."""
    if not isinstance(stages, list | tuple):
        problems.add(ValidationFailed("stages is a list of stages.", field="stages"))
        return []
    if not 1 <= len(stages) <= MAX_STAGES:
        problems.add(ValidationFailed(f"A pipeline has 1 to {MAX_STAGES} stages.", field="stages"))
    own_ids = set(pipeline.stages.values_list("pk", flat=True)) if pipeline is not None else set()
    cleaned, seen_names, seen_ids = [], {}, set()
    for n, raw in enumerate(stages[:MAX_STAGES]):
        raw = raw if isinstance(raw, dict) else {}
        where = f"stages.{n}"
        stage = {"id": None}
        with problems.check():
            stage["name"] = fields.clean_text(raw.get("name"), f"{where}.name", max_length=80, required=True,
                                              label="A stage's name")
        with problems.check():
            try:
                probability = int(raw.get("probability") if raw.get("probability") not in (None, "") else -1)
            except (TypeError, ValueError):
                probability = -1
            if not 0 <= probability <= 100 or isinstance(raw.get("probability"), bool):
                raise ValidationFailed("A probability is a whole number from 0 to 100.",
                                       field=f"{where}.probability")
            stage["probability"] = probability
        with problems.check():
            stage["is_won"] = _flag(raw.get("is_won"), f"{where}.is_won")
        with problems.check():
            stage["is_lost"] = _flag(raw.get("is_lost"), f"{where}.is_lost")
        if stage.get("is_won") and stage.get("is_lost"):
            problems.add(ValidationFailed("A stage is won or lost, not both.", field=f"{where}.is_lost"))
        if raw.get("id") not in (None, ""):
            try:
                stage_id = int(raw["id"])
            except (TypeError, ValueError):
                stage_id = None
            if stage_id not in own_ids or stage_id in seen_ids:
                problems.add(ValidationFailed("No such stage in this pipeline.", field=f"{where}.id"))
            else:
                stage["id"] = stage_id
                seen_ids.add(stage_id)
        name = stage.get("name")
        if name:
            if name.lower() in seen_names:
                problems.add(ValidationFailed(f"Two stages are called {name!r}; each needs its own name.",
                                              field=f"{where}.name", code="duplicate"))
            seen_names[name.lower()] = n
        cleaned.append(stage)
    return cleaned


def clean_assignees(value, problems: Problems) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        problems.add(ValidationFailed("assignees is a list of member ids.", field="assignees"))
        return []
    wanted = []
    for item in value:
        try:
            number = int(item)
        except (TypeError, ValueError):
            problems.add(ValidationFailed("assignees is a list of member ids.", field="assignees"))
            return []
        if number not in wanted:
            wanted.append(number)
    found = set(Membership.objects.filter(pk__in=wanted, is_active=True).values_list("pk", flat=True))
    if set(wanted) - found:
        problems.add(ValidationFailed("Choose active members of the workspace for the round-robin.",
                                      field="assignees"))
    return wanted


def _clean_name(name, problems: Problems, *, pipeline: Pipeline | None = None) -> str | None:
    with problems.check():
        name = fields.clean_text(name, "name", max_length=120, required=True)
        taken = Pipeline.objects.filter(name__iexact=name)
        if pipeline is not None:
            taken = taken.exclude(pk=pipeline.pk)
        if taken.exists():
            raise Conflict(f"A pipeline called {name!r} exists already.", field="name", code="duplicate")
        return name
    return None


# --- writes ------------------------------------------------------------------------------------------------


def create_pipeline(actor, *, name, stages, assignees=None) -> Pipeline:
    require(actor, SETTINGS)
    with Problems() as problems:
        name = _clean_name(name, problems)
        cleaned = clean_stages(stages, problems)
        assignees = clean_assignees(assignees, problems)
    with transaction.atomic():
        last = Pipeline.objects.order_by("-position").values_list("position", flat=True).first()
        pipeline = Pipeline.objects.create(workspace=actor.workspace, name=name, assignees=assignees,
                                           position=(last or 0) + 1 if last is not None else 0)
        Stage.objects.bulk_create([Stage(workspace=actor.workspace, pipeline=pipeline, name=s["name"],
                                         probability=s["probability"], position=i, is_won=s["is_won"],
                                         is_lost=s["is_lost"]) for i, s in enumerate(cleaned)])
        audit.record(actor, "crm.pipeline.created", pipeline, fields=["name", "stages", "assignees"])
    return pipeline


def update_pipeline(actor, pipeline: Pipeline, *, name=None, stages=None, assignees=None) -> Pipeline:
    """`stages` replaces the list: stages with an id are kept (renamed, re-weighted, reordered), new ones added,
    missing ones removed unless deals are in them (409 naming the stage)."""
    require(actor, SETTINGS, pipeline)
    changed = []
    with Problems() as problems:
        if name is not None:
            name = _clean_name(name, problems, pipeline=pipeline)
        cleaned = clean_stages(stages, problems, pipeline=pipeline) if stages is not None else None
        if assignees is not None:
            assignees = clean_assignees(assignees, problems)
    with transaction.atomic():
        if cleaned is not None:
            kept = {s["id"] for s in cleaned if s["id"]}
            removed = list(pipeline.stages.exclude(pk__in=kept))
            busy = [s for s in removed if Deal.objects.filter(stage=s).exists()]
            if busy:
                raise Conflict(f"Stage {busy[0].name!r} still has deals; move them to another stage first.",
                               field="stages", code="stage_in_use")
            Stage.objects.filter(pk__in=[s.pk for s in removed]).delete()
            # Free every kept name first, so two stages may swap names without tripping the unique constraint
            # (a newline: no cleaned name has one; PostgreSQL refuses NUL in text).
            for stage_id in kept:
                Stage.objects.filter(pk=stage_id).update(name=f"\n{stage_id}")
            for position, s in enumerate(cleaned):
                values = {"name": s["name"], "probability": s["probability"], "is_won": s["is_won"],
                          "is_lost": s["is_lost"], "position": position}
                if s["id"]:
                    Stage.objects.filter(pk=s["id"], pipeline=pipeline).update(**values)
                    # Its deals close (or reopen) with it, as a move into (or out of) such a stage would.
                    deals = Deal.objects.filter(stage_id=s["id"])
                    if s["is_won"] or s["is_lost"]:
                        deals.filter(closed_at__isnull=True).update(closed_at=timezone.now())
                    else:
                        deals.filter(closed_at__isnull=False).update(closed_at=None)
                else:
                    Stage.objects.create(workspace=pipeline.workspace, pipeline=pipeline, **values)
            changed.append("stages")
        if name is not None and name != pipeline.name:
            pipeline.name = name
            changed.append("name")
        if assignees is not None and assignees != list(pipeline.assignees):
            pipeline.assignees, pipeline.next_assignee = assignees, 0
            changed.append("assignees")
        if changed:
            pipeline.save()
            audit.record(actor, "crm.pipeline.updated", pipeline, fields=changed)
    return Pipeline.objects.prefetch_related("stages").get(pk=pipeline.pk)


def delete_pipeline(actor, pipeline: Pipeline) -> None:
    require(actor, SETTINGS, pipeline)
    with transaction.atomic():
        if Deal.objects.filter(pipeline=pipeline).exists():
            raise Conflict(f"Pipeline {pipeline.name!r} still has deals; move or delete them first.",
                           code="pipeline_in_use")
        audit.record(actor, "crm.pipeline.deleted", pipeline)
        pipeline.delete()


def next_assignee(pipeline: Pipeline) -> Membership | None:
    """The pipeline's next member in turn (None: manual assignment), advancing the turn under a row lock so two
    deals made at once go to two people. Members who left are skipped."""
    if not pipeline.assignees:
        return None
    with transaction.atomic():
        locked = Pipeline.objects.select_for_update().get(pk=pipeline.pk)
        people = list(locked.assignees)
        active = {m.pk: m for m in Membership.objects.filter(pk__in=people, is_active=True).select_related("user")}
        for step in range(len(people)):
            index = (locked.next_assignee + step) % len(people)
            member = active.get(people[index])
            if member is not None:
                locked.next_assignee = (index + 1) % len(people)
                locked.save(update_fields=["next_assignee"])
                pipeline.next_assignee = locked.next_assignee
                return member
    return None

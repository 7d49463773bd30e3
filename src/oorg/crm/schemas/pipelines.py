"""Shapes of pipelines and stages: the service decides what a value may be."""
from __future__ import annotations

from ninja import Schema
from pydantic import Field

from oorg.core.schemas import Id, StrictSchema


class StageIn(StrictSchema):
    id: Id | None = None  # a kept stage (PATCH); absent: a new one
    name: str = Field(max_length=200)
    probability: int = Field(ge=0, le=100)
    is_won: bool = False
    is_lost: bool = False


class PipelineIn(StrictSchema):
    name: str = Field(max_length=200)
    stages: list[StageIn] = Field(max_length=60)
    assignees: list[Id] = Field(default=[], max_length=200, description="membership ids for round-robin; empty: manual")


class PipelinePatch(StrictSchema):
    name: str | None = Field(default=None, max_length=200)
    stages: list[StageIn] | None = Field(default=None, max_length=60)
    assignees: list[Id] | None = Field(default=None, max_length=200)


class StageOut(Schema):
    id: int
    name: str
    probability: int
    position: int
    is_won: bool
    is_lost: bool


class PipelineOut(Schema):
    id: int
    name: str
    position: int
    assignees: list[int]
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj) -> list:
        return sorted(obj.stages.all(), key=lambda s: (s.position, s.pk))

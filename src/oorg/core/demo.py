"""The demo workspace, built by the areas: each contributes its part through its own services.

An area registers its part from its AppConfig.ready():

    demo.contribute(20, "people", seed_people)     # seed_people(context, progress)

Parts run in order inside one transaction. The first part (the workspaces area) creates the workspace and
its users and puts an owner `Actor` in `context["actor"]`; later parts build on it. Every part is
idempotent, so `oorg demo` can run again.
"""
from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

Part = Callable[[dict, Callable[[str], None]], None]
_parts: dict[str, tuple[int, Part]] = {}


def contribute(order: int, name: str, part: Part) -> None:
    _parts[name] = (order, part)


def seed_demo(progress=print) -> dict:
    """Run every contributed part; answers the context they filled (`actor`, `signin`)."""
    context: dict = {}
    with transaction.atomic():
        for _order, part in sorted(_parts.values(), key=lambda item: item[0]):
            part(context, progress)
    progress("Demo workspace ready.")
    return context

"""The workspace's own dashboard card: "Getting started", until every step is done. Registered from
WorkspacesConfig.ready()."""
from __future__ import annotations

from oorg.accounts import services as accounts
from oorg.core.permissions import MEMBERS_INVITE, MEMBERS_VIEW, Actor

from . import selectors


def getting_started(actor: Actor) -> dict | None:
    """The first steps of a new workspace; None (no card) once all are done."""
    # [:2]: "more than one member" is all the step asks, whatever the workspace's size.
    invited = actor.can(MEMBERS_VIEW) and len(selectors.members_visible_to(actor).values("pk")[:2]) > 1
    checklist = [
        {"key": "verify", "label": "Verify your email address", "done": True},
        {"key": "invite", "label": "Invite your colleagues", "done": invited},
        {"key": "two_factor", "label": "Turn on two-factor sign-in", "done": actor.user.two_factor_enabled},
        {"key": "token", "label": "Create an API token", "done": accounts.tokens_of(actor.user).exists()},
    ]
    done = sum(item["done"] for item in checklist)
    if done == len(checklist):
        return None
    return {"checklist": checklist, "done_count": done, "can_invite": actor.can(MEMBERS_INVITE)}


def ownership_transfer(actor: Actor) -> dict | None:
    """A transfer of ownership waiting for an answer: the addressee accepts or declines here, an owner may cancel it."""
    transfer = selectors.pending_ownership_transfer(actor)
    return {"transfer": transfer} if transfer is not None else None

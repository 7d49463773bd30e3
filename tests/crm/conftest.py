"""CRM fixtures: a team with reporting lines (for the own/team/all record scopes) and API clients per person.

    owner (all)      admin (all)
      manager "Mia" (team: herself and Remy, below her in the org chart)
        member "Remy" (own)
    member2 "Sol" (own; reports to nobody in the CRM's sense: a colleague outside Mia's team)
"""
import pytest

from oorg.core.permissions import Actor
from oorg.core.tenancy import workspace_scope
from oorg.crm.models import Pipeline, Stage

from ..conftest import ApiClient, actor_for, add_member, token_for

STAGES = [("Qualified", 20, False, False), ("Proposal", 50, False, False), ("Negotiation", 80, False, False),
          ("Won", 100, True, False), ("Lost", 0, False, True)]


@pytest.fixture
def member2(workspace):
    return add_member(workspace, workspace.owner, "sol@acme.test", "member")


@pytest.fixture
def crm(workspace, owner, admin, manager, member, member2, company):
    """Actors and API clients of the CRM team (see the module's docstring), and a pipeline with five stages."""
    people = {"owner": owner, "admin": admin, "manager": manager, "member": member, "member2": member2}
    actors = {role: actor_for(user, workspace) for role, user in people.items()}
    with workspace_scope(workspace):
        pipeline = Pipeline.objects.create(workspace=workspace, name="Sales")
        stages = [Stage.objects.create(workspace=workspace, pipeline=pipeline, name=name, probability=p, position=i,
                                       is_won=won, is_lost=lost)
                  for i, (name, p, won, lost) in enumerate(STAGES)]
    return {"workspace": workspace, "users": people, "actors": actors,
            "members": {role: actor.membership for role, actor in actors.items()},
            "clients": {role: ApiClient(token_for(user, workspace, name=f"{role}-crm")) for role, user in people.items()},
            "system": Actor.system(workspace), "pipeline": pipeline, "stages": stages}


@pytest.fixture
def other_crm(other_workspace):
    """Another workspace with its own pipeline, and its owner's API client."""
    owner = other_workspace.owner
    with workspace_scope(other_workspace):
        pipeline = Pipeline.objects.create(workspace=other_workspace, name="Sales")
        stage = Stage.objects.create(workspace=other_workspace, pipeline=pipeline, name="Qualified", probability=20)
    return {"workspace": other_workspace, "actor": actor_for(owner, other_workspace), "pipeline": pipeline,
            "stage": stage, "client": ApiClient(token_for(owner, other_workspace, name="other-crm"))}


@pytest.fixture
def outsider(workspace):
    """A member whose custom role has no CRM right at all (every built-in role has some: they nest up from
    member, who sees their own records)."""
    from oorg.core.models import Membership
    from oorg.core.roles import create_role

    user = add_member(workspace, workspace.owner, "outsider@acme.test", "member")
    with workspace_scope(workspace):
        role = create_role(actor_for(workspace.owner, workspace), name="People only",
                           permissions=["org.directory.view", "workspace.member.view"])
        Membership.objects.filter(user=user).update(role=role.key)
    return user

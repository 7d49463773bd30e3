"""Attendance and leave fixtures: the `company` fixture's people (tests/conftest.py), with actors and API clients.

    E001 Olivia Owner (owner)     Berlin (Europe/Berlin, DE, Mon–Fri)
      E002 Mia Manager (manager)  Berlin
        E003 Remy Report (member) Berlin          <- "me" in most tests
          E004 Ines Indirect      Remote (UTC)    (no account)
      E005 Sam Sales              Remote          (no account)
    E006 Hana HR (hr)             Berlin          (no manager: outside Mia's team)
    admin: an account with no employee record (clocking answers 409)
"""
import pytest

from oorg.core.permissions import Actor
from oorg.core.tenancy import workspace_scope

from ..conftest import ApiClient, actor_for, token_for

ROLES = ("owner", "admin", "hr", "manager", "member")


@pytest.fixture
def staff(workspace, owner, admin, hr, manager, member, company):
    users = {"owner": owner, "admin": admin, "hr": hr, "manager": manager, "member": member}
    actors = {role: actor_for(user, workspace) for role, user in users.items()}
    return {**company, "workspace": workspace, "users": users, "actors": actors,
            "members": {role: actor.membership for role, actor in actors.items()},
            "clients": {role: ApiClient(token_for(user, workspace, name=f"{role}-time"))
                        for role, user in users.items()},
            "system": Actor.system(workspace),
            "employees": {"owner": company["ceo"], "manager": company["boss"], "member": company["report"],
                          "hr": company["hr"]}}


@pytest.fixture
def other_staff(other_workspace):
    """Another workspace: a branch, its owner's employee record, and the owner's API client."""
    from oorg.core.models import Membership
    from oorg.org import services as org_services

    owner = other_workspace.owner
    system = Actor.system(other_workspace)
    with workspace_scope(other_workspace):
        membership = Membership.objects.get(user=owner)
        branch = org_services.create_branch(system, name="Globex NYC", country="US", time_zone="America/New_York")
        employee = org_services.create_employee(system, code="G001", full_name="Gus Globex", branch=branch,
                                                member=membership.pk)
    return {"workspace": other_workspace, "actor": actor_for(owner, other_workspace), "branch": branch,
            "employee": employee, "client": ApiClient(token_for(owner, other_workspace, name="other-time"))}

"""The demo workspace's first part: the Demo Company workspace and its five users, one per built-in role."""
from __future__ import annotations

from django.utils import timezone

DEMO_PASSWORD = "demo-Workspace-2026"
DEMO_USERS = [
    ("owner", "owner@demo.oorg.test", "Olivia Owner"),
    ("admin", "admin@demo.oorg.test", "Adam Admin"),
    ("hr", "hr@demo.oorg.test", "Hana HR"),
    ("manager", "manager@demo.oorg.test", "Max Manager"),
    ("member", "member@demo.oorg.test", "Mia Member"),
]


def seed_workspace(context: dict, progress) -> None:
    """Creates what is missing; puts the owner's Actor in `context["actor"]` for the parts that follow."""
    from oorg.accounts.models import User
    from oorg.core.models import Membership, Workspace
    from oorg.core.permissions import Actor
    from oorg.core.tenancy import workspace_scope

    from .services import accept_invitation, create_workspace, invite_member

    owner_role, owner_email, owner_name = DEMO_USERS[0]
    owner = User.objects.filter(email=owner_email).first()
    if owner is None:
        progress(f"Creating {owner_email}")
        owner = User.objects.create_user(owner_email, DEMO_PASSWORD, full_name=owner_name,
                                         email_verified_at=timezone.now())
    workspace = Workspace.objects.filter(slug="demo").first()
    if workspace is None:
        progress("Creating the Demo Company workspace")
        workspace = create_workspace(owner, name="Demo")
        workspace.name = "Demo Company"
        workspace.save(update_fields=["name"])
    with workspace_scope(workspace):
        owner_membership = Membership.objects.get(user=owner)
        actor = Actor(user=owner, workspace=workspace, membership=owner_membership, role="owner")
        for role, email, name in DEMO_USERS[1:]:
            if Membership.objects.filter(user__email=email).exists():
                continue
            progress(f"Inviting {email} as {role}")
            invitation = invite_member(actor, email=email, role=role)
            accept_invitation(code=invitation.plain_code, password=DEMO_PASSWORD, full_name=name)
    context["actor"] = actor


def demo_signin() -> dict | None:
    """How to sign in to the demo workspace, while its owner still uses the demo password."""
    from oorg.accounts.models import User

    owner = User.objects.filter(email=DEMO_USERS[0][1]).first()
    if owner is None or not owner.check_password(DEMO_PASSWORD):
        return None
    return {"password": DEMO_PASSWORD, "users": [(r, e) for r, e, _ in DEMO_USERS], "slug": "demo"}

"""Permissions are data: named permissions, roles as sets of names, one check function.

Areas register their names with `register()`; services call `require(actor, perm)`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .errors import PermissionDenied

PERMISSIONS: dict[str, str] = {}
ROLES: dict[str, set[str]] = {"owner": set(), "admin": set(), "member": set()}
ROLE_LABELS = {"owner": "Owner", "admin": "Admin", "member": "Member"}


def register(name: str, description: str, *, roles: tuple[str, ...]) -> str:
    PERMISSIONS[name] = description
    for role in roles:
        ROLES[role].add(name)
    return name


MEMBERS_VIEW = register("workspace.member.view", "See the workspace's members", roles=("owner", "admin", "member"))
MEMBERS_INVITE = register("workspace.member.invite", "Invite people to the workspace", roles=("owner", "admin"))
MEMBERS_CHANGE_ROLE = register("workspace.member.change_role", "Change a member's role", roles=("owner", "admin"))
AUDIT_VIEW = register("audit.event.view", "Read the workspace audit log", roles=("owner", "admin"))
SECURITY_MANAGE = register("workspace.security.manage", "Change workspace security settings", roles=("owner",))


@dataclass(frozen=True)
class Actor:
    """Who is acting: a member of one workspace (via session or token), or the system."""

    user: object | None
    workspace: object
    membership: object | None = None
    role: str = "member"
    token_scopes: frozenset[str] | None = field(default=None)  # None: the role's full rights
    token: object | None = None  # the API token that authenticated this request, if any

    @classmethod
    def system(cls, workspace) -> "Actor":
        return cls(user=None, workspace=workspace, role="system")

    @property
    def is_system(self) -> bool:
        return self.role == "system"

    def can(self, perm: str, obj=None) -> bool:
        if perm not in PERMISSIONS:
            raise KeyError(f"unknown permission {perm!r}")
        if obj is not None and getattr(obj, "workspace_id", self.workspace.pk) != self.workspace.pk:
            return False
        if self.is_system:
            return True
        allowed = perm in ROLES.get(self.role, set())
        if self.token_scopes is not None:
            allowed = allowed and perm in self.token_scopes
        return allowed

    @property
    def label(self) -> str:
        return "system" if self.user is None else self.user.email


def require(actor: Actor, perm: str, obj=None) -> None:
    if not actor.can(perm, obj):
        raise PermissionDenied()

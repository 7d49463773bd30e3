"""Permissions are data: named permissions, roles as sets of names, one check function.

Areas register their names with `register()`; services call `require(actor, perm)`.
Built-in roles (owner, admin, hr, manager, member) are defined here, so a new permission reaches
them with the code that needs it; custom roles are `Role` rows an admin composes from `PERMISSIONS`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from .errors import PermissionDenied

PERMISSIONS: dict[str, str] = {}
BUILTIN_ROLES = {
    "owner": ("Owner", "Everything, including security settings and owners."),
    "admin": ("Admin", "Runs the workspace: members, roles, people and the audit log."),
    "hr": ("HR", "Keeps the people records: employees, departments, branches, imports."),
    "manager": ("Manager", "Sees and updates the people who report to them."),
    "member": ("Member", "Uses the workspace; sees the directory and their own profile."),
}
ROLES: dict[str, set[str]] = {key: set() for key in BUILTIN_ROLES}
ROLE_LABELS = {key: label for key, (label, _) in BUILTIN_ROLES.items()}


def register(name: str, description: str, *, roles: tuple[str, ...]) -> str:
    """Declare a permission and the built-in roles that hold it (the owner holds every permission)."""
    PERMISSIONS[name] = description
    for role in {"owner", *roles}:
        ROLES[role].add(name)
    return name


MEMBERS_VIEW = register("workspace.member.view", "See the workspace's members",
                        roles=("admin", "hr", "manager", "member"))
MEMBERS_INVITE = register("workspace.member.invite", "Invite people to the workspace", roles=("admin",))
MEMBERS_CHANGE_ROLE = register("workspace.member.change_role", "Change a member's role", roles=("admin",))
ROLES_MANAGE = register("roles.manage", "Create, change and delete custom roles", roles=("admin",))
AUDIT_VIEW = register("audit.event.view", "Read the workspace audit log", roles=("admin",))
SECURITY_MANAGE = register("workspace.security.manage", "Change workspace security settings", roles=())
MEMBERS_REMOVE = register("workspace.member.remove", "Remove a member from the workspace", roles=("admin",))
SETTINGS_MANAGE = register("workspace.settings.manage", "Rename the workspace, change its logo, time zone and locale",
                           roles=("admin",))
OWNERSHIP_TRANSFER = register("workspace.ownership.transfer", "Hand the workspace's ownership to another member",
                              roles=())


def custom_role_permissions(workspace_id: int, key: str) -> frozenset[str]:
    from .models import Role  # models import this module

    role = Role.objects.unscoped().filter(workspace_id=workspace_id, key=key, is_builtin=False).first()
    return frozenset(p for p in (role.permissions if role else ()) if p in PERMISSIONS)


def role_permissions(workspace_id: int, key: str) -> frozenset[str]:
    if key in ROLES:
        return frozenset(ROLES[key])
    return custom_role_permissions(workspace_id, key)


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

    @classmethod
    def of(cls, membership) -> "Actor":
        """The member acting with their role's full rights (jobs and demo data acting as a person)."""
        return cls(user=membership.user, workspace=membership.workspace, membership=membership, role=membership.role)

    @property
    def is_system(self) -> bool:
        return self.role == "system"

    @cached_property
    def permissions(self) -> frozenset[str]:
        """What this actor may do: the role's permissions, narrowed by the token's scopes.
        Built-in roles cost nothing; a custom role is read once per actor (once per request)."""
        if self.is_system:
            return frozenset(PERMISSIONS)
        granted = role_permissions(self.workspace.pk, self.role)
        if self.token_scopes is not None:
            granted &= self.token_scopes
        return granted

    def can(self, perm: str, obj=None) -> bool:
        if perm not in PERMISSIONS:
            raise KeyError(f"unknown permission {perm!r}")
        if obj is not None and getattr(obj, "workspace_id", self.workspace.pk) != self.workspace.pk:
            return False
        return perm in self.permissions

    @property
    def label(self) -> str:
        return "system" if self.user is None else self.user.email


def require(actor: Actor, perm: str, obj=None) -> None:
    if not actor.can(perm, obj):
        raise PermissionDenied()

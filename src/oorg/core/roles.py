"""Roles: the built-in ones every workspace has, and custom ones an admin composes.

Nobody can hand out more than they hold: a role may only be created, changed or assigned by an
actor who holds every permission in it. That one rule is also what keeps admins from making owners.
"""
from __future__ import annotations

from django.db import transaction
from django.db.models import Count
from django.utils.text import slugify

from . import audit
from .errors import Conflict, NotFound, PermissionDenied, ValidationFailed, unchanged_on_refusal
from .models import Invitation, Membership, Role
from .permissions import (
    BUILTIN_ROLES,
    MEMBERS_VIEW,
    PERMISSIONS,
    ROLES,
    ROLES_MANAGE,
    Actor,
    require,
    role_permissions,
)

audit.register_actions({
    "roles.role.created": "Role created",
    "roles.role.updated": "Role changed",
    "roles.role.deleted": "Role deleted",
}, group="Roles")


def seed_builtin_roles(workspace) -> None:
    for key, (name, description) in BUILTIN_ROLES.items():
        Role.objects.get_or_create(workspace=workspace, key=key,
                                   defaults={"name": name, "description": description, "is_builtin": True})


def permissions_of(role: Role) -> list[str]:
    granted = ROLES[role.key] if role.is_builtin else role.permissions
    return sorted(p for p in granted if p in PERMISSIONS)


def roles_visible_to(actor: Actor):
    if not actor.can(ROLES_MANAGE):
        require(actor, MEMBERS_VIEW)
    return Role.objects.order_by("-is_builtin", "pk")


def get_role(actor: Actor, role_id: int) -> Role:
    role = roles_visible_to(actor).filter(pk=role_id).first()
    if role is None:
        raise NotFound()
    return role


def assignable_roles(actor: Actor) -> list[Role]:
    return [role for role in Role.objects.order_by("-is_builtin", "pk")
            if set(permissions_of(role)) <= actor.permissions]


def role_names() -> dict[str, str]:
    return dict(Role.objects.values_list("key", "name"))


def member_counts() -> dict[str, int]:
    rows = Membership.objects.filter(is_active=True).values("role").annotate(n=Count("pk"))
    return {row["role"]: row["n"] for row in rows}


def check_grantable(actor: Actor, permissions, *, field: str, what: str = "a role", verb: str = "grant") -> None:
    missing = sorted(set(permissions) - actor.permissions)
    if missing:
        raise PermissionDenied(f"You can't {verb} {what} with permissions you don't hold: {', '.join(missing)}.",
                               field=field)


def check_assignable(actor: Actor, key: str, *, field: str = "role") -> None:
    """The role exists in this workspace and the actor holds everything it grants."""
    if key not in ROLES and not Role.objects.filter(key=key, is_builtin=False).exists():
        keys = ", ".join(Role.objects.order_by("-is_builtin", "pk").values_list("key", flat=True))
        raise ValidationFailed(f"Unknown role {key!r}. Roles here: {keys}.", field=field)
    check_grantable(actor, role_permissions(actor.workspace.pk, key), field=field, what="a role")


def _clean_permissions(permissions) -> list[str]:
    unknown = [p for p in permissions if p not in PERMISSIONS]
    if unknown:
        raise ValidationFailed(f"Unknown permission: {', '.join(unknown)}.", field="permissions")
    return sorted(set(permissions))


def _clean_name(name: str, *, exclude_pk=None) -> str:
    name = " ".join(name.split())
    if not 1 <= len(name) <= 60:
        raise ValidationFailed("A role name has 1 to 60 characters.", field="name")
    if Role.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        raise Conflict(f"There is already a role called {name!r}.", field="name")
    return name


def _unique_key(name: str) -> str:
    base = slugify(name)[:28] or "role"
    key, n = base, 1
    while key in ROLES or Role.objects.filter(key=key).exists():
        n += 1
        key = f"{base}-{n}"
    return key


def create_role(actor: Actor, *, name: str, description: str = "", permissions: list[str]) -> Role:
    require(actor, ROLES_MANAGE)
    permissions = _clean_permissions(permissions)
    check_grantable(actor, permissions, field="permissions")
    with transaction.atomic():
        name = _clean_name(name)
        role = Role.objects.create(workspace=actor.workspace, key=_unique_key(name), name=name,
                                   description=description.strip()[:200], permissions=permissions)
        audit.record(actor, "roles.role.created", role, name=name, permissions=permissions)
    return role


def _refuse_builtin(role: Role) -> None:
    if role.is_builtin:
        raise Conflict("Built-in roles can't be changed or deleted; create a custom role instead.", field="role")


def update_role(actor: Actor, role: Role, *, name: str | None = None, description: str | None = None,
                permissions: list[str] | None = None) -> Role:
    require(actor, ROLES_MANAGE, role)
    _refuse_builtin(role)
    check_grantable(actor, permissions_of(role), field="permissions", what="changes to a role")
    changes, before = {}, {"name": role.name, "description": role.description}
    with unchanged_on_refusal(role), transaction.atomic():
        if name is not None:
            role.name = changes["name"] = _clean_name(name, exclude_pk=role.pk)
        if description is not None:
            role.description = changes["description"] = description.strip()[:200]
        if permissions is not None:
            new = _clean_permissions(permissions)
            check_grantable(actor, new, field="permissions")
            old = permissions_of(role)
            changes["added"] = sorted(set(new) - set(old))
            changes["removed"] = sorted(set(old) - set(new))
            role.permissions = new
        role.save()
        changed = [field for field, value in before.items() if getattr(role, field) != value]
        changed += ["permissions"] if changes.get("added") or changes.get("removed") else []
        audit.record(actor, "roles.role.updated", role, key=role.key, fields=changed, **changes)
    return role


def delete_role(actor: Actor, role: Role) -> None:
    require(actor, ROLES_MANAGE, role)
    _refuse_builtin(role)
    # The no-escalation rule holds for deleting too: removing a role is changing what its holders may do.
    check_grantable(actor, permissions_of(role), field="role", verb="delete")
    with transaction.atomic():
        members = Membership.objects.filter(role=role.key, is_active=True).count()
        invitations = Invitation.objects.filter(role=role.key, accepted_at__isnull=True,
                                                revoked_at__isnull=True).count()
        if members or invitations:
            raise Conflict(f"The role {role.name!r} is in use by {members} member(s) and {invitations} pending "
                           "invitation(s); give them another role first.", field="role")
        audit.record(actor, "roles.role.deleted", role, key=role.key, name=role.name)
        role.delete()

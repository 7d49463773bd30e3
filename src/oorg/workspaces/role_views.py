"""The roles pages: built-in and custom roles, and the editor of custom ones (roles.manage)."""
from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from oorg.core import roles
from oorg.core.errors import Conflict, PermissionDenied
from oorg.core.forms import add_service_error, render_form, service_errors
from oorg.core.permissions import PERMISSIONS, ROLES_MANAGE

from .forms import CustomRoleForm, DeleteForm


def _require_roles_manage(actor) -> None:
    if not actor.can(ROLES_MANAGE):
        raise PermissionDenied("Only people who may manage roles can see and change them.")


@require_safe
def role_list(request, workspace_slug):
    actor = request.actor
    _require_roles_manage(actor)
    counts = roles.member_counts()
    rows = [{"role": role, "members": counts.get(role.key, 0),
             "permissions": [(name, PERMISSIONS[name]) for name in roles.permissions_of(role)]}
            for role in roles.roles_visible_to(actor)]
    return render_form(request, "workspaces/roles.html", {"rows": rows})


def _role_initial(role) -> dict:
    return {"name": role.name, "description": role.description, "permissions": roles.permissions_of(role)}


def _role_page(request, *, form, role=None, delete_form=None, source=None):
    context = {"form": form, "role": role, "source": source, "groups": form.permission_groups(request.actor)}
    if role is not None:
        context.update(role=role, members=roles.member_counts().get(role.key, 0),
                       delete_form=delete_form or DeleteForm())
    return render_form(request, "workspaces/role_form.html", context, form, delete_form)


@require_http_methods(["GET", "POST"])
def role_new(request, workspace_slug):
    actor = request.actor
    _require_roles_manage(actor)
    if request.method == "POST":
        form = CustomRoleForm(request.POST)
        if form.is_valid():
            with service_errors(form):
                role = roles.create_role(actor, **form.cleaned_data)
                messages.success(request, f"Role {role.name} created. Give it to members on the Members page.")
                return redirect("workspaces:roles", workspace_slug=workspace_slug)
        return _role_page(request, form=form)
    source, initial = None, {}
    if request.GET.get("from", "").isdigit():  # "Duplicate as custom role": start from that role's permissions
        source = roles.get_role(actor, int(request.GET["from"]))
        initial = {"name": f"{source.name} (copy)", "description": source.description,
                   "permissions": roles.permissions_of(source)}
    return _role_page(request, form=CustomRoleForm(initial=initial), source=source)


@require_http_methods(["GET", "POST"])
def role_edit(request, workspace_slug, role_id: int):
    actor = request.actor
    _require_roles_manage(actor)
    role = roles.get_role(actor, role_id)
    initial = _role_initial(role)
    if request.method == "POST":
        form = CustomRoleForm(request.POST, initial=initial)
        if form.is_valid():
            with service_errors(form):
                roles.update_role(actor, role, **form.cleaned_data)
                messages.success(request, f"Role {role.name} saved.")
                return redirect("workspaces:roles", workspace_slug=workspace_slug)
        return _role_page(request, form=form, role=role)
    return _role_page(request, form=CustomRoleForm(initial=initial), role=role)


@require_POST
def role_delete(request, workspace_slug, role_id: int):
    actor = request.actor
    _require_roles_manage(actor)
    role = roles.get_role(actor, role_id)
    delete_form = DeleteForm(request.POST)
    name = role.name
    try:
        roles.delete_role(actor, role)
    except (Conflict, PermissionDenied) as exc:  # in use, built in, or holding rights the actor lacks
        add_service_error(delete_form, exc, keep_status=True)
        return _role_page(request, form=CustomRoleForm(initial=_role_initial(role)), role=role,
                          delete_form=delete_form)
    messages.success(request, f"Role {name} deleted.")
    return redirect("workspaces:roles", workspace_slug=workspace_slug)

"""Workspace pages under /w/<workspace_slug>/: members and invitations, roles, the audit log, settings.

WorkspaceScopeMiddleware has checked the membership and opened the scope; `request.actor` is set.
"""
from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from oorg.web.forms import add_service_error, render_form, service_errors

from . import pagination, roles, selectors, services
from .errors import Conflict, PermissionDenied
from .forms import (
    AuditFilterForm,
    CustomRoleForm,
    DeleteForm,
    InviteForm,
    MemberSearchForm,
    RoleForm,
    WorkspaceSecurityForm,
    role_choices,
)
from .permissions import MEMBERS_CHANGE_ROLE, MEMBERS_INVITE, PERMISSIONS, ROLES_MANAGE, SECURITY_MANAGE
from .roles import role_names


def _back_to_members(workspace_slug):
    return redirect("core:members", workspace_slug=workspace_slug)


# --- members and invitations -----------------------------------------------------------------------


def _members_page(request, *, invite_form=None, role_error=None, status_forms=()):
    actor = request.actor
    search = MemberSearchForm(request.GET)
    q = search.cleaned_data["q"].strip() if search.is_valid() else ""
    members = selectors.members_visible_to(actor)
    if q:
        members = members.filter(Q(user__full_name__icontains=q) | Q(user__email__icontains=q))
    can_invite = actor.can(MEMBERS_INVITE)
    choices = role_choices(actor)
    invitations = None
    if can_invite:
        pending = selectors.invitations_visible_to(actor)
        invitations = pagination.page_for(request, pending.filter(email__icontains=q) if q else pending, param="icursor")
    context = {
        "search": search, "q": q, "members": pagination.page_for(request, members), "invitations": invitations,
        "can_invite": can_invite, "can_change_roles": actor.can(MEMBERS_CHANGE_ROLE),
        "role_choices": choices, "role_error": role_error, "role_names": role_names(),
        "assignable": {key for key, _ in choices},
        "invite_form": invite_form or InviteForm(actor=actor),
    }
    return render_form(request, "core/members.html", context, *status_forms)


@require_safe
def members(request, workspace_slug):
    return _members_page(request)


@require_POST
def invite(request, workspace_slug):
    form = InviteForm(request.POST, actor=request.actor)
    if form.is_valid():
        with service_errors(form):
            invitation = services.invite_member(request.actor, **form.cleaned_data)
            messages.success(request, f"Invitation sent to {invitation.email}. It is valid for 7 days.")
            return _back_to_members(workspace_slug)
    return _members_page(request, invite_form=form, status_forms=[form])


@require_POST
def change_role(request, workspace_slug, membership_id: int):
    membership = selectors.get_member(request.actor, membership_id)
    form = RoleForm(request.POST)
    if form.is_valid():
        with service_errors(form):
            services.change_member_role(request.actor, membership, role=form.cleaned_data["role"])
            messages.success(request, f"{membership.user.full_name} is now {role_names()[membership.role]}.")
            return _back_to_members(workspace_slug)
    error = {"membership_id": membership.pk, "message": " ".join(form.errors.get("role", form.non_field_errors()))}
    return _members_page(request, role_error=error, status_forms=[form])


@require_POST
def withdraw_invitation(request, workspace_slug, invitation_id: int):
    invitation = selectors.get_invitation(request.actor, invitation_id)
    services.revoke_invitation(request.actor, invitation)
    messages.success(request, f"The invitation to {invitation.email} is withdrawn.")
    return _back_to_members(workspace_slug)


# --- roles ---------------------------------------------------------------------------------------------------------


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
    return render_form(request, "core/roles.html", {"rows": rows})


def _role_initial(role) -> dict:
    return {"name": role.name, "description": role.description, "permissions": roles.permissions_of(role)}


def _role_page(request, *, form, role=None, delete_form=None, source=None):
    context = {"form": form, "role": role, "source": source, "groups": form.permission_groups(request.actor)}
    if role is not None:
        context.update(role=role, members=roles.member_counts().get(role.key, 0),
                       delete_form=delete_form or DeleteForm())
    return render_form(request, "core/role_form.html", context, form, delete_form)


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
                return redirect("core:roles", workspace_slug=workspace_slug)
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
                return redirect("core:roles", workspace_slug=workspace_slug)
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
    return redirect("core:roles", workspace_slug=workspace_slug)


# --- audit log -------------------------------------------------------------------------------------------


@require_safe
def audit_log(request, workspace_slug):
    form = AuditFilterForm(request.GET)
    action = form.cleaned_data["action"].strip() if form.is_valid() else ""
    events = selectors.audit_events_for(request.actor, action=action or None)
    known_actions = (selectors.audit_events_for(request.actor).order_by("action")
                     .values_list("action", flat=True).distinct()[:200])
    return render_form(request, "core/audit.html",
                       {"form": form, "action": action, "events": pagination.page_for(request, events),
                        "known_actions": list(known_actions)})


# --- settings -------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def workspace_settings(request, workspace_slug):
    actor = request.actor
    if not actor.can(SECURITY_MANAGE):
        raise PermissionDenied("Only an owner of this workspace can change its settings.")
    if request.method == "POST":
        form = WorkspaceSecurityForm(request.POST)
        if form.is_valid():
            with service_errors(form):
                workspace = services.set_two_factor_requirement(actor, required=form.cleaned_data["require_two_factor"])
                messages.success(request, "Two-factor sign-in is now required for every member."
                                 if workspace.require_two_factor else "Two-factor sign-in is now optional.")
                return redirect("core:settings", workspace_slug=workspace_slug)
    else:
        form = WorkspaceSecurityForm(initial={"require_two_factor": actor.workspace.require_two_factor})
    return render_form(request, "core/settings.html", {"form": form}, form)


"""Workspace pages under /w/<workspace_slug>/: members and invitations, removing and leaving, the ownership
transfer, workspace settings and logo; and /workspaces/new, where a signed-in user creates another workspace.

WorkspaceScopeMiddleware has checked the membership and opened the scope; `request.actor` is set. Every successful
POST redirects (POST/redirect/GET), so a reload never repeats it; a GET on a URL that only takes a form's POST
goes to the page holding the form (core.forms.redirect_get_to). Removing, leaving and offering ownership ask for
confirmation on a page of their own.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from oorg.core import pagination
from oorg.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from oorg.core.forms import add_service_error, redirect_get_to, render_form, service_errors
from oorg.core.models import Membership
from oorg.core.permissions import (
    MEMBERS_CHANGE_ROLE,
    MEMBERS_INVITE,
    MEMBERS_REMOVE,
    OWNERSHIP_TRANSFER,
    SECURITY_MANAGE,
    SETTINGS_MANAGE,
)
from oorg.core.roles import role_names

from . import selectors, services
from .forms import (
    ConfirmForm,
    CreateWorkspaceForm,
    InviteForm,
    LogoForm,
    MemberSearchForm,
    RoleForm,
    WorkspaceSecurityForm,
    WorkspaceSettingsForm,
    role_choices,
)

GET_POST = require_http_methods(["GET", "POST"])


def _back_to_members(workspace_slug):
    return redirect("workspaces:members", workspace_slug=workspace_slug)


def _is_owner(actor) -> bool:
    return actor.role == Membership.OWNER and actor.can(OWNERSHIP_TRANSFER)


# --- members and invitations -----------------------------------------------------------------------------------


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
        "can_remove": actor.can(MEMBERS_REMOVE), "is_owner": _is_owner(actor),
        "transfer": selectors.pending_ownership_transfer(actor),
        "role_choices": choices, "role_error": role_error, "role_names": role_names(),
        "assignable": {key for key, _ in choices},
        "invite_form": invite_form or InviteForm(actor=actor),
    }
    return render_form(request, "workspaces/members.html", context, *status_forms)


@require_safe
def members(request, workspace_slug):
    return _members_page(request)


def _invitation_sent(invitation) -> str:
    names = role_names()
    role = names.get(invitation.role, invitation.role)
    if not invitation.replaced:
        return f"Invitation sent to {invitation.email} as {role}. It is valid for 7 days."
    again = f"A new invitation is on its way to {invitation.email}; the earlier code no longer works."
    if invitation.previous_role == invitation.role:
        return f"{again} The role stays {role}."
    return f"{again} The role changed from {names.get(invitation.previous_role, invitation.previous_role)} to {role}."


@require_POST
def invite(request, workspace_slug):
    form = InviteForm(request.POST, actor=request.actor)
    if form.is_valid():
        with service_errors(form):
            invitation = services.invite_member(request.actor, email=form.cleaned_data["email"],
                                                role=form.cleaned_data["role"] or None)
            messages.success(request, _invitation_sent(invitation))
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


@GET_POST
def member_remove(request, workspace_slug, membership_id: int):
    """The confirmation step (GET), then the removal (POST)."""
    actor = request.actor
    member = selectors.get_member(actor, membership_id)
    if not actor.can(MEMBERS_REMOVE):
        raise PermissionDenied("You may not remove members of this workspace.")
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.remove_member(actor, member)
        except Conflict as exc:  # the last owner
            add_service_error(form, exc, keep_status=True)
        else:
            messages.success(request, f"{member.user.full_name} is removed from {actor.workspace.name}. Their pages "
                                      "and API tokens for it stopped working.")
            return _back_to_members(workspace_slug)
    context = {"member": member, "form": form, "tokens": selectors.live_token_count(member),
               "role_name": role_names().get(member.role, member.role)}
    return render_form(request, "workspaces/member_remove.html", context, form)


@GET_POST
def leave(request, workspace_slug):
    """The confirmation step (GET), then leaving (POST): to the next workspace, or the page for none."""
    actor = request.actor
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.leave_workspace(actor)
        except Conflict as exc:  # the last owner
            add_service_error(form, exc, keep_status=True)
        else:
            messages.success(request, f"You left {actor.workspace.name}.")
            return redirect("web:app")
    context = {"form": form, "only_owner": actor.role == Membership.OWNER and selectors.owner_count() <= 1,
               "tokens": selectors.live_token_count(actor.membership)}
    return render_form(request, "workspaces/leave.html", context, form)


# --- ownership transfer ---------------------------------------------------------------------------------------


@GET_POST
def member_transfer(request, workspace_slug, membership_id: int):
    """An owner offers ownership to a member: the confirmation step (GET), then the proposal (POST)."""
    actor = request.actor
    member = selectors.get_member(actor, membership_id)
    if not _is_owner(actor):
        raise PermissionDenied("Only an owner can hand over ownership.")
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_ownership_transfer(actor, member)
        except (Conflict, ValidationFailed) as exc:
            add_service_error(form, exc, keep_status=True)
        else:
            messages.success(request, f"{member.user.full_name} is asked by email to accept ownership of "
                                      f"{actor.workspace.name}. Until they do, nothing changes.")
            return _back_to_members(workspace_slug)
    context = {"member": member, "form": form, "pending": selectors.pending_ownership_transfer(actor)}
    return render_form(request, "workspaces/transfer_confirm.html", context, form)


@redirect_get_to("workspaces:members")
@require_POST
def transfer_accept(request, workspace_slug):
    try:
        transfer = services.accept_ownership_transfer(request.actor)
    except (NotFound, services.TransferNotPending) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"You are now an owner of {request.actor.workspace.name}. "
                                  f"{transfer.from_member.user.full_name} is an admin.")
    return _back_to_members(workspace_slug)


@redirect_get_to("workspaces:members")
@require_POST
def transfer_cancel(request, workspace_slug):
    try:
        transfer = services.cancel_ownership_transfer(request.actor)
    except NotFound as exc:
        messages.error(request, exc.message)
    else:
        declined = request.actor.membership is not None and transfer.to_member_id == request.actor.membership.pk
        messages.success(request, "You declined the ownership." if declined else
                         f"The transfer of ownership to {transfer.to_member.user.full_name} is cancelled.")
    return _back_to_members(workspace_slug)


# --- settings and logo -------------------------------------------------------------------------------------------------


def _settings_page(request, *, settings_form=None, security_form=None, logo_form=None):
    actor = request.actor
    can_settings, can_security = actor.can(SETTINGS_MANAGE), actor.can(SECURITY_MANAGE)
    if not (can_settings or can_security):
        raise PermissionDenied("Only an owner or admin of this workspace can change its settings.")
    workspace = selectors.current_workspace(actor)
    if can_settings and settings_form is None:
        settings_form = WorkspaceSettingsForm(initial={"name": workspace.name, "time_zone": workspace.time_zone,
                                                       "locale": workspace.locale})
    if can_security and security_form is None:
        security_form = WorkspaceSecurityForm(initial={"require_two_factor": workspace.require_two_factor})
    context = {"workspace": workspace, "settings_form": settings_form if can_settings else None,
               "security_form": security_form if can_security else None,
               "logo_form": (logo_form or LogoForm()) if can_settings else None}
    return render_form(request, "workspaces/settings.html", context, settings_form, security_form, logo_form)


@GET_POST
def workspace_settings(request, workspace_slug):
    if request.method == "POST":
        if not request.actor.can(SETTINGS_MANAGE):
            raise PermissionDenied("Only an owner or admin of this workspace can change its settings.")
        form = WorkspaceSettingsForm(request.POST)
        if form.is_valid():
            with service_errors(form):
                services.update_workspace(request.actor, **form.cleaned_data)
                messages.success(request, "The workspace settings are saved.")
                return redirect("workspaces:settings", workspace_slug=workspace_slug)
        return _settings_page(request, settings_form=form)
    return _settings_page(request)


@redirect_get_to("workspaces:settings")
@require_POST
def settings_security(request, workspace_slug):
    actor = request.actor
    if not actor.can(SECURITY_MANAGE):
        raise PermissionDenied("Only an owner of this workspace can change its security settings.")
    form = WorkspaceSecurityForm(request.POST)
    if form.is_valid():
        with service_errors(form):
            workspace = services.set_two_factor_requirement(actor, required=form.cleaned_data["require_two_factor"])
            messages.success(request, "Two-factor sign-in is now required for every member."
                             if workspace.require_two_factor else "Two-factor sign-in is now optional.")
            return redirect("workspaces:settings", workspace_slug=workspace_slug)
    return _settings_page(request, security_form=form)


@require_safe
def logo(request, workspace_slug):
    return HttpResponse(services.workspace_logo(request.actor), content_type="image/jpeg")


@redirect_get_to("workspaces:settings")
@require_POST
def logo_upload(request, workspace_slug):
    if not request.actor.can(SETTINGS_MANAGE):
        raise PermissionDenied("Only an owner or admin of this workspace can change its logo.")
    form = LogoForm(request.POST, request.FILES)
    if form.is_valid():
        with service_errors(form):
            services.set_workspace_logo(request.actor, form.cleaned_data["logo"].read())
            messages.success(request, "The logo is saved.")
            return redirect("workspaces:settings", workspace_slug=workspace_slug)
    return _settings_page(request, logo_form=form)


@redirect_get_to("workspaces:settings")
@require_POST
def logo_remove(request, workspace_slug):
    services.set_workspace_logo(request.actor, None)
    messages.success(request, "The logo is removed.")
    return redirect("workspaces:settings", workspace_slug=workspace_slug)


# --- another workspace -----------------------------------------------------------------------------------------


@login_required
@GET_POST
def workspace_create(request):
    form = CreateWorkspaceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form):
            workspace = services.add_workspace(request.user, name=form.cleaned_data["name"])
            messages.success(request, f"{workspace.name} is ready, and you are its owner. Invite your colleagues "
                                      "from Members.")
            return redirect("web:workspace-home", workspace_slug=workspace.slug)
    return render_form(request, "workspaces/create.html", {"form": form}, form)

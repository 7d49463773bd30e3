"""Workspace pages. Those of one workspace live under /w/<workspace_slug>/ (WorkspaceScopeMiddleware opens
the scope); creating a workspace is the signed-in user's own page."""
from django.urls import path

from . import audit_views, role_views, views

app_name = "workspaces"
W = "w/<slug:workspace_slug>/"
urlpatterns = [
    path(W + "members/", views.members, name="members"),
    path(W + "members/invite", views.invite, name="member-invite"),
    path(W + "members/<int:membership_id>/role", views.change_role, name="member-role"),
    path(W + "members/<int:membership_id>/remove", views.member_remove, name="member-remove"),
    path(W + "members/<int:membership_id>/transfer-ownership", views.member_transfer, name="member-transfer"),
    path(W + "ownership-transfer/accept", views.transfer_accept, name="transfer-accept"),
    path(W + "ownership-transfer/cancel", views.transfer_cancel, name="transfer-cancel"),
    path(W + "leave", views.leave, name="leave"),
    path(W + "invitations/<int:invitation_id>/withdraw", views.withdraw_invitation, name="invitation-withdraw"),
    path(W + "roles/", role_views.role_list, name="roles"),
    path(W + "roles/new", role_views.role_new, name="role-new"),
    path(W + "roles/<int:role_id>/edit", role_views.role_edit, name="role-edit"),
    path(W + "roles/<int:role_id>/delete", role_views.role_delete, name="role-delete"),
    path(W + "audit/", audit_views.audit_log, name="audit"),
    path(W + "settings/", views.workspace_settings, name="settings"),
    path(W + "settings/security", views.settings_security, name="settings-security"),
    path(W + "settings/logo", views.logo_upload, name="logo-upload"),
    path(W + "settings/logo/remove", views.logo_remove, name="logo-remove"),
    path(W + "logo", views.logo, name="logo"),
    path("workspaces/new", views.workspace_create, name="create"),
]

"""Workspace pages; included under /w/<workspace_slug>/ (WorkspaceScopeMiddleware opens the scope)."""
from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("members/", views.members, name="members"),
    path("members/invite", views.invite, name="member-invite"),
    path("members/<int:membership_id>/role", views.change_role, name="member-role"),
    path("invitations/<int:invitation_id>/withdraw", views.withdraw_invitation, name="invitation-withdraw"),
    path("roles/", views.role_list, name="roles"),
    path("roles/new", views.role_new, name="role-new"),
    path("roles/<int:role_id>/edit", views.role_edit, name="role-edit"),
    path("roles/<int:role_id>/delete", views.role_delete, name="role-delete"),
    path("audit/", views.audit_log, name="audit"),
    path("settings/", views.workspace_settings, name="settings"),
]

"""Every page's URL. Each area keeps its own namespace: web:, accounts:, workspaces: and org: (workspace pages)."""
from django.urls import include, path

from . import views

web_patterns = [
    path("", views.landing, name="landing"),
    path("privacy", views.privacy, name="privacy"),
    path("terms", views.terms, name="terms"),
    path("app", views.app_entry, name="app"),
    path("w/<slug:workspace_slug>/", views.workspace_home, name="workspace-home"),
]

urlpatterns = [
    path("", include((web_patterns, "web"))),
    path("", include("oorg.accounts.urls")),
    path("", include("oorg.workspaces.urls")),
    path("", include("oorg.notifications.urls")),
    path("", include("oorg.webhooks.urls")),
    path("w/<slug:workspace_slug>/", include("oorg.org.urls")),
    path("w/<slug:workspace_slug>/crm/", include("oorg.crm.urls")),
    path("", include("oorg.crm.public_urls")),
    path("w/<slug:workspace_slug>/attendance/", include("oorg.attendance.urls")),
    path("w/<slug:workspace_slug>/leave/", include("oorg.leave.urls")),
    path("", include("oorg.attendance.public_urls")),
    path("", include("oorg.leave.public_urls")),
]

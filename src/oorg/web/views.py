"""The public site (landing, policies), the way into the app, and the workspace home."""
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from oorg.accounts.policies import PRIVACY_POLICY_UPDATED, PRIVACY_POLICY_VERSION, TERMS_UPDATED, TERMS_VERSION
from oorg.core.personal_data import RETENTION_CLASSES
from oorg.workspaces import selectors

from . import shell
from .middleware import render_error

LAST_WORKSPACE_KEY = "oorg_last_workspace"


@require_safe
def landing(request):
    return render(request, "web/landing.html")


RETENTION_LABELS = {
    "account": "Account data, two-factor recovery codes and API tokens",
    "workspace": "Workspace data",
    "session": "Signed-in sessions",
    "security": "Sign-in attempts, one-time codes and the browsers you signed in with",
    "invitation": "Invitations",
    "audit": "Audit log",
    "events": "Events (what happened, handed to notifications and webhooks)",
    "notifications": "Notifications",
    "webhooks": "Webhook deliveries",
}


def _duration(minutes: int) -> str:
    if minutes % (60 * 24) == 0:
        days = minutes // (60 * 24)
        return f"{days} day{'s' if days != 1 else ''}"
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minutes"


@require_safe
def privacy(request):
    # Retention periods and session limits come from the catalogue and settings, so the page cannot drift from them.
    retention = [(RETENTION_LABELS.get(key, key.title()), period) for key, period in RETENTION_CLASSES.items()]
    return render(request, "web/privacy.html", {
        "version": PRIVACY_POLICY_VERSION, "updated": PRIVACY_POLICY_UPDATED, "retention": retention,
        "session_idle": _duration(settings.SESSION_IDLE_MINUTES), "session_max": _duration(settings.SESSION_MAX_HOURS * 60),
    })


@require_safe
def terms(request):
    return render(request, "web/terms.html", {"version": TERMS_VERSION, "updated": TERMS_UPDATED})


@login_required
@require_safe
def app_entry(request):
    """Send a signed-in user to a workspace. The remembered slug only picks where to go:
    the workspace page itself checks membership from its URL, as every workspace page does."""
    memberships = list(selectors.memberships_of(request.user))
    if not memberships:
        return render(request, "web/no_workspace.html")
    last = request.session.get(LAST_WORKSPACE_KEY)
    chosen = next((m for m in memberships if m.workspace.slug == last), memberships[0])
    return redirect("web:workspace-home", workspace_slug=chosen.workspace.slug)


@require_safe
def workspace_home(request, workspace_slug):
    actor = request.actor  # WorkspaceScopeMiddleware checked the membership and opened the scope
    request.session[LAST_WORKSPACE_KEY] = actor.workspace.slug
    # The dashboard: the cards the areas registered (web/shell.py) that this actor may see.
    return render(request, "web/workspace_home.html", {"cards": shell.dashboard_for(actor)})


def csrf_failure(request, reason=""):
    if request.path_info.startswith("/api/"):  # API clients get JSON, never the HTML page
        from django.http import JsonResponse

        return JsonResponse({"detail": "CSRF check failed; API calls authenticate with a bearer token.",
                             "code": "csrf_failed"}, status=403)
    return render_error(
        request, status=403, title="Form expired",
        message="This form was open too long or came from another site. Go back, reload the page and try again.",
    )

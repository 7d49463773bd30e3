"""Page middleware of the shell.

- DomainErrorPageMiddleware: a DomainError that escapes a page view becomes an error page with the service's
  message. The API maps DomainError to JSON itself (oorg.api); this covers the HTML pages: PermissionDenied
  gives the 403 page, NotFound the 404 page, Throttled a 429 page.
- FormOnlyGetMiddleware: a GET on a URL that only takes a form's POST goes to the page holding the form.
"""
from __future__ import annotations

import inspect
import zoneinfo
from itertools import combinations

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, Resolver404, get_script_prefix, resolve, reverse
from django.utils import timezone

from oorg.core.errors import DomainError


def render_error(request, *, status: int, message: str, title: str | None = None):
    titles = {403: "Not allowed", 404: "Not found", 411: "Length required", 413: "Too large", 429: "Slow down"}
    context = {"status": status, "title": title or titles.get(status, "Something is not right"), "message": message}
    return render(request, "web/error.html", context, status=status)


class DomainErrorPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError) or request.path_info.startswith("/api/"):
            return None
        response = render_error(request, status=exception.status, message=exception.message)
        if getattr(exception, "retry_after", None):
            response["Retry-After"] = str(exception.retry_after)
        return response


# --- form-only URLs ---------------------------------------------------------------------------------------


def allowed_methods(view) -> frozenset[str] | None:
    """The HTTP methods a page view answers, or None when it does not say. Read from what declares them:
    `view.allowed_methods`, a class-based view's handlers, or Django's require_http_methods / require_POST /
    require_safe (the method list their wrapper closes over), at any depth of decorators."""
    declared = getattr(view, "allowed_methods", None)
    if declared is not None:
        return frozenset(m.upper() for m in declared)
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return frozenset(m.upper() for m in view_class.http_method_names if hasattr(view_class, m))
    layer = view
    while layer is not None:
        try:
            closed_over = inspect.getclosurevars(layer).nonlocals
        except (TypeError, ValueError):
            closed_over = {}
        if "request_method_list" in closed_over:
            return frozenset(m.upper() for m in closed_over["request_method_list"])
        layer = getattr(layer, "__wrapped__", None)
    return None


def answers_get(view) -> bool:
    methods = allowed_methods(view)
    return methods is None or "GET" in methods


def _declared_page(match) -> str | None:
    """`redirect_get_to(name)` on the view: that page, given those of this URL's arguments it takes."""
    name = getattr(match.func, "get_redirects_to", None)
    if name is None:
        return None
    kwargs = match.kwargs
    for size in range(len(kwargs), -1, -1):
        for keys in combinations(kwargs, size):
            try:
                return reverse(name, kwargs={k: kwargs[k] for k in keys})
            except NoReverseMatch:
                continue
    return None


def _nearest_page(path: str) -> str:
    """The nearest parent path that is a page answering GET: /w/acme/members/invite -> /w/acme/members/."""
    parts = path.strip("/").split("/")
    for size in range(len(parts) - 1, 0, -1):
        for candidate in ("/" + "/".join(parts[:size]) + "/", "/" + "/".join(parts[:size])):
            try:
                found = resolve(candidate)
            except Resolver404:
                continue
            if answers_get(found.func):
                return candidate
    return "/"


def form_page_for(request) -> str | None:
    """Where a GET on this POST-only page URL should go instead, or None when the URL is not a page."""
    path = request.path_info
    try:
        match = request.resolver_match or resolve(path)
    except Resolver404:
        return None
    target = _declared_page(match)
    if target is None:
        target = get_script_prefix().rstrip("/") + _nearest_page(path)
    return target


class FormOnlyGetMiddleware:
    """A GET (or HEAD) on a URL that only takes a form's POST (a bookmark, a reload after the redirect, a link
    someone shared) is redirected to the page that holds the form, instead of an empty 405. Done once here for
    every page, so a new POST-only view needs nothing: the page is the view's `redirect_get_to` declaration
    (core.forms), else the nearest parent path that is a page. The API keeps its JSON 405."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (response.status_code == 405 and request.method in ("GET", "HEAD")
                and not request.path_info.startswith("/api/")):
            target = form_page_for(request)
            if target is not None and target != request.path:
                response = HttpResponseRedirect(target)
                response.status_code = 303  # See Other: the form lives on another page
        return response


class LocalTimeMiddleware:
    """Pages show dates and times in the viewer's own time zone (their profile), else the workspace's default,
    else UTC. Runs after WorkspaceScopeMiddleware has set `request.actor` (in its process_view)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        actor = getattr(request, "actor", None)
        names = (getattr(request.user, "time_zone", "") if request.user.is_authenticated else "",
                 actor.workspace.time_zone if actor is not None else "")
        for name in names:
            try:
                timezone.activate(zoneinfo.ZoneInfo(name))
                return None
            except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
                continue
        return None

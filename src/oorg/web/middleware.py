"""A DomainError that escapes a page view becomes an error page with the service's message.

The API maps DomainError to JSON itself (oorg.api); this covers the HTML pages: PermissionDenied
gives the 403 page, NotFound the 404 page, Throttled a 429 page.
"""
from __future__ import annotations

from django.shortcuts import render

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

"""Request body caps, enforced from the declared length before anything reads the body.

Every request may carry at most `settings.MAX_BODY_BYTES`. A route that takes a file declares its own
cap with `allow_upload(pattern, max_file_bytes)` (from its app's `ready()`, so the cap is known before
the first request). Django's CSRF check, its multipart parser and every view come after this
middleware, so an oversized body is refused without a byte of it being read or spooled to disk.
"""
from __future__ import annotations

import re

from django.conf import settings
from django.http import JsonResponse

# Room for the multipart framing and the other form fields around the file itself.
MULTIPART_OVERHEAD = 64 * 1024

_uploads: list[tuple[re.Pattern, int]] = []


def allow_upload(path_pattern: str, max_file_bytes: int) -> None:
    """Let requests whose path matches `path_pattern` (a regex on the path) carry a file of this size."""
    _uploads.append((re.compile(path_pattern), max_file_bytes + MULTIPART_OVERHEAD))


def body_limit_for(path: str) -> int:
    for pattern, limit in _uploads:
        if pattern.match(path):
            return max(limit, settings.MAX_BODY_BYTES)
    return settings.MAX_BODY_BYTES


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".") + " MB"


def _refuse(request, status: int, code: str, message: str):
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message, "code": code}, status=status)
    from .errors import error_page

    return error_page(request, status=status, message=message)


class BodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = request.META.get("CONTENT_LENGTH") or ""
        if not declared:
            # Django reads a body only up to its declared length, so a chunked body would silently arrive empty.
            if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
                return _refuse(request, 411, "length_required", "Send the request body with a Content-Length.")
            return self.get_response(request)
        try:
            length = int(declared)
        except ValueError:
            return _refuse(request, 400, "bad_content_length", "The Content-Length header is not a number.")
        if length < 0:
            return _refuse(request, 400, "bad_content_length", "The Content-Length header is not a number.")
        limit = body_limit_for(request.path_info)
        if length > limit:
            return _refuse(request, 413, "body_too_large",
                           f"The request is larger than {_mib(limit)}, the most this address accepts.")
        return self.get_response(request)

from __future__ import annotations

import ipaddress
import json
import logging
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from . import request_context
from .errors import NotFound
from .permissions import Actor
from .selectors import membership_in
from .tenancy import current_workspace_id, open_request_scope, request_boundary

log = logging.getLogger("oorg.request")


class RequestLogMiddleware:
    """One structured line per request. The path is the route pattern, never the query string
    (which could carry a code or token); bodies and headers are never logged."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        ip_token = request_context.client_ip.set(request_context.ip_of(request))
        ua_token = request_context.user_agent.set(request.META.get("HTTP_USER_AGENT", "")[:300])
        request.oorg_workspace_id = None
        request.oorg_user_id = None
        try:
            response = self.get_response(request)
        finally:
            request_context.client_ip.reset(ip_token)
            request_context.user_agent.reset(ua_token)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        user_id = request.oorg_user_id or (user.pk if user is not None and user.is_authenticated else None)
        log.info(
            json.dumps(
                {
                    "method": request.method,
                    "route": "/" + match.route if match and match.route else request.path_info.split("?")[0][:200],
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "workspace": request.oorg_workspace_id or current_workspace_id(),
                    "user": user_id,
                },
                separators=(",", ":"),
            )
        )
        return response


class ContentSecurityPolicyMiddleware:
    POLICY = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
    # The API docs page (Swagger UI from ninja's bundled static files) sets inline styles.
    DOCS_POLICY = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; object-src 'none'; frame-ancestors 'none'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = self.DOCS_POLICY if request.path_info.startswith("/api/v1/docs") else self.POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class ApiJsonErrorsMiddleware:
    """Under /api/ every error answers JSON, `{"detail", "code"}`, whoever produced it: ninja's plain-text 405
    for a method a path does not take, Django's HTML 500 for a crash outside an API view, any other page.
    The API's own handlers (oorg/api.py) already answer JSON; this is the net under them."""

    CODES = {405: "method_not_allowed", 500: "server_error"}
    KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (response.status_code < 400 or not request.path_info.startswith("/api/")
                or response.get("Content-Type", "").startswith("application/json")):
            return response
        from http import HTTPStatus

        from django.http import JsonResponse

        status = response.status_code
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Error"
        code = self.CODES.get(status, phrase.lower().replace(" ", "_").replace("-", "_"))
        detail = "Internal server error." if status == 500 else f"{phrase.capitalize()}."
        replacement = JsonResponse({"detail": detail, "code": code}, status=status)
        for name in self.KEPT_HEADERS:
            if name in response:
                replacement[name] = response[name]
        return replacement


class WorkspaceScopeMiddleware:
    """Opens the workspace scope for `/w/<workspace_slug>/...` pages (after a membership check)
    and closes any scope at the end of every request, including one opened by API token auth."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_boundary():
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("workspace_slug")
        if slug is None:
            return None
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.email_verified:
            return redirect(f"{reverse('accounts:verify')}?{urlencode({'email': user.email})}")
        try:
            membership = membership_in(user, slug)
        except NotFound:
            raise Http404("No such workspace, or you are not a member.") from None
        if membership.workspace.require_two_factor and not user.two_factor_enabled:
            return redirect("accounts:two-factor-setup")
        request.actor = Actor(user=user, workspace=membership.workspace, membership=membership, role=membership.role)
        request.oorg_workspace_id = membership.workspace.pk
        open_request_scope(membership.workspace.pk)
        return None


class TrustedProxyMiddleware:
    """Only a configured proxy (settings.TRUSTED_PROXIES) may say how the client connected and who it is.

    From a trusted proxy, the client is the nearest address in X-Forwarded-For that is not itself a trusted
    proxy (what the throttles and the audit log record). From anyone else, X-Forwarded-* headers are
    dropped, so a client cannot claim HTTPS or another address by sending them itself."""

    FORWARDED = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PORT",
                 "HTTP_FORWARDED")

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def _trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.strip())
        except ValueError:
            return False
        return any(ip in network for network in settings.TRUSTED_PROXIES)

    def __call__(self, request):
        meta = request.META
        if settings.TRUSTED_PROXIES and self._trusted(meta.get("REMOTE_ADDR", "")):
            for hop in reversed(meta.get("HTTP_X_FORWARDED_FOR", "").split(",")):
                if hop.strip() and not self._trusted(hop):
                    try:
                        meta["REMOTE_ADDR"] = str(ipaddress.ip_address(hop.strip()))
                    except ValueError:
                        pass  # not an address: keep the proxy's own
                    break
        else:
            for header in self.FORWARDED:
                meta.pop(header, None)
        return self.get_response(request)


class NoStoreMiddleware:
    """No browser or proxy cache keeps a page or an API answer: they may hold personal data or a secret (a new
    token, recovery codes). Static files are served before this and stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["Cache-Control"] = "no-store"
        return response

"""The single NinjaAPI: bearer auth, error mapping, one router per area."""
from __future__ import annotations

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from oorg.accounts.auth import TokenAuth
from oorg.core.errors import DomainError

api = NinjaAPI(
    title="OORG API",
    version="1",
    description=(
        "The OORG REST API. Authenticate with `Authorization: Bearer <token>`: get a token from "
        "`POST /api/v1/auth/token` (email, password, workspace) or from Account → Security in the app. "
        "A token belongs to one user in one workspace. Lists answer `{\"items\": [...], \"count\": N}` "
        "and take `limit` and `offset`; errors answer `{\"detail\": ...}`."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    response = api.create_response(request, exc.as_json(), status=exc.status)
    if getattr(exc, "retry_after", None):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    errors = []
    for e in exc.errors:
        loc = [str(p) for p in e.get("loc", []) if p not in ("body", "payload", "query", "path")]
        errors.append({"field": ".".join(loc) or None, "message": e.get("msg", "invalid")})
    fields = ", ".join(sorted({e["field"] for e in errors if e["field"]}))
    return api.create_response(
        request,
        {"detail": f"Invalid input: {fields}" if fields else "Invalid input.", "code": "validation_failed",
         "field": errors[0]["field"] if errors else None, "errors": errors},
        status=422,
    )


@api.exception_handler(AuthenticationError)
def auth_error(request, exc):
    return api.create_response(
        request, {"detail": "Missing, invalid, expired or revoked token.", "code": "not_authenticated"}, status=401
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found.", "code": "not_found"}, status=404)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.get("/ping", auth=None, tags=["meta"], summary="Liveness of the API process (no database)")
def ping(request):
    return {"ok": True}


api.add_router("/auth/", "oorg.accounts.api.router")
api.add_router("/", "oorg.core.api.router")
api.add_router("/", "oorg.org.api.router")

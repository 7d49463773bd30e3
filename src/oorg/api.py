"""The single NinjaAPI: bearer auth, error mapping, one router per area.

Every answer that is not a success is JSON in one shape, `ErrorOut` (`{"detail", "code"}`, plus `field` and
`errors` for a 422), and the OpenAPI document says so: each operation's `default` response is `ErrorOut`.
A 422 lists every problem found, each `{"field", "message", "code"}`: all of a body's schema errors at once,
or all of a service's rule errors at once (core.errors.Problems). Schema errors come first, alone: the
service's rules need the values a body that does not fit its schema cannot give (an id that is not a number
names no row).
A crash is a JSON 500 too (logged with its traceback); a body that is not JSON is a 422 like any other
invalid input. tests/core/test_api_strictness.py and tests/e2e/test_schemathesis.py hold the API to it.
"""
from __future__ import annotations

import json
from http import HTTPStatus

from django.core import signals
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.log import log_response
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from oorg.accounts.auth import TokenAuth
from oorg.core.errors import DomainError
from oorg.core.schemas import ErrorOut

SERVER_ERROR = {"detail": "Internal server error.", "code": "server_error"}


class InvalidJson(ValueError):
    pass


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON value")


class JsonParser(Parser):
    """Standard JSON only (no NaN or Infinity); anything else is InvalidJson, answered as a 422."""

    def parse_body(self, request):
        try:
            return json.loads(request.body, parse_constant=_refuse_constant)
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            raise InvalidJson(str(exc)) from exc


class OorgAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        error = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(error.pop("$defs", {}))
        components["ErrorOut"] = error
        default = {"description": "An error: `{detail, code}`; a 422 adds `field` and `errors`.",
                   "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
        for methods in schema["paths"].values():
            for operation in methods.values():
                operation["responses"].setdefault("default", default)
        return schema


def status_code(status: int) -> str:
    return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")


api = OorgAPI(
    title="OORG API",
    version="1",
    description=(
        "The OORG REST API. Authenticate with `Authorization: Bearer <token>`: get a token from "
        "`POST /api/v1/auth/token` (email, password, workspace) or from Account → Security in the app. "
        "A token belongs to one user in one workspace. Lists answer `{\"items\": [...], \"count\": N}` "
        "and take `limit` and `offset`; errors answer `{\"detail\": ...}`."
    ),
    auth=TokenAuth(),
    parser=JsonParser(),
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
        errors.append({"field": ".".join(loc) or None, "message": e.get("msg", "invalid"),
                       "code": e.get("type", "invalid")})
    return invalid_input(request, errors)


def invalid_input(request, errors: list[dict], detail: str | None = None):
    fields = ", ".join(sorted({e["field"] for e in errors if e["field"]}))
    return api.create_response(
        request,
        {"detail": detail or (f"Invalid input: {fields}" if fields else "Invalid input."), "code": "validation_failed",
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
    if isinstance(exc.__cause__, InvalidJson):  # ninja wraps any parser error in a 400
        message = f"The body is not valid JSON: {exc.__cause__}."
        return invalid_input(request, [{"field": None, "message": message, "code": "invalid_json"}], detail=message)
    return api.create_response(request, {"detail": str(exc), "code": status_code(exc.status_code)},
                               status=exc.status_code)


@api.exception_handler(Exception)
def server_error(request, exc: Exception):
    # What Django itself would answer for these (its handler never sees them once ninja catches them).
    if isinstance(exc, PermissionDenied):
        return api.create_response(request, {"detail": "You do not have permission to do this.",
                                             "code": "permission_denied"}, status=403)
    if isinstance(exc, SuspiciousOperation | BadRequest | MultiPartParserError):
        return api.create_response(request, {"detail": "Bad request.", "code": "bad_request"}, status=400)
    # A bug: JSON to the client, the traceback to the log (as Django's own 500 handler would log it).
    signals.got_request_exception.send(sender=None, request=request)
    response = api.create_response(request, SERVER_ERROR, status=500)
    log_response("Internal Server Error: %s", request.path, response=response, request=request, exception=exc)
    return response


@api.get("/ping", auth=None, tags=["meta"], summary="Liveness of the API process (no database)")
def ping(request):
    return {"ok": True}


api.add_router("/auth/", "oorg.accounts.api.router")
api.add_router("/", "oorg.workspaces.api.router")
api.add_router("/", "oorg.core.jobs_api.router")
api.add_router("/", "oorg.org.api.router")
api.add_router("/", "oorg.notifications.api.router")
api.add_router("/", "oorg.webhooks.api.router")
api.add_router("/", "oorg.crm.api.router")
api.add_router("/", "oorg.attendance.api.router")
api.add_router("/", "oorg.leave.api.router")

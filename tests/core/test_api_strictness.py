"""A strict, always-JSON API: out-of-range numbers, bad times, unknown fields, bodies of the wrong type and
invalid JSON are 422s in the one error shape; unknown paths, wrong methods and crashes still answer JSON."""
from __future__ import annotations

import json
import logging

import pytest

from oorg.api import api

from ..conftest import ApiClient, token_for

HUGE = 2**63  # one past the largest 64-bit signed integer a database column holds


@pytest.fixture
def owner_client(workspace):
    return ApiClient(token_for(workspace.owner, workspace))


@pytest.fixture
def branch_id(owner_client):
    response = owner_client.post("/branches", {"name": "Lisbon", "time_zone": "Europe/Lisbon"})
    assert response.status_code == 201, response.content
    return response.json()["id"]


def assert_validation_error(response, field=None):
    assert response.status_code == 422, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "validation_failed" and body["detail"], body
    assert body["errors"] and all(set(e) == {"field", "message", "code"} for e in body["errors"]), body
    if field is not None:
        assert field in {e["field"] for e in body["errors"]}, body
        assert field in body["detail"], body
    return body


# --- integers beyond 64 bits -----------------------------------------------------------------------------


@pytest.mark.parametrize("path, field", [
    (f"/members?offset={HUGE}", "offset"),
    (f"/members?limit={HUGE}", "limit"),
    (f"/employees?offset={HUGE}", "offset"),
    (f"/employees?manager={HUGE}", "manager"),
    (f"/employees?department={HUGE}", "department"),
    (f"/employees?branch={-HUGE - 1}", "branch"),
    (f"/departments?offset={HUGE}", "offset"),
    (f"/audit-events?offset={HUGE}", "offset"),
])
def test_query_integers_beyond_64_bits_are_422(owner_client, path, field):
    assert_validation_error(owner_client.get(path), field)


@pytest.mark.parametrize("path", [
    "/employees/99999999999999999999",
    f"/employees/{HUGE}/reports",
    f"/branches/{HUGE}",
    f"/departments/{HUGE}",
    f"/roles/{HUGE}",
])
def test_path_ids_beyond_64_bits_are_422(owner_client, path):
    assert_validation_error(owner_client.get(path))


@pytest.mark.parametrize("method, path", [
    ("PATCH", f"/members/{HUGE}"),
    ("DELETE", f"/invitations/{HUGE}"),
    ("DELETE", f"/auth/tokens/{HUGE}"),
    ("DELETE", f"/auth/sessions/{HUGE}"),
    ("DELETE", f"/employees/{HUGE}/photo"),
])
def test_path_ids_beyond_64_bits_are_422_for_writes_too(owner_client, method, path):
    assert_validation_error(owner_client.request(method, path, {"role": "admin"} if method == "PATCH" else None))


@pytest.mark.parametrize("path, body, field", [
    ("/employees", {"code": "X1", "full_name": "X", "manager_id": HUGE}, "manager_id"),
    ("/departments", {"name": "X", "parent_id": HUGE}, "parent_id"),
    ("/auth/tokens", {"name": "x", "expires_in_days": HUGE}, "expires_in_days"),
])
def test_body_integers_beyond_64_bits_are_422(owner_client, path, body, field):
    assert_validation_error(owner_client.post(path, body), field)


def test_every_integer_the_api_takes_is_bounded():
    """The cause, not the instances: every integer parameter or body field in the OpenAPI document has a
    minimum and a maximum within 64 bits, so a value a database column cannot hold never reaches a query."""
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    unbounded = []

    def walk(node, where):
        if isinstance(node, dict):
            if "$ref" in node:
                walk(components[node["$ref"].rsplit("/", 1)[1]], where)
                return
            if node.get("type") == "integer":
                if not (-(2**63) <= node.get("minimum", -HUGE - 1) and node.get("maximum", HUGE) < 2**63):
                    unbounded.append(where)
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")

    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            for param in operation.get("parameters", []):
                walk(param["schema"], f"{method.upper()} {path} {param['in']} {param['name']}")
            walk(operation.get("requestBody", {}), f"{method.upper()} {path} body")
    assert not unbounded, f"integers without 64-bit bounds: {unbounded}"


# --- branch times ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("body, field", [
    ({"work_ends": None}, "work_ends"),
    ({"work_starts": None}, "work_starts"),
    ({"work_starts": "09:00:00+01:00"}, "work_starts"),
    ({"work_ends": "17:00:00Z"}, "work_ends"),
])
def test_branch_times_must_be_naive_and_present(owner_client, branch_id, body, field):
    assert_validation_error(owner_client.patch(f"/branches/{branch_id}", body), field)


def test_a_new_branch_refuses_an_aware_time(owner_client):
    response = owner_client.post("/branches", {"name": "Aware", "work_starts": "08:30:00-05:00"})
    assert_validation_error(response, "work_starts")


def test_branch_times_answer_as_declared(owner_client, branch_id):
    """The answer matches the declared schema: a wall-clock time in the branch's own time zone."""
    import re

    response = owner_client.patch(f"/branches/{branch_id}", {"work_starts": "08:30", "work_ends": "16:45:00"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["work_starts"], body["work_ends"]) == ("08:30:00", "16:45:00")
    declared = api.get_openapi_schema()["components"]["schemas"]["BranchOut"]["properties"]["work_starts"]
    assert declared.get("format") != "time", "RFC 3339 `time` requires an offset; these are local times"
    assert re.fullmatch(declared["pattern"], body["work_starts"])


# --- errors are JSON, always -----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_unknown_api_paths_answer_json_404_for_every_method(db, method):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)  # as a real client meets it
    response = getattr(client, method)("/api/v1/no-such-thing", data="{}", content_type="application/json")
    assert response.status_code == 404, response.content[:300]
    assert response.json() == {"detail": "No such API endpoint.", "code": "not_found"}


def test_csrf_failure_under_the_api_is_json(rf):
    from oorg.web.views import csrf_failure

    response = csrf_failure(rf.post("/api/v1/anything"), reason="CSRF cookie not set.")
    assert response.status_code == 403
    assert json.loads(response.content)["code"] == "csrf_failed"


def test_method_not_allowed_is_json_405(owner_client):
    response = owner_client.request("PUT", "/members", {})
    assert response.status_code == 405, response.content[:300]
    assert response.json() == {"detail": "Method not allowed.", "code": "method_not_allowed"}
    assert "GET" in response["Allow"]


def test_an_unhandled_exception_is_a_json_500_and_is_logged(owner_client, monkeypatch, caplog):
    from oorg.workspaces import api as workspace_api

    def boom(request):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(workspace_api.selectors, "memberships_of", lambda user: boom(None))
    owner_client.client.raise_request_exception = False  # answer as a real server would, not re-raise
    with caplog.at_level(logging.ERROR):
        response = owner_client.get("/workspaces")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error.", "code": "server_error"}
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]
    assert logged and "kaboom" in str(logged[0].exc_info[1]), caplog.records


def test_a_crash_outside_the_api_view_is_still_json_under_the_api(db, monkeypatch):
    from django.test import Client

    from oorg.core.middleware import WorkspaceScopeMiddleware

    def boom(*args, **kwargs):
        raise RuntimeError("a middleware crashed")

    monkeypatch.setattr(WorkspaceScopeMiddleware, "process_view", boom)
    response = Client(raise_request_exception=False).get("/api/v1/ping")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error.", "code": "server_error"}


# --- unknown fields, wrong types, invalid JSON ------------------------------------------------------------


@pytest.mark.parametrize("path, body, extra", [
    ("/branches", {"name": "Typo", "time_zon": "UTC"}, "time_zon"),
    ("/roles", {"name": "R", "permissions": [], "permision": "x"}, "permision"),
    ("/auth/tokens", {"name": "t", "expires_in": 3}, "expires_in"),
])
def test_unknown_body_fields_are_named_in_a_422(owner_client, path, body, extra):
    assert_validation_error(owner_client.post(path, body), extra)


def test_unknown_fields_in_a_patch_are_422(owner_client, branch_id):
    assert_validation_error(owner_client.patch(f"/branches/{branch_id}", {"nmae": "Porto"}), "nmae")


def test_every_json_body_the_api_takes_forbids_unknown_fields():
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    seen, lax = [], []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            body = content["application/json"]["schema"]
            if "$ref" in body:
                body = components[body["$ref"].rsplit("/", 1)[1]]
            seen.append(f"{method.upper()} {path}")
            if body.get("additionalProperties") is not False:
                lax.append(f"{method.upper()} {path}")
    assert len(seen) > 20
    assert not lax, f"bodies that ignore unknown fields: {lax}"


@pytest.mark.parametrize("raw", ["[]", '"a string"', "42", "null", "true", '[{"name": "x"}]'])
def test_a_body_that_is_not_an_object_is_422(owner_client, raw):
    response = owner_client.client.post("/api/v1/branches", data=raw, content_type="application/json",
                                        HTTP_AUTHORIZATION=f"Bearer {owner_client.token}")
    assert_validation_error(response)


@pytest.mark.parametrize("raw", ["{not json", "{\"name\": ", "\xff", "NaN"])
def test_invalid_json_is_422(owner_client, raw):
    response = owner_client.client.post("/api/v1/branches", data=raw, content_type="application/json",
                                        HTTP_AUTHORIZATION=f"Bearer {owner_client.token}")
    body = assert_validation_error(response)
    assert "JSON" in body["detail"]

"""The webhooks API: who may use it, what it answers, the secret shown once, tests and resends."""
from __future__ import annotations

import pytest

from oorg.core.crypto import decrypt
from oorg.core.models import AuditEvent
from oorg.core.tenancy import workspace_scope
from oorg.webhooks.models import WebhookSubscription
from oorg.webhooks.services import send_test_event
from tests.conftest import _run_pending_on_commit, actor_for

from .conftest import emit_pings, subscribe
from .receiver import verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(workspace, admin, api_client):
    made = api_client(admin, workspace)
    _run_pending_on_commit()  # the fixtures' own events (an invitation accepted) go out before any webhook exists
    return made


def test_create_answers_the_secret_once(workspace, client, receiver, ping_type):
    response = client.post("/webhooks", {"url": receiver.url(), "events": ["tests.ping"], "description": "ERP"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "url", "events", "active", "secret", "description"}
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 30
    assert body["events"] == ["tests.ping"] and body["active"] is True
    with workspace_scope(workspace):
        stored = WebhookSubscription.objects.get()
    assert body["secret"] not in stored.secret_encrypted and decrypt(stored.secret_encrypted) == body["secret"]
    shown = client.get(f"/webhooks/{body['id']}").json()
    assert "secret" not in shown and shown["url"] == receiver.url()
    assert body["secret"] not in client.get("/webhooks").content.decode()
    audit = AuditEvent.objects.get(workspace=workspace, action="webhooks.subscription.created")
    assert audit.data["host"] == "127.0.0.1" and body["secret"] not in str(audit.data)


@pytest.mark.parametrize("events, message", [
    ([], "Choose at least one event type"),
    (["org.nothing.happened"], "Unknown event type: org.nothing.happened"),
    (["tests.ping", "nope.a", "nope.b"], "Unknown event types: nope.a, nope.b"),
])
def test_events_must_be_known_and_not_empty(client, receiver, ping_type, events, message):
    response = client.post("/webhooks", {"url": receiver.url(), "events": events})

    assert response.status_code == 422
    assert response.json()["field"] == "events" and message in response.json()["detail"]


def test_all_problems_at_once_and_unknown_fields(client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    both = client.post("/webhooks", {"url": "http://hooks.example.test/", "events": []})
    typo = client.post("/webhooks", {"url": "https://hooks.example.test/", "events": ["*"], "evnets": []})

    assert both.status_code == 422 and {e["field"] for e in both.json()["errors"]} == {"url", "events"}
    assert typo.status_code == 422 and typo.json()["field"] == "evnets"


def test_event_types_list_names_descriptions_and_schemas(client, ping_type):
    types = {t["name"]: t for t in client.get("/webhooks/event-types").json()}

    assert types["tests.ping"] == {"name": "tests.ping", "description": "A ping, for tests.", "group": "Tests",
                                   "schema": None}
    paused = types["webhooks.subscription.paused"]
    assert paused["group"] == "Webhooks" and {"id", "url", "reason"} <= set(paused["schema"]["properties"])


def test_patch_rotates_the_secret_once_and_deliveries_use_the_new_one(workspace, client, receiver, ping_type,
                                                                      owner_actor):
    created = client.post("/webhooks", {"url": receiver.url(), "events": ["*"]}).json()

    rotated = client.patch(f"/webhooks/{created['id']}", {"rotate_secret": True}).json()
    renamed = client.patch(f"/webhooks/{created['id']}", {"description": "Billing"}).json()

    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    assert renamed["secret"] is None and renamed["description"] == "Billing"
    receiver.secret = rotated["secret"]
    emit_pings(owner_actor, 1)
    assert receiver.requests[0].verified
    assert not verify(created["secret"], receiver.requests[0].headers["OORG-Signature"], receiver.requests[0].body)


def test_patch_pauses_and_resumes(client, receiver, ping_type):
    created = client.post("/webhooks", {"url": receiver.url(), "events": ["*"]}).json()

    paused = client.patch(f"/webhooks/{created['id']}", {"active": False}).json()
    resumed = client.patch(f"/webhooks/{created['id']}", {"active": True}).json()

    assert paused["active"] is False and paused["paused_reason"] == "Paused by admin@acme.test."
    assert resumed["active"] is True and resumed["paused_reason"] == "" and resumed["failing_since"] is None


def test_test_event_and_resend(workspace, client, receiver):
    created = client.post("/webhooks", {"url": receiver.url(), "events": ["*"]}).json()
    receiver.secret = created["secret"]

    test = client.post(f"/webhooks/{created['id']}/test")
    assert test.status_code == 202, test.content
    queued = test.json()
    assert queued["event_type"] == "webhooks.test" and queued["is_test"] is True and queued["state"] == "pending"
    _run_pending_on_commit()  # the send task runs after the request's commit
    [sent] = client.get(f"/webhooks/{created['id']}/deliveries").json()["items"]
    assert sent["id"] == queued["id"] and sent["state"] == "succeeded"
    assert sent["attempt_log"][0]["status_code"] == 200
    assert sent["attempt_log"][0]["request_headers"]["OORG-Event-Type"] == "webhooks.test"
    assert receiver.requests[0].verified and receiver.requests[0].payload["data"]["webhook_id"] == created["id"]

    again = client.post(f"/webhooks/{created['id']}/deliveries/{sent['id']}/resend")
    assert again.status_code == 202 and again.json()["state"] == "pending"
    _run_pending_on_commit()
    [resent] = client.get(f"/webhooks/{created['id']}/deliveries").json()["items"]
    assert resent["attempts"] == 2 and resent["state"] == "succeeded" and len(resent["attempt_log"]) == 2
    assert len(receiver.requests) == 2 and receiver.unique == 1  # the same event id: a receiver keeps it once


def test_deliveries_are_paginated_with_cursors(workspace, client, receiver, ping_type, owner_actor):
    created = client.post("/webhooks", {"url": receiver.url(), "events": ["tests.ping"]}).json()
    receiver.secret = created["secret"]
    emit_pings(owner_actor, 3)

    first = client.get(f"/webhooks/{created['id']}/deliveries?limit=2").json()
    rest = client.get(f"/webhooks/{created['id']}/deliveries?limit=2&cursor={first['next_cursor']}").json()

    assert first["count"] == 3 and len(first["items"]) == 2 and rest["next_cursor"] is None
    ids = [d["id"] for d in first["items"] + rest["items"]]
    assert len(set(ids)) == 3
    item = first["items"][0]
    assert item["state"] == "succeeded" and item["attempt_log"][0]["response_body"].startswith("ok ")
    assert '"type":"tests.ping"' in item["body"]


def test_delete(workspace, client, receiver, ping_type, owner_actor):
    created = client.post("/webhooks", {"url": receiver.url(), "events": ["*"]}).json()

    assert client.delete(f"/webhooks/{created['id']}").status_code == 204
    assert client.get(f"/webhooks/{created['id']}").status_code == 404
    emit_pings(owner_actor, 1)
    assert receiver.requests == []


@pytest.mark.parametrize("role", ["member", "manager", "hr"])
def test_only_those_who_manage_webhooks(workspace, owner, member, manager, hr, api_client, receiver, role):
    user = {"member": member, "manager": manager, "hr": hr}[role]
    client = api_client(user, workspace)
    _run_pending_on_commit()
    subscription, _ = subscribe(actor_for(owner, workspace), receiver.url(), ["*"])

    for method, path, body in [("GET", "/webhooks", None), ("POST", "/webhooks", {"url": receiver.url(),
                                                                                  "events": ["*"]}),
                               ("GET", f"/webhooks/{subscription.pk}", None),
                               ("PATCH", f"/webhooks/{subscription.pk}", {"active": False}),
                               ("DELETE", f"/webhooks/{subscription.pk}", None),
                               ("GET", f"/webhooks/{subscription.pk}/deliveries", None),
                               ("POST", f"/webhooks/{subscription.pk}/test", {}),
                               ("GET", "/webhooks/event-types", None)]:
        response = client.request(method, path, body)
        assert response.status_code == 403, (method, path, response.status_code)
    _run_pending_on_commit()
    assert receiver.requests == []


def test_another_workspaces_webhook_is_not_found(workspace, other_workspace, owner, client, receiver):
    _run_pending_on_commit()
    theirs, _ = subscribe(actor_for(other_workspace.owner, other_workspace), receiver.url(), ["*"])
    with workspace_scope(other_workspace):
        test = send_test_event(actor_for(other_workspace.owner, other_workspace), theirs)
    _run_pending_on_commit()
    sent = len(receiver.requests)

    for method, path in [("GET", f"/webhooks/{theirs.pk}"), ("PATCH", f"/webhooks/{theirs.pk}"),
                         ("DELETE", f"/webhooks/{theirs.pk}"), ("GET", f"/webhooks/{theirs.pk}/deliveries"),
                         ("POST", f"/webhooks/{theirs.pk}/test"),
                         ("POST", f"/webhooks/{theirs.pk}/deliveries/{test.pk}/resend")]:
        response = client.request(method, path, {"active": False} if method == "PATCH" else (
            {} if method == "POST" else None))
        assert response.status_code == 404, (method, path, response.status_code)
    assert client.get("/webhooks").json()["items"] == []
    _run_pending_on_commit()
    assert len(receiver.requests) == sent
    theirs.refresh_from_db()
    assert theirs.active

"""A newcomer signs up over HTTP against a live server; the code arrives through a real SMTP server."""
import json
import re
import urllib.error
import urllib.request

import pytest
from aiosmtpd.controller import Controller

from ..conftest import PASSWORD, free_port


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf8", "replace")))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_inbox(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield inbox
    controller.stop()


def call(base, method, path, body=None, token=None):
    request = urllib.request.Request(f"{base}/api/v1{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def test_signup_verify_token_me_over_http_and_smtp(live_server, smtp_inbox):
    base = live_server.url
    status, body = call(base, "POST", "/auth/signup", {"email": "ada@example.test", "password": PASSWORD,
                                                       "full_name": "Ada Lovelace", "workspace_name": "Engines"})
    assert status == 201 and body["user"]["email_verified"] is False

    [(recipients, raw)] = smtp_inbox.messages
    assert recipients == ["ada@example.test"]
    code = re.search(r"verification code is (\d{6})", raw).group(1)

    assert call(base, "POST", "/auth/token", {"email": "ada@example.test", "password": PASSWORD})[0] == 403
    assert call(base, "POST", "/auth/verify-email", {"email": "ada@example.test", "code": code})[0] == 200
    status, token = call(base, "POST", "/auth/token", {"email": "ada@example.test", "password": PASSWORD})
    assert status == 201
    status, me = call(base, "GET", "/me", token=token["token"])
    assert status == 200 and me["role"] == "owner" and me["workspace"]["name"] == "Engines"

    # an invitation travels by SMTP too, and its code opens the workspace to a colleague
    status, _ = call(base, "POST", "/invitations", {"email": "charles@example.test", "role": "member"},
                     token=token["token"])
    assert status == 201
    invite = smtp_inbox.messages[-1][1]
    invite_code = re.search(r"Your invitation code: (\S+)", invite).group(1)
    status, joined = call(base, "POST", "/invitations/accept",
                          {"code": invite_code, "password": PASSWORD, "full_name": "Charles Babbage"})
    assert status == 201 and joined["role"] == "member" and joined["user"]["email_verified"] is True


def test_openapi_documents_every_route(live_server):
    with urllib.request.urlopen(f"{live_server.url}/api/v1/openapi.json", timeout=20) as response:
        schema = json.loads(response.read())
    paths = schema["paths"]
    for expected in ("/api/v1/auth/signup", "/api/v1/auth/token", "/api/v1/me", "/api/v1/members",
                     "/api/v1/invitations", "/api/v1/audit-events", "/api/v1/auth/sessions", "/api/v1/auth/tokens"):
        assert expected in paths
    assert all(op.get("summary") for methods in paths.values() for op in methods.values())
    with urllib.request.urlopen(f"{live_server.url}/api/v1/docs", timeout=20) as response:
        assert b"swagger" in response.read().lower()

"""What an operator sees: oorg demo, /healthz, request logs, settings derived from the environment."""
import json
import logging
import os
import subprocess
import sys

from oorg.accounts.models import User
from oorg.cli import main as oorg
from oorg.core.models import Membership, Workspace
from oorg.core.tenancy import workspace_scope

from ..conftest import PASSWORD, ApiClient


def test_demo_is_idempotent_and_its_users_can_sign_in(db, capsys):
    assert oorg(["demo"]) == 0
    assert oorg(["demo"]) == 0
    out = capsys.readouterr().out
    assert "owner@demo.oorg.test" in out and "Sign in" in out
    demo = Workspace.objects.get(slug="demo")
    with workspace_scope(demo):
        assert sorted(Membership.objects.values_list("role", flat=True)) == [
            "admin", "hr", "manager", "member", "owner"]
    assert User.objects.count() == 5
    from oorg.workspaces.demo import DEMO_PASSWORD

    token = ApiClient().post("/auth/token", {"email": "manager@demo.oorg.test", "password": DEMO_PASSWORD})
    assert token.status_code == 201
    manager = ApiClient(token.json()["token"])
    me = next(e for e in manager.get("/employees?q=Max").json()["items"])
    team = manager.get(f"/employees/{me['id']}/reports?depth=all").json()
    assert team["count"] == 7 and {"Mia Member", "Noah Fischer"} <= {e["full_name"] for e in team["items"]}
    assert manager.get("/employees").json()["count"] == 18


def test_demo_if_empty_leaves_a_used_database_alone(workspace, capsys):
    assert oorg(["demo", "--if-empty"]) == 0
    assert not Workspace.objects.filter(slug="demo").exists()
    assert "owner@demo.oorg.test" not in capsys.readouterr().out


def test_demo_if_empty_still_says_how_to_sign_in_to_an_existing_demo(db, capsys):
    oorg(["demo"])
    capsys.readouterr()
    assert oorg(["demo", "--if-empty"]) == 0
    assert "owner@demo.oorg.test" in capsys.readouterr().out


def test_healthz_answers_when_the_database_does(db, client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_request_log_is_one_json_line_without_secrets(db, outbox, caplog):
    caplog.set_level(logging.INFO, logger="oorg.request")
    ApiClient().post("/auth/signup", {"email": "log@example.test", "password": PASSWORD, "full_name": "Log",
                                      "workspace_name": "Logs"})
    code = outbox.last_code("log@example.test")
    ApiClient().post("/auth/verify-email", {"email": "log@example.test", "code": code})
    token = ApiClient().post("/auth/token", {"email": "log@example.test", "password": PASSWORD}).json()["token"]
    ApiClient(token).get("/me?token=" + token)

    lines = [r.getMessage() for r in caplog.records if r.name == "oorg.request"]
    assert len(lines) == 4
    last = json.loads(lines[-1])
    assert last["route"] == "/api/v1/me" and last["status"] == 200 and last["user"] and last["workspace"]
    assert isinstance(last["duration_ms"], float)
    everything = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (PASSWORD, code, token):
        assert secret not in everything


def settings_under(env: dict) -> dict:
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'secure': s.SESSION_COOKIE_SECURE, 'csrf': s.CSRF_COOKIE_SECURE, 'hsts': s.SECURE_HSTS_SECONDS,"
        " 'db': s.DATABASES['default']['ENGINE'], 'email': s.EMAIL_BACKEND, 'port': getattr(s, 'EMAIL_PORT', None)}))"
    )
    full = {**os.environ, "DJANGO_SETTINGS_MODULE": "oorg.settings", **env}
    out = subprocess.run([sys.executable, "-c", script], env=full, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_cookies_are_secure_and_hsts_on_behind_https(tmp_path):
    https = settings_under({"OORG_BASE_URL": "https://oorg.example.com", "OORG_DATA_DIR": str(tmp_path)})
    plain = settings_under({"OORG_BASE_URL": "http://127.0.0.1:8000", "OORG_DATA_DIR": str(tmp_path)})
    assert https["secure"] and https["csrf"] and https["hsts"] > 0
    assert not plain["secure"] and plain["hsts"] == 0


def test_smtp_url_selects_smtp_and_its_absence_the_outbox(tmp_path):
    smtp = settings_under({"OORG_SMTP_URL": "smtp://mailer:2525", "OORG_DATA_DIR": str(tmp_path)})
    outbox = settings_under({"OORG_SMTP_URL": "", "OORG_DATA_DIR": str(tmp_path)})
    assert smtp["email"].endswith("smtp.EmailBackend") and smtp["port"] == 2525
    assert outbox["email"] == "oorg.core.mail.OutboxBackend"


def test_security_headers_on_every_response(db, client):
    response = client.get("/api/v1/ping")
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_unknown_api_paths_answer_json_404(db):
    for path in ("/api/v1/nope", "/api/v1/members/abc", "/api/v2/me"):
        response = ApiClient().client.get(path)
        assert response.status_code == 404 and response.json()["detail"], path


def test_unparseable_json_is_a_422_with_detail(workspace, api_client):
    client = api_client(workspace.owner, workspace)
    response = client.client.post("/api/v1/invitations", data="{not json", content_type="application/json",
                                  HTTP_AUTHORIZATION=f"Bearer {client.token}")
    assert response.status_code == 422 and response.json()["code"] == "validation_failed"
    assert "not valid JSON" in response.json()["detail"]

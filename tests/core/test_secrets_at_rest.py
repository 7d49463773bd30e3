"""No secret at rest: emails are stored encrypted until sent and the task carries an id; answers are not cached;
X-Forwarded-* count only from configured proxies; the data dir is private."""
from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest
from django.db import transaction
from django.test import Client

from oorg.core import mail
from oorg.core.models import AuditEvent, OutgoingEmail

from ..conftest import PASSWORD, free_port


@pytest.mark.django_db(transaction=True)
def test_an_email_waits_encrypted_and_is_wiped_once_sent(outbox, settings):
    with transaction.atomic():
        mail.send("ada@example.test", "Your code: 123456", "Your code is 123456.")
        row = OutgoingEmail.objects.get()
        assert "123456" not in row.message_encrypted and "ada@example.test" not in row.message_encrypted
    [message] = outbox.to("ada@example.test")
    assert "123456" in message.get_payload()

    row.refresh_from_db()
    assert row.sent_at is not None and row.message_encrypted == ""


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_sends_nothing(outbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        mail.send("ada@example.test", "Hello", "Body")
        raise RuntimeError("the change failed")

    assert outbox.messages() == [] and not OutgoingEmail.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_message_is_sent_once_however_often_its_task_runs(outbox):
    from oorg.core.tasks import send_email

    with transaction.atomic():
        row = OutgoingEmail.objects.create(message_encrypted=_encrypted("ada@example.test", "Hi", "Once"))
    send_email.run(email_id=row.pk)
    send_email.run(email_id=row.pk)

    assert len(outbox.to("ada@example.test")) == 1


def _encrypted(to, subject, body):
    import json

    from oorg.core.crypto import encrypt

    return encrypt(json.dumps({"to": to, "subject": subject, "body": body}))


@pytest.mark.django_db(transaction=True)
def test_a_message_that_failed_to_send_is_sent_later_by_the_periodic_job(outbox, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    row = OutgoingEmail.objects.create(message_encrypted=_encrypted("ada@example.test", "Hi", "Later"))
    with pytest.raises(OSError):  # nobody listens: the task would retry; the message stays
        mail.deliver(row.pk)
    row.refresh_from_db()
    assert row.sent_at is None and row.attempts == 1 and row.claimed_until is None

    settings.EMAIL_BACKEND = "oorg.core.mail.OutboxBackend"
    OutgoingEmail.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    assert mail.resend_unsent() == 1
    assert len(outbox.to("ada@example.test")) == 1


@pytest.mark.django_db
def test_api_answers_and_pages_are_not_cached(api_client, owner, workspace):
    me = api_client(owner, workspace).get("/me")
    token = Client().post("/api/v1/auth/token", {"email": owner.email, "password": PASSWORD},
                          content_type="application/json")
    browser = Client()
    browser.post("/signin", {"email": owner.email, "password": PASSWORD})
    page = browser.get(f"/w/{workspace.slug}/members/")

    assert me.status_code == 200 and me["Cache-Control"] == "no-store"
    assert token.status_code == 201 and token["Cache-Control"] == "no-store"
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_static_files_stay_cacheable(client):
    response = client.get("/static/oorg/app.css")
    assert response.status_code == 200 and "no-store" not in response.get("Cache-Control", "")


def _failed_signin_ip(**meta) -> str:
    Client().post("/api/v1/auth/token", {"email": "nobody@example.test", "password": "Wrong-password-1"},
                  content_type="application/json", **meta)
    return AuditEvent.objects.filter(action="auth.signin_failed").order_by("-pk").values_list(
        "ip_address", flat=True).first()


@pytest.mark.django_db
def test_forwarded_headers_from_an_unknown_peer_are_ignored(settings):
    settings.TRUSTED_PROXIES = []
    spoofed = _failed_signin_ip(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert spoofed == "203.0.113.9"


@pytest.mark.django_db
def test_a_trusted_proxy_names_the_client(settings):
    import ipaddress

    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]
    # The client may prepend anything; the nearest untrusted hop is the one the proxy saw.
    ip = _failed_signin_ip(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="192.0.2.66, 198.51.100.7, 10.0.0.4")
    assert ip == "198.51.100.7"


def _sees(settings, trusted, **meta):
    from django.test import RequestFactory

    from oorg.core.middleware import TrustedProxyMiddleware

    settings.TRUSTED_PROXIES = trusted
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    seen = {}

    def view(request):
        seen.update(secure=request.is_secure(), ip=request.META["REMOTE_ADDR"])

    TrustedProxyMiddleware(view)(RequestFactory().get("/", **meta))
    return seen


def test_only_a_trusted_proxy_can_say_https(settings):
    import ipaddress

    header = {"REMOTE_ADDR": "192.0.2.10", "HTTP_X_FORWARDED_PROTO": "https"}
    assert _sees(settings, [], **header) == {"secure": False, "ip": "192.0.2.10"}
    assert _sees(settings, [ipaddress.ip_network("192.0.2.10/32")], **header)["secure"] is True


def test_the_data_dir_and_every_file_in_it_are_private(tmp_path):
    data_dir = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OORG_")}
    env.update(OORG_DATA_DIR=str(data_dir), OORG_BASE_URL="http://127.0.0.1")
    subprocess.run([sys.executable, "-m", "oorg.cli", "migrate"], env=env, check=True, capture_output=True)
    # Queue an email through the embedded broker (no eager mode), so the broker file exists too.
    script = ("from django.db import transaction\nfrom oorg.core import mail\n"
              "with transaction.atomic():\n    mail.send('a@example.test', 'Code', 'Your code is 123456')\n")
    subprocess.run([sys.executable, "-m", "oorg.cli", "manage", "shell", "-c", script], env=env, check=True,
                   capture_output=True)

    made = [data_dir, *data_dir.rglob("*")]
    assert any(p.name == "oorg.sqlite3" for p in made) and any(p.name == "broker.sqlite3" for p in made)
    loose = [f"{p} {oct(stat.S_IMODE(p.stat().st_mode))}" for p in made if p.stat().st_mode & 0o077]
    assert loose == []

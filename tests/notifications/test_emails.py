"""Notification emails: HTML with a text part, sent at once or in hourly/daily digests, at most once (twice
run, after a failure, four jobs at once), with a one-click unsubscribe link that needs no sign-in; security
notices are always sent and carry no unsubscribe."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from oorg.core import mail
from oorg.core.models import OutgoingEmail
from oorg.notifications import emails, services
from oorg.notifications.emails import send_due
from oorg.notifications.models import Notification, NotificationPreferences

from ..conftest import actor_for, free_port
from .conftest import NEWS, PING, SECURITY, account_notice, notifications_of, ping

pytestmark = pytest.mark.django_db


def parts(message) -> tuple[str | None, str | None]:
    found = {}
    for part in message.walk():
        if part.get_content_type() in ("text/plain", "text/html"):
            found[part.get_content_type()] = part.get_payload(decode=True).decode()
    return found.get("text/plain"), found.get("text/html")


def header(message, name="List-Unsubscribe") -> str:
    """A header as one line (a long one is folded over several)."""
    return "".join(message[name].split())


@pytest.fixture
def inbox(outbox):
    """inbox(user) -> the emails sent to them since this fixture was made (their invitation left out)."""
    seen = {}

    def read(user):
        messages = outbox.to(user.email)
        return messages[seen.setdefault(user.email, 0):]

    def mark(user):
        seen[user.email] = len(outbox.to(user.email))

    read.mark = mark
    return read


@pytest.fixture
def member_inbox(inbox, member):
    inbox.mark(member)
    return lambda: inbox(member)


def test_an_immediate_notification_is_one_email_with_html_text_and_unsubscribe(workspace, owner, member,
                                                                              member_inbox):
    ping(workspace, owner, [member], title="Your role changed", body="You are now an admin.",
         url="/w/acme-corp/members/")

    [message] = member_inbox()
    text, html = parts(message)
    assert message["Subject"] == "Your role changed"
    assert message.get_content_type() == "multipart/alternative"
    assert "You are now an admin." in text and "http://testserver/w/acme-corp/members/" in text
    assert '<a href="http://testserver/w/acme-corp/members/"' in html and "You are now an admin." in html
    unsubscribe = re.fullmatch(r"<(http://testserver/unsubscribe/[^>]+)>", header(message)).group(1)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in text and unsubscribe in html  # a visible link too
    assert Notification.objects.get(user=member).emailed_at is not None


def test_running_the_job_again_sends_nothing_twice(workspace, owner, member, member_inbox):
    ping(workspace, owner, [member])

    assert send_due() == 0
    assert send_due(now=timezone.now() + dt.timedelta(days=2)) == 0
    assert len(member_inbox()) == 1


def test_a_security_notice_goes_at_once_in_quiet_hours_and_cannot_be_unsubscribed(member, member_inbox):
    NotificationPreferences.objects.create(user=member, quiet_hours_enabled=True, quiet_start=dt.time(0, 0),
                                           quiet_end=dt.time(23, 59))

    account_notice(member, title="New sign-in to your account")

    [message] = member_inbox()
    text, html = parts(message)
    assert message["Subject"] == "New sign-in to your account"
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None
    assert "unsubscribe" not in text.lower() and "unsubscribe" not in html.lower()
    assert "security notice" in text and "cannot be turned off" in text


def test_an_hourly_digest_is_one_email_with_all_of_them(workspace, owner, member, member_inbox):
    NotificationPreferences.objects.create(user=member, kinds={PING: {"email": "hourly"}})
    for title in ("Alpha", "Bravo", "Charlie"):
        ping(workspace, owner, [member], title=title)
    assert member_inbox() == []  # not before the top of the hour

    assert send_due(now=timezone.now() + dt.timedelta(hours=1)) == 1
    assert send_due(now=timezone.now() + dt.timedelta(hours=2)) == 0

    [message] = member_inbox()
    text, html = parts(message)
    assert message["Subject"] == "Your hourly digest: 3 notifications"
    assert all(title in text and title in html for title in ("Alpha", "Bravo", "Charlie"))
    assert header(message).startswith("<http://testserver/unsubscribe/")


def test_a_daily_digest_leaves_out_what_was_read_in_the_app(workspace, owner, member, member_inbox):
    for title in ("Alpha", "Bravo", "Charlie"):
        ping(workspace, owner, [member], kind=NEWS, title=title)
    bravo = next(n for n in notifications_of(member) if n.title == "Bravo")
    services.mark_read(actor_for(member, workspace), bravo)
    due = {n.email_due_at for n in notifications_of(member)}
    assert len(due) == 1 and due.pop().astimezone(dt.UTC).time() == dt.time(8, 0)  # 08:00 in UTC, the default

    assert send_due(now=timezone.now() + dt.timedelta(days=1, hours=1)) == 1

    [message] = member_inbox()
    text, _html = parts(message)
    assert message["Subject"] == "Your daily digest: 2 notifications"
    assert "Alpha" in text and "Charlie" in text and "Bravo" not in text
    bravo.refresh_from_db()
    assert bravo.emailed_at is None and bravo.email_due_at is None  # it will not come later either


def test_digests_go_per_person_and_mode(workspace, owner, member, admin, inbox):
    inbox.mark(member)
    inbox.mark(admin)
    NotificationPreferences.objects.create(user=member, kinds={PING: {"email": "hourly"}})
    ping(workspace, owner, [member, admin], title="One")
    ping(workspace, owner, [member, admin], title="Two")
    ping(workspace, owner, [member], kind=NEWS, title="Daily news")
    assert len(inbox(admin)) == 2 and inbox(member) == []  # the admin keeps the default: at once

    send_due(now=timezone.now() + dt.timedelta(days=1, hours=1))

    assert sorted(m["Subject"] for m in inbox(member)) == ["Your daily digest: 1 notification",
                                                           "Your hourly digest: 2 notifications"]
    assert len(inbox(admin)) == 2


def test_a_second_job_after_a_failed_delivery_sends_nothing_new(workspace, owner, member, member_inbox, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2  # nobody there

    from celery.exceptions import Retry

    with pytest.raises(Retry):  # the send task would try again later; the test stops here
        ping(workspace, owner, [member], title="While the mail server is down")

    notification = Notification.objects.get(user=member)
    waiting = OutgoingEmail.objects.get(sent_at__isnull=True)
    assert notification.emailed_at is not None  # handed over once, with its message, in one transaction
    assert send_due() == 0 and send_due(now=timezone.now() + dt.timedelta(days=1)) == 0
    assert OutgoingEmail.objects.filter(sent_at__isnull=True).count() == 1

    settings.EMAIL_BACKEND = "oorg.core.mail.OutboxBackend"
    assert mail.deliver(waiting.pk) is True  # core's resend job does this for a message still waiting
    assert mail.deliver(waiting.pk) is False
    assert [m["Subject"] for m in member_inbox()] == ["While the mail server is down"]


def test_a_job_that_fails_before_commit_leaves_the_notifications_due(workspace, owner, member, member_inbox,
                                                                     monkeypatch):
    NotificationPreferences.objects.create(user=member, kinds={PING: {"email": "hourly"}})
    ping(workspace, owner, [member], title="Alpha")
    later = timezone.now() + dt.timedelta(hours=1)
    from django.template import loader

    real = loader.render_to_string
    monkeypatch.setattr(emails, "render_to_string", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("crash")))
    with pytest.raises(RuntimeError):
        send_due(now=later)
    assert Notification.objects.get(user=member).emailed_at is None
    assert not OutgoingEmail.objects.filter(sent_at__isnull=True).exists()

    monkeypatch.setattr(emails, "render_to_string", real)
    assert send_due(now=later) == 1 and send_due(now=later) == 0
    assert len(member_inbox()) == 1


@pytest.mark.django_db(transaction=True)  # on PostgreSQL the jobs' own connections must see the rows
def test_four_jobs_at_once_email_each_notification_once(race):
    result = race("four_email_jobs_at_once")

    assert result["errors"] == []
    # Each of the twenty went in exactly one email, whichever job took it: ten single emails and the digest
    # (on PostgreSQL two jobs may split the digest between them, each taking the rows it locked).
    assert result["times_sent"] == {f"{name} {i}": 1 for name in ("Ping", "Digest") for i in range(10)}
    assert result["emailed"] == 20
    assert sum(result["answers"]) == result["outgoing"] == result["files"] in (11, 12, 13, 14)


# --- unsubscribing ---------------------------------------------------------------------------------------------


def _unsubscribe_url(message) -> str:
    return header(message)[1:-1].removeprefix("http://testserver")


def test_the_unsubscribe_link_works_without_signing_in(workspace, owner, member, member_inbox):
    ping(workspace, owner, [member], title="First")
    url = _unsubscribe_url(member_inbox()[0])
    browser = Client(enforce_csrf_checks=True)

    page = browser.get(url)
    assert page.status_code == 200 and "You were pinged" in page.content.decode()
    assert 'type="submit">Unsubscribe</button>' in page.content.decode()
    assert NotificationPreferences.objects.filter(user=member).count() == 0  # a GET changes nothing

    response = browser.post(url)
    assert response.status_code in (302, 303) and response["Location"] == url
    done = browser.get(url).content.decode()
    assert "Unsubscribed" in done and "Unsubscribe</button>" not in done

    ping(workspace, owner, [member], title="Second")
    assert len(member_inbox()) == 1  # no email any more
    assert [n.title for n in notifications_of(member)] == ["First", "Second"]  # still in the app


def test_a_mail_clients_one_click_post_unsubscribes(workspace, owner, member, member_inbox, api_client):
    ping(workspace, owner, [member])
    url = _unsubscribe_url(member_inbox()[0])

    response = Client(enforce_csrf_checks=True).post(url, "List-Unsubscribe=One-Click",
                                                     content_type="application/x-www-form-urlencoded")

    assert response.status_code == 200 and "Unsubscribed" in response.content.decode()
    kinds = api_client(member, workspace).get("/notification-preferences").json()["kinds"]
    assert next(k for k in kinds if k["kind"] == PING)["email"] == "off"


def test_a_tampered_token_is_refused_and_changes_nothing(workspace, owner, member, member_inbox):
    ping(workspace, owner, [member])
    url = _unsubscribe_url(member_inbox()[0])
    token = url.rsplit("/", 1)[1]
    forged_other_user = emails.unsubscribe_token(owner.pk, [PING]).split(":")[0] + ":" + token.split(":", 1)[1]

    for bad in (url[:-2] + ("AA" if not url.endswith("AA") else "BB"), f"/unsubscribe/{forged_other_user}",
                "/unsubscribe/not-a-token"):
        assert Client().get(bad).status_code == 404
        assert Client().post(bad, "List-Unsubscribe=One-Click",
                             content_type="application/x-www-form-urlencoded").status_code == 404
    assert not NotificationPreferences.objects.exists()


def test_a_token_naming_a_security_kind_cannot_turn_it_off(member, member_inbox):
    url = f"/unsubscribe/{emails.unsubscribe_token(member.pk, [SECURITY])}"

    Client().post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    account_notice(member)

    assert len(member_inbox()) == 1


def test_an_email_queued_before_html_existed_still_goes_as_plain_text(outbox):
    from oorg.core.crypto import encrypt

    row = OutgoingEmail.objects.create(message_encrypted=encrypt(json.dumps(
        {"to": "old@example.test", "subject": "Queued last release", "body": "Plain as before"})))

    assert mail.deliver(row.pk)
    [message] = outbox.to("old@example.test")
    assert message.get_content_type() == "text/plain" and "Plain as before" in parts(message)[0]

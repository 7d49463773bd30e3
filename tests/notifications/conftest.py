"""Test-only event types and kinds, and a way to make notifications through the real path: audit.record() writes
the event, its dispatch runs after "commit", and the notifications consumer makes the rows."""
from __future__ import annotations

import pytest

from oorg.core import audit, events
from oorg.core.tenancy import workspace_scope
from oorg.notifications.models import Notification

from ..conftest import _run_pending_on_commit, actor_for

PING = "test.pinged"  # emailed immediately by default
NEWS = "test.news"  # a daily digest by default
SECURITY = "test.security"  # a security notice


def _notify(event):
    return [events.Notice(user_id=uid, kind=event.data["kind"], title=event.data["title"],
                          body=event.data.get("body", ""), url=event.data.get("url", ""))
            for uid in event.data["to"]]


@pytest.fixture(autouse=True)
def test_kinds(monkeypatch):
    """Registered for the test only (monkeypatch puts events.TYPES/KINDS back afterwards)."""
    monkeypatch.setitem(events.KINDS, PING, events.Kind(PING, "You were pinged", group="Testing",
                                                        default_email="immediately"))
    monkeypatch.setitem(events.KINDS, NEWS, events.Kind(NEWS, "News of the day", group="Testing",
                                                        default_email="daily"))
    monkeypatch.setitem(events.KINDS, SECURITY, events.Kind(SECURITY, "Security warning", group="Account",
                                                            security=True))
    monkeypatch.setitem(events.TYPES, "test.ping", events.EventType("test.ping", "A test ping.", notify=_notify))
    monkeypatch.setitem(events.TYPES, "test.account_ping", events.EventType(
        "test.account_ping", "A test account notice.", notify=_notify, account=True))
    monkeypatch.setitem(audit.ACTIONS, "test.ping", "Test ping")
    monkeypatch.setitem(audit.ACTIONS, "test.account_ping", "Test account notice")


def ping(workspace, sender, recipients, *, kind=PING, title="Hello", body="", url="", run=True):
    """`sender` pings `recipients` in `workspace`: one event, one notification each. Answers the audit record."""
    with workspace_scope(workspace):
        record = audit.record(actor_for(sender, workspace), "test.ping", workspace, to=[u.pk for u in recipients],
                              kind=kind, title=title, body=body, url=url)
    if run:
        _run_pending_on_commit()
    return record


def account_notice(user, *, kind=SECURITY, title="New sign-in to your account", run=True):
    """An account event (no workspace) telling `user`."""
    record = audit.record(None, "test.account_ping", user, user=user, to=[user.pk], kind=kind, title=title)
    if run:
        _run_pending_on_commit()
    return record


def notifications_of(user):
    return list(Notification.objects.filter(user=user).order_by("created_at", "pk"))

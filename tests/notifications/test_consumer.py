"""The consumer: one notification per (event, person) however often the event is handed over; people who left
the workspace hear nothing more of it; bulk and bounded in queries for a thousand recipients."""
from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from oorg.accounts.models import User
from oorg.core import events
from oorg.core.models import Event, Membership
from oorg.core.permissions import Actor
from oorg.core.tenancy import workspace_scope
from oorg.notifications import consumer
from oorg.notifications.models import Notification
from oorg.workspaces.services import remove_member

from ..conftest import actor_for
from .conftest import NEWS, PING, account_notice, notifications_of, ping

pytestmark = pytest.mark.django_db


def test_the_consumer_is_registered():
    assert events.CONSUMERS["notifications"] is consumer.handle


def test_dispatching_the_same_event_twice_makes_one_notification(workspace, owner, member, outbox):
    record = ping(workspace, owner, [member], title="Once")
    event = Event.objects.get(audit_event_id=record.pk)
    sent = len(outbox.to(member.email))

    Event.objects.filter(pk=event.pk).update(dispatched_at=None)
    events.dispatch([str(event.pk)])
    consumer.handle([event, event])

    assert [n.title for n in notifications_of(member)] == ["Once"]
    assert len(outbox.to(member.email)) == sent  # and it was emailed once


def test_a_notification_carries_the_event_and_its_actor(workspace, owner, member):
    record = ping(workspace, owner, [member], title="Hi", body="There", url="/w/acme-corp/")

    [n] = notifications_of(member)
    event = Event.objects.get(audit_event_id=record.pk)
    assert (n.event_id, n.workspace_id, n.kind, n.title, n.body, n.url) == (
        event.pk, workspace.pk, PING, "Hi", "There", "/w/acme-corp/")
    assert n.actor_id == owner.pk and n.created_at == event.created_at and n.read_at is None


def test_people_who_left_the_workspace_are_not_told(workspace, owner, member, admin):
    with workspace_scope(workspace):
        remove_member(actor_for(owner, workspace), Membership.objects.get(user=member))

    ping(workspace, owner, [member, admin])

    assert notifications_of(member) == [] and len(notifications_of(admin)) == 1


def test_someone_of_another_workspace_is_not_told(workspace, other_workspace, owner):
    stranger = other_workspace.owner

    ping(workspace, owner, [stranger])

    assert notifications_of(stranger) == []


def test_an_account_notice_has_no_workspace(member):
    account_notice(member, title="Password changed")

    [n] = notifications_of(member)
    assert n.workspace_id is None and n.title == "Password changed"


def test_notices_of_unknown_kinds_and_types_without_rules_are_skipped(workspace, owner, member, monkeypatch):
    monkeypatch.setitem(events.TYPES, "test.quiet", events.EventType("test.quiet", "Nobody is told."))
    ping(workspace, owner, [member], kind="test.not_registered")

    assert notifications_of(member) == []


def _members(workspace, count):
    unusable = make_password(None)
    users = User.objects.bulk_create([User(email=f"m{i}@crowd.test", full_name=f"Member {i}", password=unusable,
                                           email_verified_at=timezone.now()) for i in range(count)], batch_size=500)
    with workspace_scope(workspace):
        Membership.objects.bulk_create([Membership(workspace=workspace, user=u, role="member") for u in users],
                                       batch_size=500)
    return users


def test_a_thousand_recipients_cost_a_bounded_number_of_queries(workspace, owner, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    crowd = _members(workspace, 1000)
    event_type = events.EventType("test.ping", "Everyone is told.", notify=lambda event: [
        events.Notice(user_id=u.pk, kind=NEWS, title="Announcement") for u in crowd])
    monkeypatch.setitem(events.TYPES, "test.ping", event_type)
    with workspace_scope(workspace):
        from oorg.core import audit
        record = audit.record(Actor.system(workspace), "test.ping", workspace)
    event = Event.objects.get(audit_event_id=record.pk)

    with CaptureQueriesContext(connection) as queries:
        consumer.handle([event])

    # the recipients with their preferences, their memberships, then bulk inserts (as many rows each as the
    # database takes parameters: 66 on SQLite, 500 on PostgreSQL): no query per person
    sql = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    inserts = [q for q in sql if q.startswith("INSERT")]
    assert len(sql) - len(inserts) == 2, sql
    assert len(inserts) <= 1000 // 60 + 1
    assert Notification.objects.filter(event_id=event.pk).count() == 1000
    assert not Notification.objects.filter(event_id=event.pk, email_due_at__isnull=True).exists()  # daily digest

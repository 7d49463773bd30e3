"""The outbox: one audit.record() writes the event in the change's transaction; consumers get it after commit,
again after a crash, and never lose it when the broker is down."""
from datetime import timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from oorg.core import audit, events
from oorg.core.models import AuditEvent, Event
from oorg.core.tenancy import workspace_scope

from ..conftest import _run_pending_on_commit, actor_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def seen(monkeypatch):
    """A test event type and a consumer that writes down what it is handed."""
    received = []
    monkeypatch.setitem(events.TYPES, "test.thing.happened", events.EventType(
        "test.thing.happened", "A test thing happened.", build=lambda target, data: {"name": target.name, **data}))
    monkeypatch.setattr(events, "CONSUMERS", {"test": lambda batch: received.extend(e.pk for e in batch)})
    monkeypatch.setitem(audit.ACTIONS, "test.thing.happened", "Test thing happened")
    return received


def _happen(workspace, owner, **data):
    with workspace_scope(workspace):
        return audit.record(actor_for(owner, workspace), "test.thing.happened", workspace, **data)


def test_a_recorded_action_writes_its_event_and_consumers_get_it_after_commit(workspace, owner, seen):
    record = _happen(workspace, owner, size=3)
    event = Event.objects.get(audit_event_id=record.pk)
    assert (event.type, event.workspace_id, event.data) == ("test.thing.happened", workspace.pk,
                                                            {"name": "Acme Corp", "size": 3})
    assert (event.target_type, event.target_id, event.actor_user_id) == ("Workspace", str(workspace.pk), owner.pk)
    assert seen == []  # nothing before the commit
    _run_pending_on_commit()
    assert seen == [event.pk]
    event.refresh_from_db()
    assert event.dispatched_at is not None


def test_an_action_that_is_no_event_type_writes_no_event(workspace, owner, seen, monkeypatch):
    monkeypatch.setitem(audit.ACTIONS, "test.only.audited", "Only audited")
    with workspace_scope(workspace):
        record = audit.record(actor_for(owner, workspace), "test.only.audited", workspace)
    _run_pending_on_commit()
    assert not Event.objects.filter(audit_event_id=record.pk).exists()
    assert seen == []


def test_a_rolled_back_change_leaves_no_event_and_tells_no_one(workspace, owner, seen):
    with pytest.raises(RuntimeError), transaction.atomic():
        _happen(workspace, owner)
        raise RuntimeError("the change failed")
    _run_pending_on_commit()
    assert not Event.objects.filter(type="test.thing.happened").exists()
    assert seen == []


def test_each_adds_one_event_per_target_under_one_audit_record(workspace, owner, seen, other_workspace):
    with workspace_scope(workspace):
        record = audit.record(actor_for(owner, workspace), "test.thing.happened", workspace,
                              each={"test.thing.happened": [workspace, other_workspace]})
    rows = Event.objects.filter(audit_event_id=record.pk)
    assert rows.count() == 3
    assert sorted(r.data["name"] for r in rows) == ["Acme Corp", "Acme Corp", "Globex"]
    assert {r.workspace_id for r in rows} == {workspace.pk}  # the events of a workspace's action stay in it
    assert AuditEvent.objects.filter(action="test.thing.happened").count() == 1


def test_a_consumer_that_fails_leaves_the_event_for_the_periodic_job(workspace, owner, seen, monkeypatch):
    def broken(batch):
        raise ConnectionError("search is down")

    monkeypatch.setitem(events.CONSUMERS, "broken", broken)
    _happen(workspace, owner)
    with pytest.raises(ConnectionError):
        _run_pending_on_commit()
    event = Event.objects.get(type="test.thing.happened")
    assert event.dispatched_at is None
    # Not yet stuck: the job leaves it to its task.
    assert events.redispatch_stuck() == 0
    del events.CONSUMERS["broken"]
    later = timezone.now() + events.STUCK_AFTER + timedelta(seconds=1)
    assert events.redispatch_stuck(now=later) == 1
    event.refresh_from_db()
    assert event.dispatched_at is not None and event.attempts == 2
    assert seen == [event.pk, event.pk]  # at least once: the healthy consumer saw it twice, keyed by its id


def test_a_lost_task_is_made_good_by_the_periodic_job_and_a_duplicate_task_does_nothing(workspace, owner, seen,
                                                                                       settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with mock.patch("oorg.core.tasks.dispatch_events.delay", side_effect=OSError("broker down")):
        _happen(workspace, owner)
        _run_pending_on_commit()  # the broker refused: logged, the change stays committed
    event = Event.objects.get(type="test.thing.happened")
    assert event.dispatched_at is None and seen == []
    later = timezone.now() + events.STUCK_AFTER + timedelta(seconds=1)
    assert events.redispatch_stuck(now=later) == 1
    assert seen == [event.pk]
    assert events.dispatch([str(event.pk)]) == 0  # the lost task arrives late: already dispatched
    assert seen == [event.pk]


def test_dispatched_events_are_deleted_after_their_retention(workspace, owner, seen):
    _happen(workspace, owner)
    _run_pending_on_commit()
    assert Event.objects.count() == 1
    events.redispatch_stuck(now=timezone.now() + events.KEEP_DISPATCHED + timedelta(days=1))
    assert Event.objects.count() == 0


def test_an_account_event_belongs_to_no_workspace(workspace, owner, monkeypatch, seen):
    monkeypatch.setitem(events.TYPES, "test.account.thing", events.EventType(
        "test.account.thing", "Something about an account.", account=True, webhook=False))
    record = audit.record(None, "test.account.thing", owner, workspace=workspace, user=owner)
    event = Event.objects.get(audit_event_id=record.pk)
    assert event.workspace_id is None and event.data == {"id": owner.pk}
    assert "test.account.thing" not in [t.name for t in events.webhook_types()]


def test_one_event_a_consumer_cannot_take_does_not_hold_back_the_others(workspace, owner, seen, monkeypatch):
    first = _happen(workspace, owner, n=1)
    _happen(workspace, owner, n=2)
    bad = Event.objects.get(audit_event_id=first.pk).pk
    Event.objects.update(dispatched_at=None)
    seen.clear()

    def picky(batch):
        if any(e.pk == bad for e in batch):
            raise ValueError("cannot index this one")

    monkeypatch.setitem(events.CONSUMERS, "picky", picky)
    later = timezone.now() + events.STUCK_AFTER + timedelta(seconds=1)
    assert events.redispatch_stuck(now=later) == 1
    assert Event.objects.filter(dispatched_at__isnull=True).get().pk == bad

"""Deliveries to a real receiver: signed, retried after failures and timeouts, each event exactly once as the
receiver counts it (it deduplicates on the event id), also when a sender dies mid-attempt."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from oorg.core.models import AuditEvent, Event
from oorg.core.tenancy import workspace_scope
from oorg.webhooks import delivery, sweep
from oorg.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from tests.conftest import _run_pending_on_commit

from .conftest import clock_at, emit_pings, later, subscribe

pytestmark = pytest.mark.django_db


def deliveries(workspace):
    with workspace_scope(workspace):
        return list(WebhookDelivery.objects.order_by("pk"))


def attempts(workspace):
    with workspace_scope(workspace):
        return list(WebhookAttempt.objects.order_by("delivery_id", "number"))


def test_each_event_is_one_signed_json_post(workspace, owner_actor, receiver, ping_type):
    subscribe(owner_actor, receiver.url(), receiver=receiver)

    emit_pings(owner_actor, 2)

    assert receiver.unique == 2 and len(receiver.requests) == 2
    seen = receiver.requests[0]
    assert seen.verified
    assert seen.headers["Content-Type"] == "application/json"
    assert seen.headers["User-Agent"] == "OORG-Webhooks/1"
    assert seen.headers["OORG-Event-Type"] == "tests.ping"
    assert seen.headers["OORG-Signature"].startswith("t=") and ",v1=" in seen.headers["OORG-Signature"]
    body = seen.payload
    event = Event.objects.get(pk=body["id"])
    assert seen.headers["OORG-Event-Id"] == body["id"] == str(event.pk)
    assert body["type"] == "tests.ping"
    assert body["workspace"] == {"id": workspace.pk, "slug": workspace.slug}
    assert body["data"] == event.data and event.data in ({"id": 1}, {"id": 2})
    assert body["created_at"] == event.created_at.isoformat()
    assert all(d.state == "succeeded" and d.attempts == 1 for d in deliveries(workspace))


def test_a_forged_or_stale_signature_fails_the_receivers_check(workspace, owner_actor, receiver, ping_type):
    from .receiver import verify

    subscribe(owner_actor, receiver.url(), receiver=receiver)
    emit_pings(owner_actor, 1)
    seen = receiver.requests[0]

    assert verify(receiver.secret, seen.headers["OORG-Signature"], seen.body)
    assert not verify("whsec_someone-else", seen.headers["OORG-Signature"], seen.body)
    assert not verify(receiver.secret, seen.headers["OORG-Signature"], seen.body.replace(b"1", b"2"))
    stale = "t=1000000000,v1=" + delivery.sign(receiver.secret, 1000000000, seen.body.decode())
    assert not verify(receiver.secret, stale, seen.body)


def test_three_hundred_events_make_three_hundred_signed_deliveries(workspace, owner_actor, receiver, ping_type):
    subscribe(owner_actor, receiver.url(), receiver=receiver)

    emit_pings(owner_actor, 300)

    assert receiver.unique == 300
    assert len(receiver.requests) == 300  # exactly once each: nothing was sent twice
    assert all(seen.verified for seen in receiver.requests)
    assert sorted(seen.payload["data"]["id"] for seen in receiver.requests) == list(range(1, 301))
    assert {d.state for d in deliveries(workspace)} == {"succeeded"}


def test_handing_the_same_events_over_again_sends_nothing_twice(workspace, owner_actor, receiver, ping_type):
    from oorg.webhooks.consumer import handle

    subscribe(owner_actor, receiver.url(), receiver=receiver)
    emit_pings(owner_actor, 3)

    handle(list(Event.objects.all()))  # the outbox hands them over again (a crash before it marked them)

    assert len(deliveries(workspace)) == 3 and len(receiver.requests) == 3


def test_a_failing_receiver_gets_retries_until_it_answers(workspace, owner_actor, receiver, ping_type):
    receiver.fail_first = 2  # 500 to each event's first two deliveries
    subscription, _ = subscribe(owner_actor, receiver.url(), receiver=receiver)
    emit_pings(owner_actor, 3)
    first = deliveries(workspace)
    assert {d.state for d in first} == {"pending"}
    start = first[0].first_attempt_at
    # the first retry comes within a minute, not before 30 s
    assert all(30 <= (d.next_attempt_at - d.first_attempt_at).total_seconds() < 60 for d in first)
    with workspace_scope(workspace):
        assert WebhookSubscription.objects.get().failing_since is not None

    with clock_at(start + dt.timedelta(seconds=20)):
        assert sweep.send_due() == 0  # not due yet
    with clock_at(start + dt.timedelta(minutes=1)):
        assert sweep.send_due() == 3  # the second attempt: 500 again
    second = deliveries(workspace)
    # then about 2 minutes (with up to a fifth more of jitter)
    assert all(120 <= (d.next_attempt_at - start).total_seconds() - 60 <= 145 for d in second)
    with clock_at(start + dt.timedelta(minutes=4)):
        assert sweep.send_due() == 3

    assert receiver.unique == 3 and len(receiver.requests) == 9
    assert all(seen.verified for seen in receiver.requests)
    assert {d.state for d in deliveries(workspace)} == {"succeeded"}
    log = attempts(workspace)
    assert [a.status_code for a in log] == [500, 500, 200] * 3
    assert all(a.finished and a.duration_ms is not None for a in log)
    assert log[0].response_body == "receiver says no" and log[0].error == "HTTP 500 Internal Server Error"
    subscription.refresh_from_db()
    assert subscription.failing_since is None and subscription.last_delivery_ok and subscription.active


def test_a_receiver_slower_than_the_timeout_gets_the_event_again(workspace, owner_actor, receiver, ping_type):
    receiver.sleep = 1.6  # OORG_WEBHOOK_TIMEOUT is 1 s in these tests
    subscribe(owner_actor, receiver.url(), receiver=receiver)
    emit_pings(owner_actor, 1)
    [timed_out] = attempts(workspace)
    assert timed_out.status_code is None and timed_out.error == "timed out after 1 s"
    assert 900 <= timed_out.duration_ms < 1500

    receiver.sleep = 0
    with clock_at(later(minutes=1)):
        sweep.send_due()

    assert [d.state for d in deliveries(workspace)] == ["succeeded"]
    assert len(receiver.requests) == 2 and receiver.unique == 1  # seen twice, counted once


def test_a_sender_killed_mid_attempt_is_retried_once_its_claim_expires(workspace, owner_actor, receiver, ping_type,
                                                                       monkeypatch):
    subscribe(owner_actor, receiver.url(), receiver=receiver)
    finish = delivery.record

    def killed(*args, **kwargs):  # the worker dies after the receiver answered, before the outcome is written
        monkeypatch.setattr(delivery, "record", finish)
        raise SystemExit("worker killed")

    monkeypatch.setattr(delivery, "record", killed)
    with pytest.raises(SystemExit):
        emit_pings(owner_actor, 1)
    assert len(receiver.requests) == 1
    [stuck] = deliveries(workspace)
    assert stuck.state == "pending" and stuck.claimed_until is not None
    [unknown] = attempts(workspace)
    assert not unknown.finished and unknown.status_code is None

    with clock_at(later(seconds=30)):
        assert sweep.send_due() == 0  # still claimed: the sender might be alive
    with clock_at(stuck.claimed_until + dt.timedelta(seconds=1)):
        assert sweep.send_due() == 1

    assert [d.state for d in deliveries(workspace)] == ["succeeded"]
    assert len(receiver.requests) == 2 and receiver.unique == 1
    assert [(a.number, a.finished, a.status_code) for a in attempts(workspace)] == [(1, False, None), (2, True, 200)]


def test_two_senders_never_send_one_attempt(workspace, owner_actor, receiver, ping_type, monkeypatch):
    monkeypatch.setattr(delivery, "queue", lambda workspace_id, ids: None)  # no task runs: the claim alone
    subscribe(owner_actor, receiver.url(), receiver=receiver)
    emit_pings(owner_actor, 1)
    [pending] = deliveries(workspace)
    now = timezone.now()
    with workspace_scope(workspace):
        assert delivery.claim(pending.pk, now)
        assert not delivery.claim(pending.pk, now)  # the second sender finds it taken
        assert not delivery.attempt(pending.pk)
        assert delivery.claim(pending.pk, now + delivery.claim_time() + dt.timedelta(seconds=1))
    assert receiver.requests == []


def test_pausing_after_a_day_of_failures_tells_the_admins(workspace, owner, admin, member, owner_actor, receiver,
                                                          ping_type):
    from oorg.webhooks.notices import PAUSED_KIND, notify_paused

    receiver.fail_first = 10**6
    subscription, _ = subscribe(owner_actor, receiver.url(), receiver=receiver, description="ERP bridge")
    emit_pings(owner_actor, 1)
    subscription.refresh_from_db()
    began = subscription.failing_since
    with clock_at(began + dt.timedelta(hours=12)):
        sweep.send_due()
    subscription.refresh_from_db()
    assert subscription.active and subscription.failing_since == began

    with clock_at(began + dt.timedelta(hours=24, minutes=1)):
        sweep.send_due()
    _run_pending_on_commit()  # the pause's event goes to the consumers (notifications)

    subscription.refresh_from_db()
    assert not subscription.active and subscription.paused_reason == "Every delivery failed for 24 hours."
    [gave_up] = deliveries(workspace)
    assert gave_up.state == "failed" and gave_up.completed_at is not None
    assert AuditEvent.objects.filter(workspace=workspace, action="webhooks.subscription.paused").count() == 1
    event = Event.objects.get(type="webhooks.subscription.paused")
    assert event.data["reason"] == "failing" and event.data["id"] == subscription.pk
    notices = notify_paused(event)
    assert {n.user_id for n in notices} == {owner.pk, admin.pk}  # webhooks.manage: owner and admin, not a member
    assert all(n.kind == PAUSED_KIND and n.title == "Webhook paused: ERP bridge" for n in notices)
    assert notices[0].url == f"/w/{workspace.slug}/webhooks/{subscription.pk}/"
    from django.apps import apps

    if apps.is_installed("oorg.notifications"):
        notification = apps.get_model("notifications", "Notification")
        assert set(notification.objects.filter(kind=PAUSED_KIND).values_list("user_id", flat=True)) == {
            owner.pk, admin.pk}

    # paused: new events make no deliveries, and nothing is sent
    sent = len(receiver.requests)
    emit_pings(owner_actor, 1, start=2)
    assert len(deliveries(workspace)) == 1 and len(receiver.requests) == sent


def test_a_hand_pause_tells_nobody(workspace, owner_actor, receiver, ping_type):
    from oorg.webhooks import services
    from oorg.webhooks.notices import notify_paused

    subscription, _ = subscribe(owner_actor, receiver.url(), receiver=receiver)
    with workspace_scope(workspace):
        services.update_subscription(owner_actor, subscription, active=False)

    assert notify_paused(Event.objects.get(type="webhooks.subscription.paused")) == []


def test_resuming_sends_what_waited(workspace, owner_actor, receiver, ping_type):
    from oorg.webhooks import services

    receiver.fail_first = 1
    subscription, _ = subscribe(owner_actor, receiver.url(), receiver=receiver)
    emit_pings(owner_actor, 1)
    with workspace_scope(workspace):
        services.update_subscription(owner_actor, subscription, active=False)
    with clock_at(later(minutes=5)):
        assert sweep.send_due() == 0  # paused: it waits
    assert len(receiver.requests) == 1

    with workspace_scope(workspace):
        services.update_subscription(owner_actor, subscription, active=True)
    _run_pending_on_commit()

    assert [d.state for d in deliveries(workspace)] == ["succeeded"] and len(receiver.requests) == 2


def test_a_delivery_gives_up_after_a_day(workspace, owner_actor, receiver, ping_type):
    receiver.fail_first = 10**6
    subscribe(owner_actor, receiver.url(), receiver=receiver)
    emit_pings(owner_actor, 1)
    [first] = deliveries(workspace)
    moment, tries = first.first_attempt_at, 1
    while True:
        [row] = deliveries(workspace)
        if row.state != "pending":
            break
        assert row.next_attempt_at - row.first_attempt_at <= delivery.GIVE_UP_AFTER
        assert (row.next_attempt_at - moment) <= delivery.MAX_DELAY + dt.timedelta(seconds=1)
        moment = row.next_attempt_at
        with clock_at(moment):
            sweep.send_due()
        tries += 1
        assert tries < 40

    assert row.state == "failed" and 12 <= tries <= 25
    assert (row.completed_at - row.first_attempt_at) >= delivery.GIVE_UP_AFTER


def test_old_deliveries_are_purged(workspace, owner_actor, receiver, ping_type):
    subscribe(owner_actor, receiver.url(), receiver=receiver)
    emit_pings(owner_actor, 2)

    with clock_at(later(days=29)):
        assert sweep.purge_old() == 0
    with clock_at(later(days=31)):
        assert sweep.purge_old() == 2

    assert deliveries(workspace) == [] and attempts(workspace) == []


def test_the_retry_schedule():
    assert all(30 <= delivery.retry_delay(1).total_seconds() < 60 for _ in range(50))
    assert 120 <= delivery.retry_delay(2).total_seconds() <= 144
    assert 480 <= delivery.retry_delay(4).total_seconds() <= 576
    assert delivery.retry_delay(9) == delivery.retry_delay(30) == delivery.MAX_DELAY


def test_the_body_is_json_with_the_event(workspace, owner_actor, receiver, ping_type):
    subscribe(owner_actor, receiver.url(), receiver=receiver)
    emit_pings(owner_actor, 1)
    [row] = deliveries(workspace)

    assert json.loads(row.body) == receiver.requests[0].payload


def test_the_readmes_receiver_snippet_accepts_a_real_delivery(workspace, owner_actor, receiver, ping_type):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Webhooks", 1)[1]
    snippet = section.split("```python", 1)[1].split("```", 1)[0]
    names: dict = {}
    exec(snippet, names)  # the receiver's check exactly as the README shows it
    subscribe(owner_actor, receiver.url(), receiver=receiver)
    emit_pings(owner_actor, 1)
    seen = receiver.requests[0]

    assert names["verified"](receiver.secret, seen.headers["OORG-Signature"], seen.body)
    assert not names["verified"]("whsec_wrong", seen.headers["OORG-Signature"], seen.body)

"""Fixtures of the webhook tests: a real receiver, an event type to subscribe to, and a clock to move."""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass
from unittest import mock

import pytest
from django.utils import timezone

from oorg.core import audit, events
from oorg.core.tenancy import workspace_scope
from oorg.webhooks import services
from tests.conftest import _run_pending_on_commit, actor_for

from . import receiver as receivers

PING = "tests.ping"


@pytest.fixture
def ping_type():
    """An event type of our own, so these tests do not depend on which areas have wired theirs."""
    events.register_types([events.EventType(PING, "A ping, for tests.")], group="Tests")
    yield PING
    events.TYPES.pop(PING, None)


@dataclass
class Thing:
    pk: int


def emit_pings(actor, count: int, start: int = 1) -> None:
    """`count` events of type tests.ping in one audited action (as an import does), dispatched as after commit."""
    with workspace_scope(actor.workspace):
        audit.record(actor, "tests.pinged", None, each={PING: [Thing(i) for i in range(start, start + count)]})
    _run_pending_on_commit()


@contextmanager
def clock_at(moment: dt.datetime):
    """Every timezone.now() answers `moment` (time travel for retries, claims and pausing)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def later(**delta) -> dt.datetime:
    return timezone.now() + dt.timedelta(**delta)


@pytest.fixture
def receiver(settings):
    """A receiver on 127.0.0.1, with private addresses and plain http allowed (as in development)."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.WEBHOOK_TIMEOUT = 1
    found = receivers.start(receivers.Receiver())
    yield found
    receivers.stop(found)


@pytest.fixture
def owner_actor(workspace, owner):
    _run_pending_on_commit()  # the fixtures' own events go out before any webhook exists
    return actor_for(owner, workspace)


def subscribe(actor, url: str, events_=(PING,), *, receiver=None, description: str = ""):
    """A subscription made through the service; the receiver learns its secret."""
    with workspace_scope(actor.workspace):
        subscription, secret = services.create_subscription(actor, url=url, events=list(events_),
                                                            description=description)
    if receiver is not None:
        receiver.secret = secret
    return subscription, secret

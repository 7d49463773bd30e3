"""One record of what happened, handed to everything that follows from it.

A service records an action once, with `audit.record(actor, "org.employee.created", employee, ...)`. When the
action is a registered event type, that same call writes an `Event` row in the same transaction (the
transactional outbox). After commit a task hands the event to every consumer: notifications, webhooks, later
search indexing, automation and live updates. A periodic job hands over again whatever no task did (a crash
between commit and queueing), so nothing is lost; delivery is at least once, and consumers deduplicate on the
event id (each consumer's writes are keyed by it, so handing an event over twice changes nothing).

Areas declare their event types, as they declare permissions and audit actions:

    events.register_types([
        events.EventType("org.employee.created", "An employee was added.", payload=EmployeeEventData,
                         build=employee_data),
    ], group="People")

and the kinds of notification people receive, with who is told by default (`notify` on the type):

    events.register_kinds([events.Kind("workspaces.role_changed", "Your role changed", group="Workspace")])

`build(target, data)` makes the payload from the target while the change's transaction is open (so it says
what was true then); `notify(event)` answers the `Notice`s for an event, read by the notifications consumer
in the background. Bulk writes (an import) record one audit event for the whole and one event per row:
`audit.record(..., each={"org.employee.created": employees})`.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import db
from .models import Event

log = logging.getLogger(__name__)

# Events still undispatched this long after they were written lost their task: the periodic job sends them.
STUCK_AFTER = timedelta(minutes=1)
# An event is kept this long after every consumer took it (retention class "events").
KEEP_DISPATCHED = timedelta(days=30)
DISPATCH_BATCH = 500
MAX_ATTEMPTS = 20  # then an event is left for an operator (logged each time)


@dataclass(frozen=True)
class Notice:
    """One notification for one person, as an event type's `notify` answers it."""

    user_id: int
    kind: str  # a registered Kind
    title: str
    body: str = ""
    url: str = ""  # a path in the app ("/w/acme/members/3/")


@dataclass(frozen=True)
class EventType:
    name: str  # "org.employee.created": the area, the thing, what happened
    description: str  # one sentence for the webhook event picker and the docs
    payload: type | None = None  # a pydantic model (ninja Schema) describing `data`
    build: Callable[[object, dict], dict] | None = None  # (target, audit data) -> payload; default below
    notify: Callable[[Event], Iterable[Notice]] | None = None  # who is told by default
    account: bool = False  # an account event (no workspace): never offered to webhooks
    webhook: bool = True  # offered to webhook subscriptions
    # (actor, payload) -> whether this reader may receive it (a webhook's creator); None: anyone who may read
    # the workspace's events. CRM records follow their record scopes (crm/events/__init__.py).
    visible_to: Callable[[object, dict], bool] | None = None
    group: str = ""


@dataclass(frozen=True)
class Kind:
    """A kind of notification: what a person turns on or off in their preferences."""

    name: str
    label: str  # "Your role changed"
    group: str = ""  # the area a person knows it by
    description: str = ""
    default_email: str = "immediately"  # immediately | hourly | daily | off
    security: bool = False  # always shown and emailed at once; cannot be turned off
    extra: dict = field(default_factory=dict)


TYPES: dict[str, EventType] = {}
KINDS: dict[str, Kind] = {}
CONSUMERS: dict[str, Callable[[list[Event]], None]] = {}


def register_types(types: Iterable[EventType], *, group: str) -> None:
    for event_type in types:
        TYPES[event_type.name] = EventType(**{**event_type.__dict__, "group": event_type.group or group})


def register_kinds(kinds: Iterable[Kind], *, group: str = "") -> None:
    for kind in kinds:
        KINDS[kind.name] = Kind(**{**kind.__dict__, "group": kind.group or group})


def register_consumer(name: str, handle: Callable[[list[Event]], None]) -> None:
    """`handle(events)` must be idempotent per event id: it may see an event again after a crash."""
    CONSUMERS[name] = handle


def webhook_types() -> list[EventType]:
    return sorted((t for t in TYPES.values() if t.webhook and not t.account), key=lambda t: t.name)


def default_data(target, data: dict) -> dict:
    return {**({"id": target.pk} if getattr(target, "pk", None) is not None else {}), **data}


def _payload(event_type: EventType, target, data: dict) -> dict:
    import json

    # A build reads its target; a record of the action without one (no service makes such) keeps its data as is.
    build = event_type.build if event_type.build is not None and target is not None else default_data
    built = build(target, data)
    return json.loads(json.dumps(built, default=str))  # what a consumer reads back: plain JSON


def emit(audit_event, target, data: dict, *, each: dict[str, list] | None = None) -> Event | None:
    """Called by audit.record() inside its transaction: the event of the action when it is a registered type
    (answered), and one event per target of `each`. Their dispatch is queued for after commit."""
    event_type = TYPES.get(audit_event.action)
    event = None
    if event_type is not None:
        event = Event.objects.create(workspace_id=None if event_type.account else audit_event.workspace_id,
                                     type=event_type.name, target_type=audit_event.target_type,
                                     target_id=audit_event.target_id, data=_payload(event_type, target, data),
                                     **_common(audit_event))
        transaction.on_commit(lambda: _queue([str(event.pk)]))
    for name, targets in (each or {}).items():
        emit_each(audit_event, name, targets)
    return event


def _common(audit_event) -> dict:
    return {"actor_user_id": audit_event.actor_user_id, "actor_label": audit_event.actor_label,
            "audit_event_id": audit_event.pk, "created_at": audit_event.occurred_at}


def emit_each(audit_event, type_name: str, targets: Iterable, *,
              data: Callable[[object], dict] | None = None) -> int:
    """One event of `type_name` per target under an audit record already written (`each` of record(), for a
    bulk write too big for one list: call it per batch inside the change's transaction). `data(target)`: the
    audit data its payload is built with (default none). Answers how many events it wrote."""
    event_type = TYPES[type_name]  # KeyError: an unregistered type is a programming error
    common = _common(audit_event)
    rows = [Event(workspace_id=audit_event.workspace_id, type=type_name, target_type=t.__class__.__name__,
                  target_id=str(t.pk), data=_payload(event_type, t, data(t) if data else {}), **common)
            for t in targets]
    if rows:
        Event.objects.bulk_create(rows, batch_size=DISPATCH_BATCH)
        ids = [str(row.pk) for row in rows]
        transaction.on_commit(lambda: _queue(ids))
    return len(rows)


def emit_built(audit_event, type_name: str, target_type: str, payloads: Iterable[dict]) -> int:
    """`emit_each` for a bulk write that builds the payloads itself from the rows it holds (no model instance
    and no schema per row): each payload must be exactly what the type's build answers for that row, as plain
    JSON, with the target's "id". Answers how many events it wrote."""
    TYPES[type_name]  # KeyError: an unregistered type is a programming error
    common = _common(audit_event)
    payloads = list(payloads)
    if not payloads:
        return 0
    # Plain rows, prepared a column at a time (core.db): bulk_create's instance and per-value work cost more
    # than the insert. The same columns and values Event(...) would write.
    n, meta = len(payloads), Event._meta
    new = [uuid.uuid4() for _ in payloads]
    columns = {"id": new, "workspace_id": [audit_event.workspace_id] * n, "type": [type_name] * n,
               "target_type": [target_type] * n, "target_id": [str(p["id"]) for p in payloads], "data": payloads,
               **{name: [value] * n for name, value in common.items()}, "dispatched_at": [None] * n,
               "attempts": [0] * n}
    prepared = [db.prepare_column(meta.get_field(name), values) for name, values in columns.items()]
    db.insert_rows(Event, tuple(columns), list(zip(*prepared)), batch_size=DISPATCH_BATCH)
    ids = [str(pk) for pk in new]
    transaction.on_commit(lambda: _queue(ids))
    return n


def _queue(ids: list[str]) -> None:
    from .tasks import dispatch_events

    for start in range(0, len(ids), DISPATCH_BATCH):
        try:
            dispatch_events.delay(ids[start:start + DISPATCH_BATCH])
        except Exception:  # the broker is down: the change is committed, the periodic job will send it
            if settings.CELERY_TASK_ALWAYS_EAGER:
                raise
            log.exception("could not queue %d events; the redelivery job will", len(ids))


def dispatch(ids: list[str]) -> int:
    """Hand these events to every consumer, then mark them dispatched. A consumer that raises leaves them
    undispatched (the periodic job tries again); the others have taken them and will see them again,
    which their keys make harmless. Answers how many were dispatched."""
    events = list(Event.objects.filter(pk__in=ids, dispatched_at__isnull=True).order_by("created_at"))
    if not events:
        return 0
    Event.objects.filter(pk__in=[e.pk for e in events]).update(attempts=F("attempts") + 1)
    for name, handle in CONSUMERS.items():
        handle(events)
    Event.objects.filter(pk__in=[e.pk for e in events]).update(dispatched_at=timezone.now())
    return len(events)


def redispatch_stuck(now=None) -> int:
    """The periodic job: events written a while ago and still waiting are dispatched again; old dispatched
    events are deleted (their consumers keep what they need). A batch that fails is tried one event at a
    time, so one event a consumer cannot take does not hold back the others; after MAX_ATTEMPTS it is left
    (and logged) for an operator."""
    now = now or timezone.now()
    count, failed = 0, set()
    waiting = Event.objects.filter(dispatched_at__isnull=True, created_at__lt=now - STUCK_AFTER,
                                   attempts__lt=MAX_ATTEMPTS).order_by("created_at")
    while True:
        ids = [str(i) for i in waiting.exclude(pk__in=failed).values_list("pk", flat=True)[:DISPATCH_BATCH]]
        if not ids:
            break
        try:
            count += dispatch(ids)
            continue
        except Exception:
            log.warning("redelivery of %d events failed; trying them one by one", len(ids))
        before = len(failed)
        for one in ids:
            try:
                count += dispatch([one])
            except Exception:
                log.exception("event %s could not be dispatched; trying again on the next run", one)
                failed.add(one)
        if len(failed) - before == len(ids):
            break  # every one failed: a consumer is down, not one bad event; the next run tries again
    old = Event.objects.filter(dispatched_at__lt=now - KEEP_DISPATCHED)
    while True:
        batch = list(old.values_list("pk", flat=True)[:DISPATCH_BATCH])
        if not batch:
            break
        Event.objects.filter(pk__in=batch).delete()
    return count

"""One door into the append-only, keyed hash-chained audit log.

Each event stores the hash of the previous event of its chain and an HMAC-SHA256 of its own canonical
content plus that previous hash, keyed with an audit key derived from SECRET_KEY (never stored in the
database). Editing or deleting a row breaks the chain, and recomputing the chain needs the secret.
`key_id` names the key an event was made with, so after a rotation verify finds the former key among
OORG_OLD_SECRET_KEYS. Heads are also anchored outside the database (audit_anchors.py).

So that people can read the log, areas declare what they record (as they declare permissions):

    audit.register_actions({"org.employee.created": "Employee created", ...}, group="People")
    audit.register_target(Employee, links=audit.page_links("org:employee", "employee_id", openable))

An event keeps its target's name as it was (`target_label`), so it still reads after a rename or a deletion;
the link is resolved when the log is read, and only to what the reader may open. An event that changes fields
names them: `audit.record(actor, "org.branch.updated", branch, fields=["name", "time_zone"])` (on an event that
creates something: the fields it was given).
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst

from . import events, request_context
from .errors import PermissionDenied
from .models import AuditChainHead, AuditEvent, Workspace

GENESIS = "0" * 64


@functools.lru_cache(maxsize=16)
def derive(secret: str, purpose: str = "oorg-audit-chain-v1") -> bytes:
    """A dedicated key for one purpose, so the audit MAC never reuses SECRET_KEY itself."""
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()


@functools.lru_cache(maxsize=16)
def key_id(secret: str) -> str:
    """A short public name of a secret: which key made an event or an anchor. Reveals nothing of the key."""
    return hmac.new(derive(secret), b"key-id", hashlib.sha256).hexdigest()[:8]


def secrets_by_id() -> dict[str, str]:
    """The current SECRET_KEY and every key in OORG_OLD_SECRET_KEYS, by key id."""
    old = [k for k in os.environ.get("OORG_OLD_SECRET_KEYS", "").split(",") if k]
    return {key_id(s): s for s in reversed([settings.SECRET_KEY, *old])}  # the current key wins a clash


def canonical(event: AuditEvent) -> str:
    return json.dumps(
        {
            "key": event.key_id,
            "workspace": event.workspace_id,
            "seq": event.seq,
            "occurred_at": event.occurred_at.isoformat(),
            "action": event.action,
            "actor_user_id": event.actor_user_id,
            "actor_label": event.actor_label,
            "target_type": event.target_type,
            "target_id": event.target_id,
            "ip_address": event.ip_address,
            "data": event.data,
            "prev_hash": event.prev_hash,
            # Since 0010. Left out when empty, so events recorded before it (and events without a target) keep
            # the content, and so the hash, they were made with; an edit that adds or blanks it still breaks it.
            **({"target_label": event.target_label} if event.target_label else {}),
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


def compute_hash(event: AuditEvent, secret: str | None = None) -> str | None:
    """The event's MAC under the key its key_id names (or `secret`); None when that key is not configured."""
    if secret is None:
        secret = secrets_by_id().get(event.key_id)
        if secret is None:
            return None
    return hmac.new(derive(secret), canonical(event).encode(), hashlib.sha256).hexdigest()


def record(actor, action: str, target=None, *, workspace=None, user=None, target_label: str | None = None,
           each: dict[str, list] | None = None, emit: bool = True, **data) -> AuditEvent:
    """Append an event. `actor` is an Actor (or None); `user` names the person when there is no Actor.
    `target_label`: the target's name as the log shows it (by default from its registered type, or str()).

    When `action` is a registered event type (core/events.py), the same transaction writes its event for
    notifications and webhooks; `each` adds one event per target ({"org.employee.created": employees}) for a
    bulk write audited as one action. `emit=False`: this record repeats one already emitted (an account
    event copied into each of the person's workspaces)."""
    if workspace is None and actor is not None:
        workspace = actor.workspace
    person = user if user is not None else getattr(actor, "user", None)
    label = data.pop("actor_label", None) or (person.email if person is not None else "system")
    workspace_id = getattr(workspace, "pk", workspace)
    with transaction.atomic():
        head = _locked_head(workspace_id)
        event = AuditEvent(
            workspace_id=workspace_id,
            seq=head.seq + 1,
            occurred_at=timezone.now(),
            action=action,
            actor_user_id=getattr(person, "pk", None),
            actor_label=label[:254],
            target_type=target_type_of(target) if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            target_label=(target_label if target_label is not None else _label_of(target))[:LABEL_LENGTH],
            ip_address=request_context.client_ip.get(),
            data=json.loads(json.dumps(data, default=str)),
            prev_hash=head.hash,
            key_id=key_id(settings.SECRET_KEY),
        )
        event.hash = compute_hash(event, settings.SECRET_KEY)
        event.save()
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
        if emit:
            events.emit(event, target, data, each=each)
    return event


# --- what people read: action labels, target names and links, field labels -----------------------------------

ACTIONS: dict[str, str] = {}  # "org.employee.created" -> "Employee created"
ACTION_GROUPS: dict[str, str] = {}  # an action name's first part -> the area a person knows it by ("org" -> "People")
LABEL_LENGTH = AuditEvent._meta.get_field("target_label").max_length


def register_actions(labels: dict[str, str], *, group: str) -> None:
    """Declare the actions an area records and what a person reads for each. `group` names the area in the
    log's action picker. Every action recorded in the source has a label (tests/core/test_audit_labels.py)."""
    for name, label in labels.items():
        ACTIONS[name] = label
        ACTION_GROUPS.setdefault(name.split(".", 1)[0], group)


def action_label(action: str) -> str:
    return ACTIONS.get(action, action)


@dataclass(frozen=True)
class TargetType:
    model: type
    noun: str  # what a person calls one: "Employee", "Member"
    label: Callable[[object], str] | None  # its name, read when an event is recorded
    links: Callable[[object, list[str]], dict[str, str]] | None  # (actor, target ids) -> {id: path} of those openable


TARGETS: dict[str, TargetType] = {}  # by target_type: the model's class name


def register_target(model, *, noun: str | None = None, label: Callable[[object], str] | None = None,
                    links: Callable[[object, list[str]], dict[str, str]] | None = None) -> None:
    """Declare a kind of target: what it is called, its name (default: str() when the model defines it) and
    where the log links to (see `page_links`). A target without `links` is shown as plain text."""
    TARGETS[model.__name__] = TargetType(model, noun or capfirst(model._meta.verbose_name), label, links)


def page_links(url_name: str, id_kwarg: str, openable: Callable[[object], models.QuerySet], *,
               permission: str | None = None):
    """`links` for targets that have a page `url_name` (workspace_slug, `id_kwarg`): linked while they exist
    and `openable(actor)` (a queryset, or PermissionDenied) holds them, and the actor holds `permission`.
    One query per page of the log."""

    def links(actor, ids: list[str]) -> dict[str, str]:
        if permission is not None and not actor.can(permission):
            return {}
        try:
            rows = openable(actor)
        except PermissionDenied:
            return {}
        keys = [int(i) for i in ids if i.isdigit() and len(i) < 19]
        slug = actor.workspace.slug
        return {str(pk): reverse(url_name, kwargs={"workspace_slug": slug, id_kwarg: pk})
                for pk in rows.filter(pk__in=keys).values_list("pk", flat=True)}

    return links


def target_type_of(target) -> str:
    # __class__, not type(): a request's lazily loaded user (SimpleLazyObject) passes on __class__ to the User.
    return target.__class__.__name__


def _label_of(target) -> str:
    if target is None:
        return ""
    kind = TARGETS.get(target_type_of(target))
    if kind is not None and kind.label is not None:
        return kind.label(target) or ""
    if target.__class__.__str__ is models.Model.__str__:  # "Membership object (3)" names nothing
        return ""
    return str(target)


def target_noun(target_type: str) -> str:
    kind = TARGETS.get(target_type)
    return kind.noun if kind is not None else target_type


def target_name(event: AuditEvent) -> str:
    """The target as the log shows it: its name when recorded, or (events from before names were kept) its
    kind and id."""
    if event.target_label:
        return event.target_label
    return f"{target_noun(event.target_type)} #{event.target_id}" if event.target_type else ""


def target_links(actor, events) -> dict[tuple[str, str], str]:
    """{(target_type, target_id): path} for the targets of `events` that still exist and `actor` may open."""
    wanted: dict[str, set[str]] = {}
    for event in events:
        kind = TARGETS.get(event.target_type)
        if kind is not None and kind.links is not None and event.target_id:
            wanted.setdefault(event.target_type, set()).add(event.target_id)
    found = {}
    for target_type, ids in wanted.items():
        try:
            paths = TARGETS[target_type].links(actor, sorted(ids))
        except PermissionDenied:
            continue
        found.update({(target_type, target_id): path for target_id, path in paths.items()})
    return found


def field_names(event: AuditEvent) -> list[str]:
    """The fields an event names: what an update changed, or what a new record was given (`fields=[...]`)."""
    names = event.data.get("fields") if isinstance(event.data, dict) else None
    return [str(n) for n in names] if isinstance(names, list) else []


def field_label(target_type: str, name: str) -> str:
    """A field's name as its model labels it ("full_name" -> "Full name")."""
    kind = TARGETS.get(target_type)
    if kind is not None:
        try:
            return capfirst(kind.model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            pass
    return capfirst(name.replace("_", " "))


def chain_key(workspace_id) -> str:
    return f"workspace:{workspace_id}" if workspace_id is not None else "account"


def _workspace_of(key: str):
    return int(key.split(":", 1)[1]) if key.startswith("workspace:") else None


def _locked_head(workspace_id) -> AuditChainHead:
    """The chain's head row, locked until the transaction ends, so appends to one chain queue up."""
    key = chain_key(workspace_id)
    head = AuditChainHead.objects.select_for_update().filter(chain=key).first()
    if head is None:
        try:
            with transaction.atomic():
                AuditChainHead.objects.create(chain=key, seq=0, hash=GENESIS)
        except IntegrityError:
            pass  # another writer created it first
        head = AuditChainHead.objects.select_for_update().get(chain=key)
    return head


def _check_chain(workspace_id, head, keys, progress, counter) -> str | None:
    """The first break of one chain, checked up to `head` (a snapshot: later appends are not a break)."""
    expected_prev, expected_seq = GENESIS, 1
    events = AuditEvent.objects.filter(workspace_id=workspace_id)
    for event in events.filter(seq__lte=head.seq).order_by("seq").iterator(chunk_size=2000):
        counter[0] += 1
        if progress and counter[0] % 10000 == 0:
            progress(counter[0])
        where = f"workspace {workspace_id or '-'} event #{event.seq} (id {event.pk}, {event.action})"
        if event.seq != expected_seq:
            return f"{where}: event #{expected_seq} is missing (deleted?)"
        if event.prev_hash != expected_prev:
            return f"{where}: previous-hash link broken (an earlier event was altered or deleted)"
        if event.key_id not in keys:
            return (f"{where}: made with key {event.key_id or '(none: unkeyed)'}, which is neither SECRET_KEY nor in "
                    "OORG_OLD_SECRET_KEYS (a former key missing from the configuration, or a forged row)")
        if not hmac.compare_digest(compute_hash(event, keys[event.key_id]), event.hash):
            return f"{where}: content does not match its keyed hash (edited)"
        expected_prev, expected_seq = event.hash, event.seq + 1
    if head.seq != expected_seq - 1 or head.hash != expected_prev:
        return (f"workspace {workspace_id or '-'}: the chain ends at event #{expected_seq - 1} but its head "
                f"records #{head.seq} (events deleted from the end, or the head was altered)")
    beyond = events.filter(seq__gt=head.seq).order_by("seq").first()
    if beyond is not None:
        fresh = AuditChainHead.objects.filter(chain=head.chain).first()
        if fresh is None or fresh.seq < beyond.seq:  # not an append that landed while we were checking
            return f"workspace {workspace_id or '-'}: event #{beyond.seq} lies beyond the head (#{head.seq})"
    return None


def verify(progress=None, notes: list[str] | None = None) -> tuple[int, list[str]]:
    """Check every chain, then the chains against the newest anchors. Returns (events checked, problems),
    the first problem of each chain only. `notes` collects what was checked against (anchors used)."""
    from . import audit_anchors

    problems: list[str] = []
    counter, keys = [0], secrets_by_id()
    # Read in this order so that nothing older contradicts something newer: an anchor never records more
    # than the heads read after it, and a head commits with its workspace row and its first event.
    anchors, anchor_problems = audit_anchors.newest_anchors(notes)
    chains = set(Workspace.objects.values_list("pk", flat=True))
    chains |= set(AuditEvent.objects.values_list("workspace_id", flat=True).distinct())
    heads = {h.chain: h for h in AuditChainHead.objects.all()}
    chains |= {_workspace_of(key) for key in heads}
    for anchor in anchors:
        chains |= {_workspace_of(key) for key in anchor.chains}
    for workspace_id in sorted(chains, key=lambda w: (w is not None, w or 0)):
        head = heads.get(chain_key(workspace_id))
        if head is None:
            problem = f"workspace {workspace_id or '-'}: no audit chain head (its chain was wiped?)"
            seen_in = [a.place for a in anchors if chain_key(workspace_id) in a.chains]
            if seen_in:
                problem += f"; the anchor in {', '.join(seen_in)} records this chain"
        else:
            problem = _check_chain(workspace_id, head, keys, progress, counter)
            problem = problem or audit_anchors.check_head(workspace_id, head, anchors)
        if problem:
            problems.append(problem)
    return counter[0], anchor_problems + problems

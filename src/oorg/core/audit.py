"""One door into the append-only, hash-chained audit log.

Each event stores the hash of the previous event of its chain and the SHA-256 of its own
canonical content plus that previous hash. Editing or deleting a row breaks the chain,
which `oorg audit verify` reports.
"""
from __future__ import annotations

import hashlib
import json

from django.db import transaction
from django.utils import timezone

from . import request_context
from .db import lock_for_transaction
from .models import AuditEvent

GENESIS = "0" * 64


def canonical(event: AuditEvent) -> str:
    return json.dumps(
        {
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
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical(event).encode()).hexdigest()


def record(actor, action: str, target=None, *, workspace=None, user=None, **data) -> AuditEvent:
    """Append an event. `actor` is an Actor (or None); `user` names the person when there is no Actor."""
    if workspace is None and actor is not None:
        workspace = actor.workspace
    person = user if user is not None else getattr(actor, "user", None)
    label = data.pop("actor_label", None) or (person.email if person is not None else "system")
    workspace_id = getattr(workspace, "pk", workspace)
    with transaction.atomic():
        lock_for_transaction(f"audit:{workspace_id}")
        last = AuditEvent.objects.filter(workspace_id=workspace_id).order_by("-seq").only("seq", "hash").first()
        event = AuditEvent(
            workspace_id=workspace_id,
            seq=(last.seq + 1) if last else 1,
            occurred_at=timezone.now(),
            action=action,
            actor_user_id=getattr(person, "pk", None),
            actor_label=label[:254],
            target_type=type(target).__name__ if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            ip_address=request_context.client_ip.get(),
            data=json.loads(json.dumps(data, default=str)),
            prev_hash=last.hash if last else GENESIS,
        )
        event.hash = compute_hash(event)
        event.save()
    return event


def verify(progress=None) -> tuple[int, list[str]]:
    """Check every chain. Returns (events checked, problems), the first problem of each chain only."""
    problems: list[str] = []
    checked = 0
    chains = AuditEvent.objects.values_list("workspace_id", flat=True).distinct()
    for workspace_id in sorted(set(chains), key=lambda w: (w is not None, w or 0)):
        expected_prev, expected_seq = GENESIS, 1
        for event in AuditEvent.objects.filter(workspace_id=workspace_id).order_by("seq").iterator():
            checked += 1
            if progress and checked % 10000 == 0:
                progress(checked)
            where = f"workspace {workspace_id or '-'} event #{event.seq} (id {event.pk}, {event.action})"
            if event.seq != expected_seq:
                problems.append(f"{where}: event #{expected_seq} is missing (deleted?)")
                break
            if event.prev_hash != expected_prev:
                problems.append(f"{where}: previous-hash link broken (an earlier event was altered or deleted)")
                break
            if compute_hash(event) != event.hash:
                problems.append(f"{where}: content does not match its hash (edited)")
                break
            expected_prev, expected_seq = event.hash, event.seq + 1
    return checked, problems

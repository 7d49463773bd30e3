"""One door into the append-only, hash-chained audit log.

Each event stores the hash of the previous event of its chain and the SHA-256 of its own
canonical content plus that previous hash. Editing or deleting a row breaks the chain,
which `oorg audit verify` reports.
"""
from __future__ import annotations

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import request_context
from .models import AuditChainHead, AuditEvent

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
        head = _locked_head(workspace_id)
        event = AuditEvent(
            workspace_id=workspace_id,
            seq=head.seq + 1,
            occurred_at=timezone.now(),
            action=action,
            actor_user_id=getattr(person, "pk", None),
            actor_label=label[:254],
            target_type=type(target).__name__ if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            ip_address=request_context.client_ip.get(),
            data=json.loads(json.dumps(data, default=str)),
            prev_hash=head.hash,
        )
        event.hash = compute_hash(event)
        event.save()
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event


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


def verify(progress=None) -> tuple[int, list[str]]:
    """Check every chain. Returns (events checked, problems), the first problem of each chain only."""
    problems: list[str] = []
    checked = 0
    chains = set(AuditEvent.objects.values_list("workspace_id", flat=True).distinct())
    chains |= {_workspace_of(key) for key in AuditChainHead.objects.values_list("chain", flat=True)}
    for workspace_id in sorted(chains, key=lambda w: (w is not None, w or 0)):
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
        else:
            head = AuditChainHead.objects.filter(chain=chain_key(workspace_id)).first()
            if head is None or head.seq != expected_seq - 1 or head.hash != expected_prev:
                problems.append(
                    f"workspace {workspace_id or '-'}: the chain ends at event #{expected_seq - 1} but its head "
                    f"records #{head.seq if head else '?'} (events deleted from the end, or the head was altered)"
                )
    return checked, problems

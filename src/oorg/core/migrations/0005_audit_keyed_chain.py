"""Key the audit chains: every event gets an HMAC-SHA256 under the audit key (derived from SECRET_KEY)
in place of its plain SHA-256, and the key id that names the key.

Each chain is re-hashed in order, in batches. Only the intact part of a chain is re-keyed: from the first
event whose SHA-256 link does not hold, rows are left as they are, so `oorg audit verify` keeps reporting
that break instead of the migration laundering it. The formats are frozen here, as they were at 0005.
"""
import hashlib
import hmac
import json

from django.conf import settings
from django.db import migrations, models

GENESIS = "0" * 64
BATCH = 2000


def _content(event) -> dict:
    return {
        "workspace": event.workspace_id, "seq": event.seq, "occurred_at": event.occurred_at.isoformat(),
        "action": event.action, "actor_user_id": event.actor_user_id, "actor_label": event.actor_label,
        "target_type": event.target_type, "target_id": event.target_id, "ip_address": event.ip_address,
        "data": event.data, "prev_hash": event.prev_hash,
    }


def _dumps(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), default=str).encode()


def _legacy_hash(event) -> str:
    return hashlib.sha256(_dumps(_content(event))).hexdigest()


def _keyed_hash(event, key: bytes) -> str:
    return hmac.new(key, _dumps({**_content(event), "key": event.key_id}), hashlib.sha256).hexdigest()


def rekey(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    key = hmac.new(settings.SECRET_KEY.encode(), b"oorg-audit-chain-v1", hashlib.sha256).digest()
    kid = hmac.new(key, b"key-id", hashlib.sha256).hexdigest()[:8]
    chains = set(AuditEvent.objects.order_by().values_list("workspace_id", flat=True).distinct())
    for workspace_id in sorted(chains, key=lambda w: (w is not None, w or 0)):
        old_prev, new_prev, expected, intact, batch = GENESIS, GENESIS, 1, True, []
        events = AuditEvent.objects.filter(workspace_id=workspace_id).order_by("seq")
        for event in events.iterator(chunk_size=BATCH):
            if event.seq != expected or event.prev_hash != old_prev or _legacy_hash(event) != event.hash:
                intact = False
                break
            old_prev, expected = event.hash, expected + 1
            event.prev_hash, event.key_id = new_prev, kid
            event.hash = new_prev = _keyed_hash(event, key)
            batch.append(event)
            if len(batch) >= BATCH:
                AuditEvent.objects.bulk_update(batch, ["prev_hash", "hash", "key_id"])
                batch = []
        if batch:
            AuditEvent.objects.bulk_update(batch, ["prev_hash", "hash", "key_id"])
        if intact:  # a head that disagreed with its chain keeps disagreeing
            chain = f"workspace:{workspace_id}" if workspace_id is not None else "account"
            AuditChainHead.objects.filter(chain=chain, seq=expected - 1, hash=old_prev).update(hash=new_prev)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0004_seed_builtin_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=16),
        ),
        migrations.RunPython(rekey, migrations.RunPython.noop),
    ]

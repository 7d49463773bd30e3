"""Tampering with the audit log by someone who can write the database but does not hold the secret key.

Each case edits rows below the append-only guard (queryset .update() / _raw_delete, as an attacker with SQL
access would) and expects `oorg audit verify` to exit 1 naming the break. Anchors are written first where
only an anchor can tell (a consistent but shortened chain).
"""
import hashlib
import hmac

import pytest

from oorg.cli import main as oorg
from oorg.core import audit
from oorg.core.models import AuditChainHead, AuditEvent


@pytest.fixture
def log(workspace, member, other_workspace):
    """Two workspace chains and the account chain, anchored once (disk)."""
    audit.record(None, "test.account_event", actor_label="system")
    assert oorg(["audit", "anchor"]) == 0
    return workspace


def _events(ws):
    return AuditEvent.objects.filter(workspace=ws).order_by("seq")


def _raw_delete(qs):
    qs._raw_delete(AuditEvent.objects.db)


def _verify_fails(capsys, *expected):
    capsys.readouterr()
    assert oorg(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    for text in expected:
        assert text in out, out
    return out


def test_untouched_anchored_log_passes(log, capsys):
    assert oorg(["audit", "verify"]) == 0
    assert "intact" in capsys.readouterr().out


def test_edit_a_row(log, capsys):
    victim = _events(log)[1]
    AuditEvent.objects.filter(pk=victim.pk).update(data={"forged": True})
    _verify_fails(capsys, f"workspace {log.pk} event #{victim.seq} (id {victim.pk}", "edited")


@pytest.mark.parametrize("change", [{"actor_label": "someone@else.test"}, {"actor_user_id": 999999}])
def test_edit_an_actor(log, capsys, change):
    victim = _events(log)[2]
    AuditEvent.objects.filter(pk=victim.pk).update(**change)
    _verify_fails(capsys, f"event #{victim.seq} (id {victim.pk}", "edited")


def test_delete_the_last_row(log, capsys):
    last = _events(log).last()
    _raw_delete(AuditEvent.objects.filter(pk=last.pk))
    _verify_fails(capsys, f"workspace {log.pk}: the chain ends at event #{last.seq - 1}")


def test_delete_the_last_row_and_rewind_the_head(log, capsys):
    *_, before, last = _events(log)
    _raw_delete(AuditEvent.objects.filter(pk=last.pk))
    AuditChainHead.objects.filter(chain=f"workspace:{log.pk}").update(seq=before.seq, hash=before.hash)
    _verify_fails(capsys, f"workspace {log.pk}:", f"anchored at event #{last.seq}")


def test_delete_a_middle_row(log, capsys):
    victim = _events(log)[1]
    _raw_delete(AuditEvent.objects.filter(pk=victim.pk))
    _verify_fails(capsys, f"event #{victim.seq} is missing")


def test_truncate_events(log, capsys):
    _raw_delete(AuditEvent.objects.all())
    _verify_fails(capsys, f"workspace {log.pk}: the chain ends at event #0", "workspace -: the chain ends at event #0")


def test_truncate_events_and_heads(log, other_workspace, capsys):
    _raw_delete(AuditEvent.objects.all())
    AuditChainHead.objects.all().delete()
    _verify_fails(capsys, f"workspace {log.pk}: no audit chain", f"workspace {other_workspace.pk}: no audit chain",
                  "workspace -: no audit chain")


def test_wipe_one_workspace_chain(log, other_workspace, capsys):
    _raw_delete(AuditEvent.objects.filter(workspace=other_workspace))
    AuditChainHead.objects.filter(chain=f"workspace:{other_workspace.pk}").delete()
    out = _verify_fails(capsys, f"workspace {other_workspace.pk}: no audit chain")
    assert f"workspace {log.pk}:" not in out


def test_wipe_the_account_chain_only_the_anchor_knows(log, capsys):
    _raw_delete(AuditEvent.objects.filter(workspace__isnull=True))
    AuditChainHead.objects.filter(chain="account").delete()
    _verify_fails(capsys, "workspace -: no audit chain", "anchor")


def _forge_whole_chain(ws, mac):
    """What an attacker without the secret can do: edit, recompute every hash in order, fix the head."""
    first = _events(ws).first()
    AuditEvent.objects.filter(pk=first.pk).update(action="forged")
    prev = audit.GENESIS
    for event in _events(ws):
        event.prev_hash = prev
        event.hash = mac(audit.canonical(event).encode())
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=event.prev_hash, hash=event.hash)
        prev = event.hash
    AuditChainHead.objects.filter(chain=f"workspace:{ws.pk}").update(hash=prev)
    return first


@pytest.mark.parametrize("mac", [
    lambda data: hashlib.sha256(data).hexdigest(),
    lambda data: hmac.new(b"a guessed key", data, hashlib.sha256).hexdigest(),
], ids=["plain-sha256", "wrong-hmac-key"])
def test_recompute_the_whole_chain_after_an_edit(log, capsys, mac):
    first = _forge_whole_chain(log, mac)
    _verify_fails(capsys, f"workspace {log.pk} event #{first.seq} (id {first.pk}", "edited")


def test_recompute_without_anchor_still_fails(workspace, member, capsys):
    first = _forge_whole_chain(workspace, lambda data: hashlib.sha256(data).hexdigest())
    _verify_fails(capsys, f"event #{first.seq} (id {first.pk}")

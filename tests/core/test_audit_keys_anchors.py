"""The audit chain's key (rotation, the re-keying migration) and its anchors outside the database."""
import hashlib
import importlib
import json
import stat

import pytest
from django.apps import apps

from oorg.cli import main as oorg
from oorg.core import audit
from oorg.core.models import AuditChainHead, AuditEvent

OLD_KEY, NEW_KEY = "the-former-secret-key-" + "x" * 30, "the-current-secret-key-" + "y" * 30


def _anchor_files(settings):
    return sorted(p for p in settings.AUDIT_ANCHOR_DIR.rglob("*") if p.is_file())


def test_events_carry_the_key_id_not_the_key(workspace, settings):
    event = AuditEvent.objects.filter(workspace=workspace).last()
    assert event.key_id == audit.key_id(settings.SECRET_KEY) and len(event.key_id) == 8
    assert settings.SECRET_KEY not in json.dumps(list(AuditEvent.objects.values()), default=str)
    assert audit.derive(settings.SECRET_KEY) != settings.SECRET_KEY.encode()


def test_verify_passes_across_key_rotations(workspace, member, settings, monkeypatch, capsys):
    first = settings.SECRET_KEY
    audit.record(None, "test.before_rotation", workspace=workspace)
    assert oorg(["audit", "anchor"]) == 0
    settings.SECRET_KEY = OLD_KEY
    monkeypatch.setenv("OORG_OLD_SECRET_KEYS", f"some-unrelated-key,{first}")
    audit.record(None, "test.after_rotation", workspace=workspace)
    assert oorg(["audit", "verify"]) == 0  # the newest anchor is still signed with the former key
    assert oorg(["audit", "anchor"]) == 0
    assert oorg(["audit", "verify"]) == 0
    settings.SECRET_KEY = NEW_KEY  # a second rotation, both former keys kept
    monkeypatch.setenv("OORG_OLD_SECRET_KEYS", f"{OLD_KEY},{first}")
    audit.record(None, "test.after_second_rotation", workspace=workspace)
    assert oorg(["audit", "verify"]) == 0
    assert "intact" in capsys.readouterr().out
    keys = {e.action: e.key_id for e in AuditEvent.objects.filter(workspace=workspace)}
    assert keys["test.before_rotation"] == audit.key_id(first)
    assert keys["test.after_rotation"] == audit.key_id(OLD_KEY)
    assert keys["test.after_second_rotation"] == audit.key_id(NEW_KEY)


def test_dropping_a_former_key_too_early_is_reported(workspace, settings, monkeypatch, capsys):
    former = settings.SECRET_KEY
    settings.SECRET_KEY = NEW_KEY
    monkeypatch.delenv("OORG_OLD_SECRET_KEYS", raising=False)
    first = AuditEvent.objects.filter(workspace=workspace).order_by("seq").first()
    assert oorg(["audit", "verify"]) == 1
    assert f"event #1 (id {first.pk}, workspace.created): made with key {audit.key_id(former)}, which is neither" \
        in capsys.readouterr().out


def test_anchor_files_are_private_and_never_overwritten(workspace, settings):
    assert oorg(["audit", "anchor"]) == 0
    first = _anchor_files(settings)
    assert len(first) == 1
    assert stat.S_IMODE(first[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.AUDIT_ANCHOR_DIR.stat().st_mode) == 0o700
    assert stat.S_IMODE(first[0].parent.stat().st_mode) == 0o700
    content = first[0].read_bytes()
    audit.record(None, "test.more", workspace=workspace)
    assert oorg(["audit", "anchor"]) == 0
    files = _anchor_files(settings)
    assert len(files) == 2 and first[0].read_bytes() == content
    doc = json.loads(files[-1].read_text())
    head = AuditChainHead.objects.get(chain=f"workspace:{workspace.pk}")
    assert doc["checkpoint"]["chains"][head.chain] == {"seq": head.seq, "hash": head.hash}


def test_an_altered_newest_anchor_is_reported(workspace, settings, capsys):
    assert oorg(["audit", "anchor"]) == 0
    assert oorg(["audit", "anchor"]) == 0
    newest = _anchor_files(settings)[-1]
    doc = json.loads(newest.read_text())
    doc["checkpoint"]["chains"][f"workspace:{workspace.pk}"]["hash"] = "0" * 64  # pin a forged history
    newest.write_text(json.dumps(doc))
    assert oorg(["audit", "verify"]) == 1
    assert f"the newest, {newest.parent.name}/{newest.name}, is unreadable or not validly signed" in capsys.readouterr().out


def test_an_anchor_signed_with_a_guessed_key_is_reported(workspace, settings, capsys):
    settings.SECRET_KEY, real = "guessed-" + "z" * 40, settings.SECRET_KEY
    assert oorg(["audit", "anchor"]) == 0
    settings.SECRET_KEY = real
    assert oorg(["audit", "verify"]) == 1
    assert "not validly signed" in capsys.readouterr().out


def test_verify_checks_against_an_older_anchor_when_the_newest_is_bad(workspace, member, settings, capsys):
    assert oorg(["audit", "anchor"]) == 0
    audit.record(None, "test.more", workspace=workspace)
    assert oorg(["audit", "anchor"]) == 0
    _anchor_files(settings)[-1].write_text("{}")
    last = AuditEvent.objects.filter(workspace=workspace).order_by("-seq")[1]  # the one the older anchor pins
    AuditEvent.objects.filter(workspace=workspace, seq__gte=last.seq)._raw_delete(AuditEvent.objects.db)
    before = AuditEvent.objects.filter(workspace=workspace).order_by("-seq").first()
    AuditChainHead.objects.filter(chain=f"workspace:{workspace.pk}").update(seq=before.seq, hash=before.hash)
    assert oorg(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert "not validly signed" in out and f"anchored at event #{last.seq}" in out


@pytest.fixture
def s3_anchors(s3_storage):
    """The object store, without anchors other tests left in the shared bucket."""
    import boto3

    endpoint, bucket = s3_storage
    s3 = boto3.client("s3", endpoint_url=endpoint)

    def purge():
        for o in s3.list_objects_v2(Bucket=bucket, Prefix="audit-anchors/").get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=o["Key"])

    purge()
    yield endpoint, bucket
    purge()


def test_anchors_go_to_the_object_store_too(workspace, s3_anchors, settings, capsys):
    import boto3

    endpoint, bucket = s3_anchors
    audit.record(None, "test.more", workspace=workspace)
    assert oorg(["audit", "anchor"]) == 0
    assert oorg(["audit", "anchor"]) == 0
    s3 = boto3.client("s3", endpoint_url=endpoint)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="audit-anchors/").get("Contents", [])]
    assert len(keys) == 2 and len(_anchor_files(settings)) == 2
    # The disk copies are gone and the head rewound: the object store's anchor still knows.
    for path in _anchor_files(settings):
        path.unlink()
    *_, before, last = AuditEvent.objects.filter(workspace=workspace).order_by("seq")
    AuditEvent.objects.filter(pk=last.pk)._raw_delete(AuditEvent.objects.db)
    AuditChainHead.objects.filter(chain=f"workspace:{workspace.pk}").update(seq=before.seq, hash=before.hash)
    capsys.readouterr()
    assert oorg(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert "anchor in disk: none yet" in out and f"anchored at event #{last.seq} in the object storage anchor" in out


def test_an_altered_newest_anchor_in_the_object_store_is_reported(workspace, s3_anchors, capsys):
    import boto3

    endpoint, bucket = s3_anchors
    assert oorg(["audit", "anchor"]) == 0
    s3 = boto3.client("s3", endpoint_url=endpoint)
    key = s3.list_objects_v2(Bucket=bucket, Prefix="audit-anchors/")["Contents"][0]["Key"]
    s3.put_object(Bucket=bucket, Key=key[:-5] + "9.json", Body=b'{"checkpoint": {}, "signature": ""}')
    assert oorg(["audit", "verify"]) == 1
    assert "anchors in object storage: the newest" in capsys.readouterr().out


def test_the_anchor_job_runs_every_ten_minutes(workspace, settings):
    from oorg.celery import app
    from oorg.core.tasks import anchor_audit_chains

    job = settings.CELERY_BEAT_SCHEDULE["anchor-audit-chains"]
    assert job["task"] == "core.anchor_audit_chains" and job["schedule"] == 600.0
    assert "core.anchor_audit_chains" in app.tasks
    written = anchor_audit_chains.delay().get()
    assert len(written) == 1 and len(_anchor_files(settings)) == 1


def test_anchoring_an_empty_database_and_verifying_it(db, capsys):
    assert oorg(["audit", "anchor"]) == 0
    assert oorg(["audit", "verify"]) == 0
    assert "intact" in capsys.readouterr().out


# The migration that re-keys SHA-256 chains.

migration = importlib.import_module("oorg.core.migrations.0005_audit_keyed_chain")


def _make_legacy(*workspaces):
    """Turn the chains into what 0004 left: plain SHA-256 over the old canonical form, no key id (and no target
    name: 0010 added it)."""
    for ws in workspaces:
        prev = audit.GENESIS
        for event in AuditEvent.objects.filter(workspace=ws).order_by("seq"):
            event.prev_hash, event.key_id, event.target_label = prev, "", ""
            content = json.loads(audit.canonical(event))
            del content["key"]
            prev = hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
            AuditEvent.objects.filter(pk=event.pk).update(prev_hash=event.prev_hash, hash=prev, key_id="",
                                                          target_label="")
        AuditChainHead.objects.filter(chain=audit.chain_key(ws.pk)).update(hash=prev)


def test_the_migration_rekeys_sha256_chains_in_batches(workspace, member, other_workspace, monkeypatch, capsys):
    for i in range(15):
        audit.record(None, "test.filler", workspace=workspace, i=i)
    _make_legacy(workspace, other_workspace)
    assert oorg(["audit", "verify"]) == 1  # legacy rows are not accepted as keyed ones
    monkeypatch.setattr(migration, "BATCH", 4)
    migration.rekey(apps, None)
    capsys.readouterr()
    assert oorg(["audit", "verify"]) == 0, capsys.readouterr().out
    assert set(AuditEvent.objects.values_list("key_id", flat=True)) == {audit.key_id(audit.settings.SECRET_KEY)}


def test_the_migration_does_not_launder_an_earlier_edit(workspace, member, capsys):
    _make_legacy(workspace)
    victim = AuditEvent.objects.filter(workspace=workspace).order_by("seq")[1]
    AuditEvent.objects.filter(pk=victim.pk).update(action="forged")
    migration.rekey(apps, None)
    assert oorg(["audit", "verify"]) == 1
    assert f"event #{victim.seq} (id {victim.pk}, forged)" in capsys.readouterr().out

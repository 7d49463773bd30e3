"""Signed checkpoints of every audit chain head, kept outside the database.

A checkpoint records each chain's head (seq and hash) and the time, signed with an anchor key derived from
SECRET_KEY. It is written as a new file (never overwriting one) under AUDIT_ANCHOR_DIR and, when files go
to an object store (OORG_STORAGE_URL), also there. `oorg audit verify` checks every chain against the
newest validly signed anchor of each place: someone who rewinds a head or wipes a chain in the database
cannot make it agree with an anchor already written elsewhere.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils import timezone

from . import files
from .audit import chain_key, derive, key_id, secrets_by_id
from .models import AuditChainHead, AuditEvent

PURPOSE = "oorg-audit-anchor-v1"
FOLDER = "audit-anchors"  # in the object store


@dataclass
class Anchor:
    place: str
    name: str
    created_at: str
    chains: dict[str, tuple[int, str]]


def _dumps(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _signature(body: dict, secret: str) -> str:
    return hmac.new(derive(secret, PURPOSE), _dumps(body).encode(), hashlib.sha256).hexdigest()


def _object_store():
    store = files.storage()
    return None if isinstance(store, FileSystemStorage) else store  # on disk it would sit next to the first copy


def write_checkpoint() -> list[str]:
    """Sign every chain head now and store it in each place; returns where it went."""
    now = timezone.now()
    body = {
        "version": 1, "created_at": now.isoformat(), "key": key_id(settings.SECRET_KEY),
        "chains": {h.chain: {"seq": h.seq, "hash": h.hash} for h in AuditChainHead.objects.order_by("chain")},
    }
    data = json.dumps({"checkpoint": body, "signature": _signature(body, settings.SECRET_KEY)}, indent=1).encode()
    # Month folders keep listings short; the name sorts by time, the random tail keeps two writers apart.
    name = f"{now:%Y-%m}/{now:%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}.json"
    written = [str(_write_disk(name, data))]
    store = _object_store()
    if store is not None:
        written.append("object storage: " + store.save(f"{FOLDER}/{name}", ContentFile(data)))
    return written


def _write_disk(name: str, data: bytes) -> Path:
    root = Path(settings.AUDIT_ANCHOR_DIR)
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    for folder in (root, path.parent):
        os.chmod(folder, 0o700)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.link(tmp, path)  # complete or absent, and never replaces an existing anchor
    finally:
        os.unlink(tmp)
    folder_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder_fd)
    finally:
        os.close(folder_fd)
    return path


def _newest_first(listdir):
    months, _ = listdir("")
    for month in sorted(months, reverse=True):
        _, names = listdir(month)
        for name in sorted((n for n in names if n.endswith(".json")), reverse=True):
            yield f"{month}/{name}"


def _parse(place: str, name: str, data: bytes, keys: dict[str, str]) -> Anchor | None:
    try:
        doc = json.loads(data)
        body = doc["checkpoint"]
        secret = keys.get(body["key"])
        if secret is None or not hmac.compare_digest(_signature(body, secret), doc["signature"]):
            return None
        chains = {chain: (int(h["seq"]), str(h["hash"])) for chain, h in body["chains"].items()}
        return Anchor(place, name, str(body["created_at"]), chains)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _places():
    root = Path(settings.AUDIT_ANCHOR_DIR)

    def disk_listdir(sub):
        folder = root / sub
        if not folder.is_dir():
            return [], []
        entries = list(folder.iterdir())
        return [e.name for e in entries if e.is_dir()], [e.name for e in entries if e.is_file()]

    yield "disk", disk_listdir, lambda name: (root / name).read_bytes()
    store = _object_store()
    if store is not None:
        def store_listdir(sub):
            try:
                return store.listdir(f"{FOLDER}/{sub}".rstrip("/"))
            except FileNotFoundError:
                return [], []

        yield "object storage", store_listdir, lambda name: files.read(f"{FOLDER}/{name}")


def newest_anchors(notes: list[str] | None = None) -> tuple[list[Anchor], list[str]]:
    """The newest validly signed anchor of each place, and the problems found on the way there."""
    anchors, problems, keys = [], [], secrets_by_id()
    for place, listdir, read in _places():
        try:
            for i, name in enumerate(_newest_first(listdir)):
                anchor = _parse(place, name, read(name), keys)
                if anchor is None and i == 0:
                    problems.append(f"anchors in {place}: the newest, {name}, is unreadable or not validly signed "
                                    "(altered, forged, or signed with a key no longer configured)")
                if anchor is not None:
                    anchors.append(anchor)
                    break
        except Exception as e:  # an unreachable store proves nothing: say so rather than pass
            problems.append(f"anchors in {place} could not be read: {e}")
            continue
        if notes is not None:
            found = anchors[-1] if anchors and anchors[-1].place == place else None
            notes.append(f"anchor in {place}: {found.name} ({found.created_at})" if found else
                         f"anchor in {place}: none yet (`oorg audit anchor` writes one)")
    return anchors, problems


def check_head(workspace_id, head: AuditChainHead, anchors: list[Anchor]) -> str | None:
    """The first disagreement between a verified chain (up to `head`) and the anchors."""
    key, where = chain_key(workspace_id), f"workspace {workspace_id or '-'}"
    for anchor in anchors:
        seq, anchored_hash = anchor.chains.get(key, (0, ""))
        if seq == 0:
            continue
        source = f"the {anchor.place} anchor {anchor.name}"
        if head.seq < seq:
            return (f"{where}: its head records #{head.seq} but the chain was anchored at event #{seq} in "
                    f"{source} (events deleted from the end and the head rewound)")
        found = AuditEvent.objects.filter(workspace_id=workspace_id, seq=seq).values_list("hash", flat=True).first()
        if found != anchored_hash:
            return f"{where}: event #{seq} does not match the hash anchored at event #{seq} in {source} (rewritten)"
    return None

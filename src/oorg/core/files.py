"""Stored files, through Django's storage API: on disk by default, S3-compatible at scale (OORG_STORAGE_URL).

Files are private: the app reads and streams them itself and never hands out a storage URL.
"""
from __future__ import annotations

import uuid
from datetime import timedelta

from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage, storages
from django.utils import timezone


def storage() -> Storage:
    # Looked up on each call, so a settings override (tests) takes effect at once.
    return storages["default"]


def save_private(path_prefix: str, data: bytes | File, *, suffix: str) -> str:
    """Save `data` (bytes, or a File that is copied in chunks) under `<prefix>/<random hex><suffix>` and return
    the stored name to keep on the row.

    A random name means a guessed or leaked name tells nothing and two uploads never collide.
    """
    name = f"{path_prefix.strip('/')}/{uuid.uuid4().hex}{suffix}"
    return storage().save(name, ContentFile(data) if isinstance(data, bytes) else data)


def read(name: str) -> bytes:
    with storage().open(name, "rb") as f:
        return f.read()


def delete(name: str) -> None:
    # Deleting is idempotent: a file already gone (retry, earlier erasure) is not an error.
    try:
        storage().delete(name)
    except FileNotFoundError:
        pass


def delete_older_than(folder: str, age: timedelta) -> int:
    """Delete the files directly in `folder` last written more than `age` ago; returns how many."""
    store, cutoff, deleted = storage(), timezone.now() - age, 0
    try:
        _dirs, names = store.listdir(folder)
    except FileNotFoundError:
        return 0
    for name in names:
        path = f"{folder}/{name}"
        if store.get_modified_time(path) < cutoff:
            delete(path)
            deleted += 1
    return deleted


def workspace_folders(kind: str) -> list[str]:
    """`workspaces/<id>/<kind>` for every workspace that has stored files."""
    try:
        workspace_dirs, _files = storage().listdir("workspaces")
    except FileNotFoundError:
        return []
    return [f"workspaces/{d}/{kind}" for d in workspace_dirs]

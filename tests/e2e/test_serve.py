"""`oorg serve` as `make run` starts it: the real server, and with no Redis its embedded worker sends mail."""
import json
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from ..conftest import PASSWORD
from .server import OORG, clean_env, oorg_serve


@pytest.fixture
def served(tmp_path):
    env = clean_env(OORG_DATA_DIR=str(tmp_path), OORG_BASE_URL="http://127.0.0.1")
    subprocess.run([*OORG, "migrate"], env=env, check=True, capture_output=True)
    with oorg_serve(env, "--workers", "1") as base:
        yield base, tmp_path


def sign_up_and_wait_for_the_code(base: str, data_dir: Path, email: str) -> str:
    """Sign up over HTTP, then wait for the embedded worker to write the verification email; its text."""
    request = urllib.request.Request(
        f"{base}/api/v1/auth/signup", method="POST", headers={"Content-Type": "application/json"},
        data=json.dumps({"email": email, "password": PASSWORD, "full_name": "First", "workspace_name": "First"}).encode(),
    )
    with urllib.request.urlopen(request, timeout=20) as r:
        assert r.status == 201
    outbox = Path(data_dir) / "outbox"
    deadline = time.monotonic() + 60
    while not list(outbox.glob("*.eml")):
        assert time.monotonic() < deadline, "the embedded worker never sent the verification email"
        time.sleep(0.5)
    [message] = list(outbox.glob("*.eml"))
    return message.read_text()


def test_serve_answers_and_its_embedded_worker_delivers_the_code(served):
    base, data_dir = served
    assert "first@example.test" in sign_up_and_wait_for_the_code(base, data_dir, "first@example.test")


def test_no_code_stays_in_the_broker_or_the_database(served):
    import re
    import sqlite3

    base, data_dir = served
    message = sign_up_and_wait_for_the_code(base, data_dir, "quiet@example.test")
    code = re.search(r"code is (\d{6})", message).group(1)

    with sqlite3.connect(Path(data_dir) / "broker.sqlite3") as broker:
        assert broker.execute("SELECT count(*) FROM kombu_message").fetchone() == (0,)  # delivered = deleted
    for name in ("broker.sqlite3", "oorg.sqlite3", "oorg.sqlite3-wal"):
        stored = Path(data_dir) / name
        if stored.exists():
            # The sentence, not the bare 6 digits, which a timestamp's microseconds could match by chance.
            assert f"code is {code}".encode() not in stored.read_bytes(), f"the emailed code is in {name}"

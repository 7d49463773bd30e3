"""`oorg serve` as `make run` starts it: the real server, and with no Redis its embedded worker sends mail."""
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ..conftest import PASSWORD, free_port

OORG = [sys.executable, "-m", "oorg.cli"]


@pytest.fixture
def served(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("OORG_")}
    env.update(OORG_DATA_DIR=str(tmp_path), OORG_BASE_URL="http://127.0.0.1")
    subprocess.run([*OORG, "migrate"], env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([*OORG, "serve", "--port", str(port), "--workers", "1"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError("oorg serve did not come up") from None
                time.sleep(0.3)
        yield base, tmp_path
    finally:
        server.terminate()
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()


def test_serve_answers_and_its_embedded_worker_delivers_the_code(served):
    base, data_dir = served
    request = urllib.request.Request(
        f"{base}/api/v1/auth/signup", method="POST", headers={"Content-Type": "application/json"},
        data=json.dumps({"email": "first@example.test", "password": PASSWORD, "full_name": "First",
                         "workspace_name": "First"}).encode(),
    )
    with urllib.request.urlopen(request, timeout=20) as r:
        assert r.status == 201
    outbox = Path(data_dir) / "outbox"
    deadline = time.monotonic() + 60
    while not list(outbox.glob("*.eml")):
        assert time.monotonic() < deadline, "the embedded worker never sent the verification email"
        time.sleep(0.5)
    [message] = list(outbox.glob("*.eml"))
    assert "first@example.test" in message.read_text()


def test_no_code_stays_in_the_broker_or_the_database(served):
    import re
    import sqlite3

    base, data_dir = served
    request = urllib.request.Request(
        f"{base}/api/v1/auth/signup", method="POST", headers={"Content-Type": "application/json"},
        data=json.dumps({"email": "quiet@example.test", "password": PASSWORD, "full_name": "Quiet",
                         "workspace_name": "Quiet"}).encode(),
    )
    urllib.request.urlopen(request, timeout=20).close()
    outbox = Path(data_dir) / "outbox"
    deadline = time.monotonic() + 60
    while not list(outbox.glob("*.eml")):
        assert time.monotonic() < deadline, "the embedded worker never sent the verification email"
        time.sleep(0.5)
    code = re.search(r"code is (\d{6})", next(outbox.glob("*.eml")).read_text()).group(1)

    with sqlite3.connect(Path(data_dir) / "broker.sqlite3") as broker:
        assert broker.execute("SELECT count(*) FROM kombu_message").fetchone() == (0,)  # delivered = deleted
    for name in ("broker.sqlite3", "oorg.sqlite3", "oorg.sqlite3-wal"):
        stored = Path(data_dir) / name
        if stored.exists():
            # The sentence, not the bare 6 digits, which a timestamp's microseconds could match by chance.
            assert f"code is {code}".encode() not in stored.read_bytes(), f"the emailed code is in {name}"

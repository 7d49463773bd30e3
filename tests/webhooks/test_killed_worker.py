"""A worker really killed (SIGKILL) while the receiver holds its request: the claim expires, the periodic job sends
the delivery again, and the receiver, deduplicating on the event id, counts the event once.

The test database of the other tests lives in this process's memory, so these steps run in their own processes
on a database in a temp folder (tests/webhooks/worker_process.py).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from . import receiver as receivers

ROOT = Path(__file__).resolve().parents[2]


class HoldingReceiver(receivers.Receiver):
    """Answers nothing to the first request until `release` is set; the others at once."""

    def __init__(self):
        super().__init__()
        self.release = threading.Event()

    def handle(self, handler):
        answer = super().handle(handler)
        if len(self.requests) == 1:
            self.release.wait(30)
        return answer


def run(tmp_path, *args, check=True, background=False):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "oorg.settings", "OORG_DATA_DIR": str(tmp_path),
           "OORG_DATABASE_URL": f"sqlite:///{tmp_path}/oorg.sqlite3", "OORG_TASKS_EAGER": "1",
           "OORG_WEBHOOKS_ALLOW_PRIVATE": "1", "OORG_WEBHOOK_TIMEOUT": "20"}
    command = [sys.executable, "-m", "tests.webhooks.worker_process", *args] if args[0] != "migrate" else [
        str(Path(sys.executable).parent / "oorg"), "migrate"]
    if background:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    if check:
        assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_a_killed_worker_s_delivery_is_sent_again_and_counted_once(tmp_path):
    receiver = receivers.start(HoldingReceiver())
    try:
        run(tmp_path, "migrate")
        receiver.secret = json.loads(run(tmp_path, "setup", receiver.url()).strip().splitlines()[-1])["secret"]

        worker = run(tmp_path, "emit", background=True)
        deadline = time.monotonic() + 60
        while not receiver.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        assert receiver.requests, worker.stderr.read().decode()[-3000:] if worker.poll() is not None else "no request"
        worker.send_signal(signal.SIGKILL)  # mid-delivery: the receiver has the request, the worker no answer
        worker.wait(10)
        receiver.release.set()

        soon = json.loads(run(tmp_path, "sweep", "1").strip().splitlines()[-1])  # the claim (110 s) holds still
        later = json.loads(run(tmp_path, "sweep", "3").strip().splitlines()[-1])
    finally:
        receiver.release.set()
        receivers.stop(receiver)

    assert soon["deliveries"] == [{"state": "pending", "attempts": 1}]
    assert later["deliveries"] == [{"state": "succeeded", "attempts": 2}]
    assert later["attempts"] == [{"number": 1, "finished": False, "status_code": None},
                                 {"number": 2, "finished": True, "status_code": 200}]
    assert len(receiver.requests) == 2 and all(seen.verified for seen in receiver.requests)
    assert receiver.unique == 1  # what the receiver counts, deduplicating on the event id

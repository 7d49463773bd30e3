"""Slow clients must not starve `oorg serve` (issue 7): while 50 connections trickle a request at ~1 byte/s
(most of them a POST body, some their headers), `/healthz` and a normal sign-in still answer.

Loopback only; the slow clients are bounded in number and in time, and are stopped before the server is.
"""
import json
import socket
import subprocess
import threading
import time
import urllib.request

import pytest

from .server import OORG, _local, clean_env, oorg_serve

SLOW_BODIES = 40
SLOW_HEADERS = 10
SLOW_FOR_AT_MOST = 25.0  # seconds: the trickle stops by itself even if the test hangs
DEMO_OWNER = {"email": "owner@demo.oorg.test", "password": "demo-Workspace-2026"}

@pytest.fixture
def served(tmp_path):
    env = clean_env(OORG_DATA_DIR=str(tmp_path), OORG_BASE_URL="http://127.0.0.1", OORG_TASKS_EAGER="1")
    subprocess.run([*OORG, "migrate"], env=env, check=True, capture_output=True, timeout=120)
    subprocess.run([*OORG, "demo"], env=env, check=True, capture_output=True, timeout=120)
    with oorg_serve(env) as base:  # the default worker count, as `make run` serves
        yield int(base.rsplit(":", 1)[1])


class SlowClients:
    """Opens `bodies` connections that send a POST's headers then its body one byte a second, and `headers`
    connections that send their header lines one byte a second; one background thread, stopped by stop()."""

    def __init__(self, port: int, bodies: int, headers: int):
        self.port, self.bodies, self.headers = port, bodies, headers
        self.sockets: list[socket.socket] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        for i in range(self.bodies + self.headers):
            s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            if i < self.bodies:
                s.sendall(b"POST /api/v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          b"Content-Type: application/json\r\nContent-Length: 4000\r\n\r\n{")
            else:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            s.setblocking(False)
            self.sockets.append(s)
        self.thread.start()
        return self

    def _run(self):
        give_up = time.monotonic() + SLOW_FOR_AT_MOST
        while not self.stopped.wait(1.0) and time.monotonic() < give_up:
            for s in self.sockets:
                try:
                    s.send(b"a")
                except OSError:  # the server hung up on a too-slow client: that is allowed
                    pass

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join(timeout=5)
        for s in self.sockets:
            s.close()


def test_health_and_sign_in_answer_while_50_clients_trickle_requests(served):
    port = served
    with SlowClients(port, bodies=SLOW_BODIES, headers=SLOW_HEADERS):
        time.sleep(2)  # every slow connection accepted and sending

        with _local.open(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            assert r.status == 200

        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/auth/token", method="POST",
            headers={"Content-Type": "application/json"}, data=json.dumps(DEMO_OWNER).encode(),
        )
        with _local.open(request, timeout=10) as r:
            assert r.status == 201
            assert json.loads(r.read())["token"]

        with _local.open(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            assert r.status == 200

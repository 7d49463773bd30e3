"""The real `oorg serve` for end-to-end tests: started on a free loopback port, stopped afterwards."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager

from ..conftest import free_port

OORG = [sys.executable, "-m", "oorg.cli"]
_local = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # straight to 127.0.0.1


def clean_env(**settings: str) -> dict:
    """The environment without the test run's own OORG_* settings, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OORG_")}
    env.update(settings)
    return env


@contextmanager
def oorg_serve(env: dict, *options: str, stdout=subprocess.PIPE):
    """Yields the base URL once /healthz answers 200 (AssertionError if it does not within a minute)."""
    port = free_port()
    server = subprocess.Popen([*OORG, "serve", "--port", str(port), *options], env=env,
                              stdout=stdout, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with _local.open(f"{base}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise AssertionError("oorg serve did not come up") from None
                time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)

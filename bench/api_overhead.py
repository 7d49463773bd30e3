"""How much an authenticated, workspace-scoped API read costs next to a bare django-ninja endpoint.

One run starts the real server (`oorg serve`, granian) on a fresh data dir and loads, on that
same server and in alternating rounds, `GET /api/v1/ping` (no auth, no database) and
`GET /api/v1/me` (bearer token auth, workspace scope, no audit write). It prints requests/s and
p50/p99 latency of each and the ratio me/ping. Goal: ratio >= 0.5. It is a measurement, not a
test: it exits 0 whatever the ratio (1 only when it could not measure).

    .venv/bin/python bench/api_overhead.py                 # SQLite in a temp data dir
    .venv/bin/python bench/api_overhead.py --database-url postgres://oorg@127.0.0.1:55432/oorg
    make bench

Traffic goes to 127.0.0.1 only and every load phase is bounded in time and request count.
The load generator is `wrk` when installed (--loadgen wrk), else a single-process asyncio
client (--loadgen python). With 2 cores the load generator and the server share the CPU,
which lowers both numbers alike; compare ratios, not absolute requests/s, across machines.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
GOAL = 0.5
MAX_REQUESTS_PER_PHASE = 5_000_000  # a hard bound besides the duration

SETUP_SCRIPT = r"""
import os, secrets, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oorg.settings")
django.setup()
from django.utils import timezone
from oorg.accounts.models import User
from oorg.accounts.services import issue_token
from oorg.core.models import Membership
from oorg.workspaces.services import create_workspace
from oorg.core.tenancy import workspace_scope

suffix = secrets.token_hex(4)
user = User.objects.create_user(
    f"bench-{suffix}@bench.oorg.test", "Bench-Passphrase-" + suffix,
    full_name="Bench User", email_verified_at=timezone.now(),
)
workspace = create_workspace(user, name=f"Bench {suffix}")
with workspace_scope(workspace):
    membership = Membership.objects.get(user=user)
    _row, secret = issue_token(user, membership, name="bench")
print("TOKEN=" + secret)
"""


@dataclass
class Result:
    name: str
    seconds: float = 0.0
    requests: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    p50_ms: float | None = None  # set directly by wrk, computed from latencies otherwise
    p99_ms: float | None = None

    @property
    def rps(self) -> float:
        return (self.requests - self.errors) / self.seconds if self.seconds else 0.0

    def percentile_ms(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    def finish(self) -> "Result":
        if self.p50_ms is None:
            self.p50_ms = self.percentile_ms(0.50)
            self.p99_ms = self.percentile_ms(0.99)
        return self


def combine(name: str, rounds: list[Result]) -> Result:
    """One endpoint's rounds as one result. wrk reports only percentiles: their median over rounds."""
    total = Result(name, seconds=sum(r.seconds for r in rounds), requests=sum(r.requests for r in rounds),
                   errors=sum(r.errors for r in rounds))
    if all(r.latencies or r.p50_ms is None for r in rounds):
        total.latencies = [x for r in rounds for x in r.latencies]
    else:
        total.p50_ms = statistics.median(r.p50_ms for r in rounds if r.p50_ms is not None)
        total.p99_ms = statistics.median(r.p99_ms for r in rounds if r.p99_ms is not None)
    return total.finish()


def cpu_times() -> tuple[int, int] | None:
    """(all jiffies, stolen jiffies) from /proc/stat: steal shows a busy host under this VM."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    return sum(fields), fields[7] if len(fields) > 7 else 0


# --- the server ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def oorg(*args: str) -> list[str]:
    # The `oorg` console script of this interpreter's environment, without depending on PATH.
    return [sys.executable, "-m", "oorg.cli", *args]


def prepare(env: dict, log) -> str:
    """Migrate the database and return a fresh API token for a verified user's new workspace."""
    subprocess.run(oorg("migrate"), env=env, check=True, stdout=log, stderr=subprocess.STDOUT, timeout=300)
    out = subprocess.run([sys.executable, "-c", SETUP_SCRIPT], env=env, check=True, capture_output=True,
                         text=True, timeout=120)
    for line in out.stdout.splitlines():
        if line.startswith("TOKEN="):
            return line.removeprefix("TOKEN=")
    raise RuntimeError(f"setup printed no token:\n{out.stdout}\n{out.stderr}")


def start_server(env: dict, port: int, workers: int, log) -> subprocess.Popen:
    # Its own process group, so stopping it also stops the server's worker processes.
    return subprocess.Popen(oorg("serve", "--host", HOST, "--port", str(port), "--workers", str(workers)),
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


# Straight to 127.0.0.1, whatever http_proxy says.
_local = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def wait_until_healthy(server: subprocess.Popen, port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with status {server.returncode} before it was healthy")
        try:
            with _local.open(f"http://{HOST}:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server was not healthy within {timeout:.0f}s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    except ProcessLookupError:
        pass


def check_endpoint(port: int, path: str, headers: dict, expect: str) -> None:
    request = urllib.request.Request(f"http://{HOST}:{port}{path}", headers=headers)
    with _local.open(request, timeout=10) as r:
        body = r.read().decode()
    if expect not in body:
        raise RuntimeError(f"GET {path} answered {body[:200]!r}; expected it to contain {expect!r}")


# --- load generators -------------------------------------------------------------------------------


async def _connection(port: int, request: bytes, deadline: float, result: Result, budget: list[int]) -> None:
    reader = writer = None
    while time.perf_counter() < deadline and budget[0] > 0:
        budget[0] -= 1
        started = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(HOST, port)
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length, close = 0, False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
            if length:
                await reader.readexactly(length)
            elapsed = time.perf_counter() - started
            result.requests += 1
            if status == 200:
                result.latencies.append(elapsed)
            else:
                result.errors += 1
            if close:  # a server may answer one request per connection (gunicorn's sync workers did)
                writer.close()
                writer = None
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError):
            result.requests += 1
            result.errors += 1
            if writer is not None:
                writer.close()
            writer = None
    if writer is not None:
        writer.close()


async def _python_load(port: int, path: str, headers: dict, seconds: float, connections: int, name: str) -> Result:
    lines = [f"GET {path} HTTP/1.1", f"Host: {HOST}:{port}", "User-Agent: oorg-bench"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    result = Result(name)
    budget = [MAX_REQUESTS_PER_PHASE]
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(*(_connection(port, request, deadline, result, budget) for _ in range(connections)))
    result.seconds = time.perf_counter() - started
    return result


def python_load(port, path, headers, seconds, connections, name) -> Result:
    return asyncio.run(_python_load(port, path, headers, seconds, connections, name)).finish()


def _wrk_ms(text: str, pct: str) -> float | None:
    m = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    if not m:
        return None
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]


def wrk_load(port, path, headers, seconds, connections, name) -> Result:
    argv = ["wrk", "--threads", "2", "--connections", str(connections), "--duration", f"{max(1, round(seconds))}s",
            "--timeout", "10s", "--latency"]
    for k, v in headers.items():
        argv += ["--header", f"{k}: {v}"]
    argv.append(f"http://{HOST}:{port}{path}")
    out = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    total = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", out)
    if not total:
        raise RuntimeError(f"could not read wrk's output:\n{out}")
    duration = float(total.group(2)) * {"ms": 0.001, "s": 1.0, "m": 60.0}[total.group(3)]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = sum(int(g) for g in socket_errors.groups()) if socket_errors else 0
    bad_status = int(non_2xx.group(1)) if non_2xx else 0
    return Result(name, seconds=duration, requests=int(total.group(1)) + failed, errors=bad_status + failed,
                  p50_ms=_wrk_ms(out, "50"), p99_ms=_wrk_ms(out, "99"))


# --- the run ---------------------------------------------------------------------------------------


def _use_project_venv() -> None:
    # Run with the interpreter that has oorg installed (e.g. `python3 bench/api_overhead.py` from the repo).
    import importlib.util

    venv_python = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "python"
    if importlib.util.find_spec("oorg") is None and venv_python.exists() and Path(sys.executable) != venv_python:
        os.execv(str(venv_python), [str(venv_python), *sys.argv])


def main(argv=None) -> int:
    _use_project_venv()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured load per endpoint (default 10)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument("--workers", type=int, default=2, help="`oorg serve --workers` (default 2)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="split each endpoint's seconds into this many alternating rounds, so a slow spell "
                             "of a shared machine hits both endpoints (default 5)")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured load per endpoint first (default 2)")
    parser.add_argument("--database-url", help="bench on this database (e.g. postgres://...) instead of a temp "
                                               "SQLite file; a bench user and workspace are added to it")
    parser.add_argument("--loadgen", choices=["auto", "python", "wrk"], default="auto",
                        help="auto: wrk when installed, else the built-in asyncio client")
    args = parser.parse_args(argv)
    if not (0 < args.seconds <= 300 and 0 <= args.warmup <= 60 and 1 <= args.connections <= 512
            and 1 <= args.rounds <= 100):
        parser.error("keep --seconds in (0, 300], --warmup in [0, 60], --connections in [1, 512], --rounds in [1, 100]")
    loadgen = args.loadgen
    if loadgen == "auto":
        loadgen = "wrk" if shutil.which("wrk") else "python"
    elif loadgen == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed")
    load = wrk_load if loadgen == "wrk" else python_load
    per_round = args.seconds / args.rounds
    if loadgen == "wrk" and per_round < 1:
        parser.error("wrk measures whole seconds: make --seconds / --rounds at least 1")

    data_dir = Path(tempfile.mkdtemp(prefix="oorg-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("OORG_")}
    env.update(OORG_DATA_DIR=str(data_dir), OORG_TASKS_EAGER="1", DJANGO_SETTINGS_MODULE="oorg.settings")
    if args.database_url:
        env["OORG_DATABASE_URL"] = args.database_url
    database = "PostgreSQL" if (args.database_url or "").startswith("postgres") else "SQLite"
    log_path = data_dir / "server.log"
    server = None
    try:
        with open(log_path, "ab") as log:
            print(f"Preparing a {database} database in {data_dir} ...", flush=True)
            token = prepare(env, log)
            port = free_port()
            server = start_server(env, port, args.workers, log)
            wait_until_healthy(server, port)
            auth = {"Authorization": f"Bearer {token}"}
            check_endpoint(port, "/api/v1/ping", {}, '"ok"')
            check_endpoint(port, "/api/v1/me", auth, '"role": "owner"')
            endpoints = [("GET /api/v1/ping", "/api/v1/ping", {}), ("GET /api/v1/me", "/api/v1/me", auth)]
            if args.warmup:
                print(f"Warming up ({args.warmup:g}s per endpoint) ...", flush=True)
                for name, path, headers in endpoints:
                    load(port, path, headers, args.warmup, args.connections, name)
            rounds: dict[str, list[Result]] = {name: [] for name, _, _ in endpoints}
            ratios = []
            cpu_before = cpu_times()
            print(f"Measuring {args.rounds} rounds of {per_round:g}s per endpoint, alternating ...", flush=True)
            for i in range(args.rounds):
                # ping, me / me, ping / ...: neither endpoint always runs on a warmer or cooler machine
                order = endpoints if i % 2 == 0 else endpoints[::-1]
                got = {name: load(port, path, headers, per_round, args.connections, name).finish()
                       for name, path, headers in order}
                for name, r in got.items():
                    rounds[name].append(r)
                ping_r, me_r = got[endpoints[0][0]], got[endpoints[1][0]]
                ratios.append(me_r.rps / ping_r.rps if ping_r.rps else 0.0)
                print(f"  round {i + 1}: ping {ping_r.rps:.0f} req/s, me {me_r.rps:.0f} req/s, "
                      f"me/ping {ratios[-1]:.2f}x", flush=True)
            cpu_after = cpu_times()
            results = [combine(name, rounds[name]) for name, _, _ in endpoints]
    except Exception as exc:  # tell what broke, with the server's own words
        print(f"\nbench failed: {exc}", file=sys.stderr)
        if log_path.exists():
            tail = log_path.read_text(errors="replace").splitlines()[-30:]
            print("server log (last lines):\n  " + "\n  ".join(tail), file=sys.stderr)
        return 1
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(data_dir, ignore_errors=True)

    ping, me = results
    steal = None
    if cpu_before and cpu_after and cpu_after[0] > cpu_before[0]:
        steal = 100 * (cpu_after[1] - cpu_before[1]) / (cpu_after[0] - cpu_before[0])
    print()
    print(f"OORG API overhead: `oorg serve --workers {args.workers}` (granian WSGI), {database}, "
          f"{args.connections} connections, {args.seconds:g}s per endpoint in {args.rounds} rounds, "
          f"load generator: {loadgen}")
    print(f"machine: {os.cpu_count()} cores shared by server and load generator; Python {platform.python_version()}"
          + (f"; CPU steal during the run {steal:.1f}%" if steal is not None else ""))
    print(f"{'endpoint':<18} {'requests':>9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for r in results:
        print(f"{r.name:<18} {r.requests:>9} {r.rps:>9.0f} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f} {r.errors:>7}")
    ratio = me.rps / ping.rps if ping.rps else 0.0
    verdict = "PASS" if ratio >= GOAL else "BELOW GOAL"
    spread = f"; rounds {min(ratios):.2f}x to {max(ratios):.2f}x, median {statistics.median(ratios):.2f}x" \
        if len(ratios) > 1 else ""
    print(f"me/ping: {ratio:.2f}x (goal >= {GOAL:.1f}x) {verdict}{spread}")
    if loadgen == "wrk" and args.rounds > 1:
        print("(wrk reports percentiles per round: p50 and p99 above are their medians over the rounds)")
    if ping.errors or me.errors:
        print("note: some requests failed; they are excluded from req/s and latency.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

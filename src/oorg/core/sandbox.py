"""Parse untrusted files in a child process with a memory and a time limit, never in the web worker.

`run("package.module:function", data, **kwargs)` starts `python -m oorg.core.sandbox`, which caps its
own address space and CPU time before it imports anything else, calls `function(data, **kwargs)` and
prints the JSON-able result. A parser that blows up (a zip bomb, a billion blank cells, a bug in a
library) dies alone: the caller gets `LimitExceeded` and the worker that waits keeps its memory.
The result crosses as JSON, never pickle, so even a subverted child cannot run code in the caller.
Needs no Django, on either side.
"""
from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import signal
import subprocess
import sys

MEMORY_MB = 768
SECONDS = 30


class LimitExceeded(Exception):
    """The child ran out of memory or time, or died; `reason` says which."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def encode(value):
    """JSON for the values a spreadsheet holds: dates and times keep their type across the pipe."""
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$time": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"$seconds": value.total_seconds()}
    raise TypeError(f"cannot send {type(value).__name__}")


def _decode(obj: dict):
    if len(obj) == 1:
        (key, value), = obj.items()
        if key == "$datetime":
            return dt.datetime.fromisoformat(value)
        if key == "$date":
            return dt.date.fromisoformat(value)
        if key == "$time":
            return dt.time.fromisoformat(value)
        if key == "$seconds":
            return dt.timedelta(seconds=value)
    return obj


decode_object = _decode  # the object_hook for reading what `encode` wrote


def run(function: str, data, *, memory_mb: int = MEMORY_MB, seconds: int = SECONDS, **kwargs):
    """`data` is bytes, or a file opened for reading (then the caller never holds it in memory)."""
    command = [sys.executable, "-m", "oorg.core.sandbox", function, str(memory_mb), str(seconds), json.dumps(kwargs)]
    given = {"input": data} if isinstance(data, bytes) else {"stdin": data}
    try:
        done = subprocess.run(command, **given, capture_output=True, timeout=seconds + 2,
                              env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    except subprocess.TimeoutExpired:  # subprocess.run kills the child before raising
        raise LimitExceeded("time") from None
    if done.returncode != 0:
        stderr = done.stderr.decode(errors="replace")
        # RLIMIT_CPU sends SIGXCPU at the soft limit and SIGKILL at the hard one.
        out_of_time = done.returncode in (-signal.SIGXCPU, -signal.SIGKILL)
        reason = "memory" if "MemoryError" in stderr else "time" if out_of_time else "crash"
        raise LimitExceeded(reason)
    return json.loads(done.stdout, object_hook=_decode)


def _child(argv: list[str]) -> int:
    import resource

    function, memory_mb, seconds, kwargs = argv[0], int(argv[1]), int(argv[2]), json.loads(argv[3])
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    module, name = function.split(":")
    target = getattr(importlib.import_module(module), name)
    result = target(sys.stdin.buffer.read(), **kwargs)
    sys.stdout.write(json.dumps(result, default=encode))
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1:]))

"""Parsers that misbehave on purpose, run by tests/core/test_sandbox.py inside the sandbox."""


def hog_memory(data: bytes) -> int:
    chunks = []
    while True:
        chunks.append(bytearray(64 * 1024 * 1024))


def spin(data: bytes) -> int:
    while True:
        pass


def echo_dates(data: bytes):
    import datetime as dt

    return {"size": len(data), "when": [dt.date(2026, 1, 5), dt.datetime(2026, 1, 5, 9, 30), dt.time(8, 15)]}

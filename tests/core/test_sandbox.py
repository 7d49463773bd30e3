"""The sandbox runs a parser in a child process that cannot take the caller's memory or time."""
import datetime as dt
import resource

import pytest

from oorg.core import sandbox


def test_result_crosses_as_json_with_dates_kept():
    result = sandbox.run("tests.core.sandbox_targets:echo_dates", b"12345")

    assert result == {"size": 5, "when": [dt.date(2026, 1, 5), dt.datetime(2026, 1, 5, 9, 30), dt.time(8, 15)]}


def test_a_parser_that_eats_memory_dies_alone():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    with pytest.raises(sandbox.LimitExceeded) as exc:
        sandbox.run("tests.core.sandbox_targets:hog_memory", b"", memory_mb=256)

    assert exc.value.reason == "memory"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 64 * 1024  # KiB: the caller did not grow


def test_a_parser_that_never_ends_is_stopped():
    with pytest.raises(sandbox.LimitExceeded) as exc:
        sandbox.run("tests.core.sandbox_targets:spin", b"", seconds=1)

    assert exc.value.reason == "time"

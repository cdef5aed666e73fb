"""Sampled log lines: one per key per interval, the next one counting what was left out."""

from __future__ import annotations

import logging

import pytest

from libs.common.log_sampling import SampledLog

log = logging.getLogger("tests.sampled")


def test_one_line_per_key_per_interval_and_the_next_counts_the_rest(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    sampled = SampledLog(log, logging.WARNING, interval=10.0, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="tests.sampled"):
        for n in range(50):
            sampled.log(("t", 0), "record %d dropped", n)
            sampled.log(("t", 1), "record %d dropped", n)
        now[0] = 10.0
        sampled.log(("t", 0), "record %d dropped", 50)
        now[0] = 25.0
        sampled.log(("t", 0), "record %d dropped", 51)
    assert [r.getMessage() for r in caplog.records] == [
        "record 0 dropped",
        "record 0 dropped",
        "record 50 dropped (and 49 more like it in the last 10 s)",
        "record 51 dropped",
    ]

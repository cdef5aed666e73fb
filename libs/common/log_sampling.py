"""Log lines that anyone who reaches the broker can cause, sampled: one per key per interval.

A consumer refuses a forged record, counts it and (a projection) keeps it as a dead letter,
but a line per record would let a flood of forged records drown the log and fill its disk.
So such a line is written at most once per key (a partition) per interval; the next one says
how many were left out meanwhile. Keys are partitions: their number is bounded.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable

INTERVAL_SECONDS = 10.0


class SampledLog:
    def __init__(
        self,
        logger: logging.Logger,
        level: int,
        *,
        interval: float = INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger = logger
        self.level = level
        self.interval = interval
        self._clock = clock
        self._last: dict[Hashable, tuple[float, int]] = {}
        """Per key: when its last line was written, and how many were left out since."""

    def log(self, key: Hashable, message: str, *args: object) -> None:
        now = self._clock()
        last = self._last.get(key)
        if last is not None and now - last[0] < self.interval:
            self._last[key] = (last[0], last[1] + 1)
            return
        self._last[key] = (now, 0)
        if last is not None and last[1]:
            message += " (and %d more like it in the last %.0f s)"
            args = (*args, last[1], now - last[0])
        self.logger.log(self.level, message, *args)

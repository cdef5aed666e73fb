"""Python's cyclic garbage collector held off over a burst of allocations."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator


class _Pause:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._was_enabled = False

    def enter(self) -> None:
        with self._lock:
            if self._depth == 0:
                self._was_enabled = gc.isenabled()
                if self._was_enabled:
                    gc.disable()
            self._depth += 1

    def exit(self) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0 and self._was_enabled:
                gc.enable()


_pause = _Pause()


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection inside (reference counting still frees everything else).

    Decoding a batch allocates several objects per record (aiokafka's records and header
    tuples, envelopes, UUIDs, events) that stay alive until the batch is done. A burst like
    that triggers collection after collection that scan them again and again, and pushes them
    into the old generation until a full collection scans the whole heap, so the collector
    would take most of decoding's time (ADR 0011 has the profile). Decoded objects form no
    reference cycles, so nothing is missed, only collected later. For short stretches: held
    across an ``await``, it only delays collection for whatever else runs meanwhile. Nested and
    concurrent holders share one pause, and the collector is switched back on only if it was on
    before.
    """
    _pause.enter()
    try:
        yield
    finally:
        _pause.exit()

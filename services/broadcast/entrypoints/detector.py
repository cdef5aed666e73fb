"""The incident detector: a background task that opens the incidents that fall due.

It sleeps until the earliest deadline (a cluster's last report, or its outage's start, plus
the threshold), at most ``MAX_IDLE`` so that clusters reporting for the first time and a
changed threshold are picked up quickly. Every replica may run one: the due rows are locked
``SKIP LOCKED`` and the domain opens an incident once per outage, so two detectors never open
two.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
from collections.abc import Callable

import asyncpg

from libs.common.eventstore.context import SYSTEM
from services.broadcast.adapters import signal_state
from services.broadcast.application.signal import DetectDue, SignalHandlers
from services.broadcast.domain.period import utc_now

log = logging.getLogger(__name__)

MAX_IDLE = 0.2
BATCH = 500


async def run_detector(signal: SignalHandlers, pool: asyncpg.Pool, looked: Callable[[], None] = lambda: None) -> None:
    """``looked`` is called after each look at the due clusters that did not fail: what
    ``tinhso_incident_detector_last_run_timestamp_seconds`` reports, so a stuck or failing
    detector shows as a timestamp that stops moving."""
    while True:
        try:
            wait = await _until_next(pool)
            looked()
            if wait > 0:
                await asyncio.sleep(wait)
                continue  # look again: a report may have moved the earliest deadline meanwhile
            opened = await signal.detect_due(DetectDue(now=utc_now(), limit=BATCH), SYSTEM)
            if not opened.ids:
                await asyncio.sleep(0.01)  # due rows held by another transaction: let it finish
        except asyncio.CancelledError:
            raise
        except Exception:  # keep detecting: a failed round is retried after a pause
            log.exception("incident detection failed; retrying in 1 s")
            await asyncio.sleep(1.0)


async def _until_next(pool: asyncpg.Pool) -> float:
    async with pool.acquire() as conn:
        reference = await signal_state.next_reference(conn)
        threshold = await signal_state.threshold_seconds(conn)
    if reference is None:
        return MAX_IDLE
    wait = (reference + datetime.timedelta(seconds=threshold) - utc_now()).total_seconds()
    return 0.0 if wait <= 0 else min(wait, MAX_IDLE)

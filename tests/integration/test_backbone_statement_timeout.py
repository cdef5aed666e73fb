"""The backbone's statements have their own, longer timeout than an API request's.

A projection batch (up to 5,000 events) or a wait for a lock can take longer than a request
should; when the runners shared the API's pool they shared its statement timeout, and a batch
past it raised ``TimeoutError``, which the runner takes for transient and retries: the same
batch, forever.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import asyncpg
import msgspec
import pytest

from libs.common.backbone import Backbone
from libs.common.db import Conn
from libs.common.eventstore.commands import CommandExecutor
from libs.common.projections.projection import Applied
from libs.common.runtime import ServiceRuntime
from libs.common.settings import Settings
from tests.support.counter import CATALOGUE, COUNTER, Increment
from tests.support.counter_projection import CounterTotals, wait_until_applied

API_TIMEOUT = 0.5
SLOW_STATEMENT = 1.5
"""Longer than an API statement may take, far shorter than the backbone's default of 120 s."""


class SlowTotals(CounterTotals):
    """The totals, each batch holding a statement longer than the API's timeout."""

    async def apply(self, conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
        await conn.execute(f"SELECT pg_sleep({SLOW_STATEMENT})")
        await super().apply(conn, schema, batch)


async def test_a_projection_statement_longer_than_the_api_timeout_completes_while_a_request_stays_bounded(
    settings: Settings, store_pool: asyncpg.Pool
) -> None:
    """Failed before the fix: the batch's statement timed out after 0.5 s and the runner retried
    it without end, so the event was never applied."""
    tight = msgspec.structs.replace(settings, db_command_timeout_seconds=API_TIMEOUT)
    runtime = ServiceRuntime("test", tight, Backbone("test", tight, [SlowTotals()]))
    await runtime.start()
    try:
        await CommandExecutor(runtime.pool, "test", CATALOGUE).execute(COUNTER, "c", Increment(by=2))
        await wait_until_applied(store_pool, 1, timeout=30)
        # The API's pool keeps its bound: the same statement there is abandoned.
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            await runtime.pool.execute(f"SELECT pg_sleep({SLOW_STATEMENT})")
        assert time.monotonic() - started < SLOW_STATEMENT
    finally:
        await runtime.stop()

"""A projection for backbone tests: per-stream totals, deliberately not idempotent.

``total = total + by`` double-counts a redelivered event, so any exactly-once failure shows
up in the numbers. An event whose note is "poison" makes ``apply`` fail.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import ClassVar

import asyncpg

from contracts.catalogue import EventCatalogue
from libs.common.db import Conn
from libs.common.projections.projection import Applied, Projection
from tests.support.counter import CATALOGUE, CounterIncremented


class PoisonError(RuntimeError):
    pass


class CounterTotals(Projection):
    name: ClassVar[str] = "test_totals"
    service: ClassVar[str] = "test"
    sources: ClassVar[dict[str, EventCatalogue]] = {"test": CATALOGUE}
    handles: ClassVar[frozenset[str]] = frozenset({"test.counter_incremented"})

    def __init__(self, *, cure_poison: bool = False) -> None:
        self.cure_poison = cure_poison

    def tables_sql(self, schema: str) -> str:
        return f"""
        CREATE TABLE IF NOT EXISTS {schema}.totals (
            stream_id text PRIMARY KEY,
            total bigint NOT NULL,
            events integer NOT NULL,
            last_version integer NOT NULL
        )
        """

    async def apply(self, conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
        rows = []
        for item in batch:
            event = item.event
            assert isinstance(event, CounterIncremented)
            if event.note == "poison" and not self.cure_poison:
                raise PoisonError(f"cannot apply {item.envelope.event_id}")
            rows.append((item.envelope.stream_id, event.by, item.envelope.version))
        await conn.executemany(
            f"""
            INSERT INTO {schema}.totals AS t (stream_id, total, events, last_version) VALUES ($1, $2, 1, $3)
            ON CONFLICT (stream_id) DO UPDATE
                SET total = t.total + EXCLUDED.total, events = t.events + 1, last_version = EXCLUDED.last_version
            """,
            rows,
        )


async def totals(conn: Conn, schema: str = "test_totals") -> dict[str, tuple[int, int, int]]:
    rows = await conn.fetch(f"SELECT stream_id, total, events, last_version FROM {schema}.totals ORDER BY stream_id")
    return {r["stream_id"]: (r["total"], r["events"], r["last_version"]) for r in rows}


async def wait_until_applied(pool: asyncpg.Pool, events: int, timeout: float = 20) -> None:
    """Until the projection's table exists and holds ``events`` applied events in all."""
    async with asyncio.timeout(timeout):
        while True:
            async with pool.acquire() as conn:
                ready = await conn.fetchval("SELECT to_regclass('test_totals.totals')")
                if ready and sum(e for _, e, _ in (await totals(conn)).values()) == events:
                    return
            await asyncio.sleep(0.05)

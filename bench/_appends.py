"""Figure 1: appends per second through ``EventStore.append``, and the raw write baselines.

- single stream: one writer, one event per append (its own transaction), expected version
  tracked by the writer;
- many streams: 8 writers on a pool, each cycling over its own streams;
- raw COPY: ``copy_records_to_table`` of pre-built rows into a plain table of the events
  table's shape (no index, no constraint, no trigger);
- raw locking insert: per event one transaction that locks the stream's head row
  (``SELECT ... FOR UPDATE``), inserts the event into a same-shaped table and moves the head
  (what a hand-written version check costs), on 1 and on 8 connections.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg
import msgspec

from libs.common.eventstore.store import EventStore, new_event_id
from tests.support.counter import CounterIncremented

_DATA = msgspec.json.encode(CounterIncremented(by=1))
_TYPE = CounterIncremented.type_name()

_SHAPE = """
    position        bigint GENERATED ALWAYS AS IDENTITY,
    tx_id           xid8        NOT NULL DEFAULT pg_current_xact_id(),
    event_id        uuid        NOT NULL,
    stream_id       text        NOT NULL,
    stream_type     text        NOT NULL,
    version         integer     NOT NULL,
    type            text        NOT NULL,
    schema_version  integer     NOT NULL,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor           text,
    partner         text,
    correlation_id  uuid,
    causation_id    uuid,
    traceparent     text,
    data            jsonb       NOT NULL
"""

RAW_TABLES = f"""
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE raw.copy_events ({_SHAPE});
CREATE TABLE raw.copy_indexed ({_SHAPE}, PRIMARY KEY (position), UNIQUE (stream_id, version), UNIQUE (event_id));
CREATE INDEX ON raw.copy_indexed (tx_id, position);
CREATE TABLE raw.locked_events ({_SHAPE}, PRIMARY KEY (position));
CREATE TABLE raw.heads (stream_id text PRIMARY KEY, version integer NOT NULL);
"""

_COPY_COLUMNS = ["event_id", "stream_id", "stream_type", "version", "type", "schema_version", "occurred_at", "data"]


async def timed_workers(workers: int, seconds: float, make: Callable[[int], Callable[[], Awaitable[int]]]) -> float:
    """Run ``workers`` loops of ``make(w)()`` for ``seconds``; returns items per second."""
    counts = [0] * workers
    deadline = time.monotonic() + seconds

    async def loop(w: int) -> None:
        step = make(w)
        while time.monotonic() < deadline:
            counts[w] += await step()

    began = time.monotonic()
    await asyncio.gather(*(loop(w) for w in range(workers)))
    return sum(counts) / (time.monotonic() - began)


async def store_single_stream(pool: asyncpg.Pool, store: EventStore, seconds: float, *, stream: str) -> float:
    async with pool.acquire() as conn:
        version = 0

        async def step() -> int:
            nonlocal version
            await store.append(conn, stream, "counter", version, [CounterIncremented(by=1)])
            version += 1
            return 1

        return await timed_workers(1, seconds, lambda _: step)


async def store_many_streams(
    pool: asyncpg.Pool, store: EventStore, seconds: float, *, writers: int = 8, streams: int = 500, prefix: str = "m"
) -> float:
    def make(w: int) -> Callable[[], Awaitable[int]]:
        versions = [0] * streams
        turn = 0

        async def step() -> int:
            nonlocal turn
            k = turn % streams
            turn += 1
            async with pool.acquire() as conn:
                await store.append(conn, f"{prefix}{w}-{k}", "counter", versions[k], [CounterIncremented(by=1)])
            versions[k] += 1
            return 1

        return step

    return await timed_workers(writers, seconds, make)


async def raw_copy(pool: asyncpg.Pool, rows: int, *, table: str = "copy_events", prefix: str = "c") -> float:
    """Rows/s of one COPY of pre-built rows (``table``: ``copy_events`` is plain,
    ``copy_indexed`` has the events table's keys and indexes)."""
    now = datetime.now(UTC)
    records = [
        (new_event_id(), f"{prefix}-{i % 1000}", "counter", i // 1000 + 1, _TYPE, 1, now, _DATA) for i in range(rows)
    ]
    async with pool.acquire() as conn:
        began = time.monotonic()
        await conn.copy_records_to_table(table, schema_name="raw", columns=_COPY_COLUMNS, records=records)
        return rows / (time.monotonic() - began)


async def raw_locking_inserts(
    pool: asyncpg.Pool, seconds: float, *, connections: int, streams: int = 500, prefix: str = "l"
) -> float:
    names = [f"{prefix}{w}-{k}" for w in range(connections) for k in range(streams)]
    async with pool.acquire() as conn:
        await conn.executemany("INSERT INTO raw.heads VALUES ($1, 0)", [(n,) for n in names])

    def make(w: int) -> Callable[[], Awaitable[int]]:
        turn = 0

        async def step() -> int:
            nonlocal turn
            stream = f"{prefix}{w}-{turn % streams}"
            turn += 1
            async with pool.acquire() as conn, conn.transaction():
                version = await conn.fetchval("SELECT version FROM raw.heads WHERE stream_id = $1 FOR UPDATE", stream)
                await conn.execute(
                    "INSERT INTO raw.locked_events (event_id, stream_id, stream_type, version, type, schema_version,"
                    " occurred_at, data) VALUES ($1, $2, 'counter', $3, $4, 1, $5, $6)",
                    new_event_id(),
                    stream,
                    version + 1,
                    _TYPE,
                    datetime.now(UTC),
                    _DATA,
                )
                await conn.execute("UPDATE raw.heads SET version = $2 WHERE stream_id = $1", stream, version + 1)
            return 1

        return step

    return await timed_workers(connections, seconds, make)

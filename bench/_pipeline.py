"""Figures 3 and 4: the outbox relay and the projection runner, each against its raw client.

The store is seeded with N counter events interleaved over S streams (event i goes to
stream ``p-{i % S}``), written in transactions of 1000 by one ``INSERT ... SELECT FROM
unnest`` per transaction: the same rows ``EventStore.append`` writes, seeded quickly.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import sys
import time
from datetime import UTC, datetime

import asyncpg
import msgspec
from aiokafka import TopicPartition

from bench import _appends
from bench._common import REPO, Servers
from bench._projections import TotalsFolded
from libs.common.eventstore.store import START, EventStore, new_event_id
from libs.common.kafka import make_consumer, make_producer
from libs.common.projections.projection import Projection, ensure_schema
from libs.common.projections.runner import ProjectionRunner
from libs.common.relay import OutboxRelay, kafka_headers
from tests.support.counter import CounterIncremented
from tests.support.event_keys import TEST_KEY, verifier

PARTITIONS = 3
STALL_SECONDS = 30.0
"""A projection that applies nothing for this long has failed (its runner retries forever)."""

_DATA = msgspec.json.encode(CounterIncremented(by=1))
_TYPE = CounterIncremented.type_name()


async def seed_events(
    pool: asyncpg.Pool, schema: str, events: int, streams: int, *, traced: bool = False, per_tx: int = 1000
) -> None:
    """``traced``: each event carries a sampled W3C traceparent, as events appended through a
    service's HTTP API do (the request span's context, stored by ``command_metadata``)."""
    sql = f"""
        INSERT INTO {schema}.events (event_id, stream_id, stream_type, version, type, schema_version, occurred_at,
                                     data, traceparent)
        SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::int[],
                             $7::timestamptz[], $8::jsonb[], $9::text[])
    """
    async with pool.acquire() as conn:
        for start in range(0, events, per_tx):
            idx = range(start, min(start + per_tx, events))
            now = datetime.now(UTC)
            await conn.execute(
                sql,
                [new_event_id() for _ in idx],
                [f"p-{i % streams}" for i in idx],
                ["counter"] * len(idx),
                [i // streams + 1 for i in idx],
                [_TYPE] * len(idx),
                [1] * len(idx),
                [now] * len(idx),
                [_DATA] * len(idx),
                [_traceparent() if traced else None for _ in idx],
            )


def _traceparent() -> str:
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


async def relay_throughput(servers: Servers, schema: str, topic: str, events: int) -> tuple[float, int]:
    """Events/s from starting an :class:`OutboxRelay` until it has published ``events``, and
    how many times it started over from the beginning of the store meanwhile (should be 0)."""
    producer = make_producer(servers.settings(), client_id="bench-relay")
    await producer.start()
    relay = OutboxRelay(
        servers.url,
        schema,
        topic,
        lambda: producer,
        signing_key=TEST_KEY,
        bootstrap=servers.broker.bootstrap,
        partitions=PARTITIONS,
    )
    began = time.monotonic()
    task = asyncio.create_task(relay.run())
    try:
        while relay.status.published < events:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        return events / (time.monotonic() - began), relay.status.republished
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await producer.stop()


async def raw_produce(servers: Servers, pool: asyncpg.Pool, schema: str, topic: str, events: int) -> float:
    """Events/s of one producer with the relay's settings sending the relay's very messages
    (value, key, headers), pre-encoded, awaiting every acknowledgement at the end."""
    store = EventStore(schema)
    messages: list[tuple[bytes, bytes, list[tuple[str, bytes]]]] = []
    position = START
    async with pool.acquire() as conn:
        while batch := await store.read_committed(conn, position, 10_000):
            messages.extend((msgspec.json.encode(e), e.stream_id.encode(), kafka_headers(e)) for e in batch)
            position = batch[-1].source_position
    messages = messages[:events]
    producer = make_producer(servers.settings(), client_id="bench-raw")
    await producer.start()
    try:
        began = time.monotonic()
        futures = [await producer.send(topic, value=v, key=k, headers=h) for v, k, h in messages]
        await asyncio.gather(*futures)
        return len(messages) / (time.monotonic() - began)
    finally:
        await producer.stop()


async def projection_throughput(
    servers: Servers, pool: asyncpg.Pool, projection: Projection, topic: str, events: int
) -> float:
    """Events/s from starting a :class:`ProjectionRunner` on ``topic`` until it applied ``events``."""
    runner = ProjectionRunner(
        projection,
        pool,
        bootstrap=servers.broker.bootstrap,
        topics={projection.service: topic},
        verifier=verifier(topic),
        group_id=None,
    )
    began = time.monotonic()
    task = asyncio.create_task(runner.run())
    progress, progressed = 0, began
    try:
        while (done := runner.status.applied + runner.status.dead_lettered) < events:
            if task.done():
                task.result()
            if done > progress:
                progress, progressed = done, time.monotonic()
            elif time.monotonic() - progressed > STALL_SECONDS:
                raise RuntimeError(f"the projection stalled at {done:,} of {events:,}: {runner.status.last_error}")
            await asyncio.sleep(0.01)
        elapsed = time.monotonic() - began
        if runner.status.dead_lettered:
            raise RuntimeError(f"{runner.status.dead_lettered} events were dead-lettered: {runner.status.last_error}")
        return events / elapsed
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def create_copy_tables(pool: asyncpg.Pool) -> None:
    """The COPY baselines' tables (figure 1 creates them when it runs)."""
    if await pool.fetchval("SELECT to_regclass('raw.copy_events')") is None:
        await pool.execute(_appends.RAW_TABLES)


async def raw_copy(pool: asyncpg.Pool, rows: int, *, table: str) -> float:
    """Rows/s of one COPY of ``rows`` pre-built rows of the events table's shape into ``table``,
    emptied first: the projection's baseline, taken in the windows between its runs."""
    await pool.execute(f"TRUNCATE raw.{table}")
    return await _appends.raw_copy(pool, rows, table=table, prefix="p")


async def projection_scale_out(
    servers: Servers, pool: asyncpg.Pool, name: str, topic: str, events: int, *, store_schema: str
) -> float:
    """Events/s of one folded-projection runner process per partition (``bench._projection_worker``),
    each assigned its partition, timed from telling the started processes to go until their
    checkpoints count ``events`` applied."""
    projection = TotalsFolded(name, store_schema=store_schema)
    async with pool.acquire() as conn:
        await ensure_schema(conn, projection)  # once, before several processes would race to
    argv = [sys.executable, "-m", "bench._projection_worker", servers.url, servers.broker.bootstrap, topic]
    procs = [
        await asyncio.create_subprocess_exec(
            *argv, store_schema, name, str(p), cwd=REPO, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
        )
        for p in range(PARTITIONS)
    ]
    applied = f"SELECT coalesce(sum(applied), 0) FROM {name}.checkpoints"
    try:
        for proc in procs:
            assert proc.stdout is not None
            if await asyncio.wait_for(proc.stdout.readline(), 60) != b"ready\n":
                raise RuntimeError("a projection worker did not start")
        began = time.monotonic()
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write(b"go\n")
            await proc.stdin.drain()
        progress, progressed = 0, began
        while (done := await pool.fetchval(applied)) < events:
            if any(proc.returncode is not None for proc in procs):
                raise RuntimeError("a projection worker exited")
            if done > progress:
                progress, progressed = done, time.monotonic()
            elif time.monotonic() - progressed > STALL_SECONDS:
                raise RuntimeError(f"the projection workers stalled at {done:,} of {events:,}")
            await asyncio.sleep(0.01)
        return events / (time.monotonic() - began)
    finally:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
        for proc in procs:
            await proc.wait()


async def raw_consume(servers: Servers, topic: str, events: int) -> float:
    """Events/s of one consumer reading the topic from the beginning (no decoding)."""
    consumer = make_consumer(
        servers.broker.bootstrap,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=4 * 1024 * 1024,
    )
    await consumer.start()
    try:
        await consumer.topics()
        parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        count = 0
        began = time.monotonic()
        while count < events:
            batches = await consumer.getmany(timeout_ms=500, max_records=2000)
            count += sum(len(records) for records in batches.values())
        return count / (time.monotonic() - began)
    finally:
        await consumer.stop()

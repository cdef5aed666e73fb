"""Rebuild a projection from the event stores into fresh tables, then swap them in.

Blue/green: the rebuild writes into the schema ``<name>__next`` while the live schema keeps
serving reads and the live runner keeps applying. The swap takes the projection's lock
exclusively (the runner holds it shared per batch), applies what arrived meanwhile, gives
the new schema checkpoints at the positions it reached, and renames the schemas in one
transaction: readers see the old tables or the new ones, never a mix.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import asyncpg

from libs.common.db import Conn
from libs.common.event_signing import RecordVerifier
from libs.common.eventstore.store import START, EventStore, SourcePosition
from libs.common.projections.projection import Projection, ensure_schema
from libs.common.projections.runner import ProjectionRunner

REBUILD_PARTITION = -1
"""Dead letters found during a rebuild name this partition: the events came from the store."""


@dataclass
class RebuildProgress:
    done: int
    total: int
    started: float

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    @property
    def eta_seconds(self) -> float | None:
        return (self.total - self.done) / self.rate if self.rate > 0 else None


ProgressCallback = Callable[[RebuildProgress], None]


async def rebuild(
    projection: Projection,
    pool: asyncpg.Pool,
    *,
    topics: Mapping[str, str],
    partitions: int,
    on_progress: ProgressCallback | None = None,
    batch_size: int = 5000,
) -> RebuildProgress:
    live, shadow = projection.name, f"{projection.name}__next"
    # Reads the stores, not the topics: no record to verify, so no key is accepted.
    applier = ProjectionRunner(
        projection, pool, bootstrap="", topics=dict(topics), group_id=None, verifier=RecordVerifier({}), schema=shadow
    )
    types = sorted(projection.handles)
    stores = {service: EventStore(service) for service in projection.sources}
    async with pool.acquire() as conn:
        await conn.execute(f"DROP SCHEMA IF EXISTS {shadow} CASCADE")
        await ensure_schema(conn, projection, shadow)
        await ensure_schema(conn, projection, live)
        total = sum([await store.count(conn, types) for store in stores.values()])
    progress = RebuildProgress(0, total, time.monotonic())
    started_at = await _now(pool)
    reached: dict[str, SourcePosition] = dict.fromkeys(stores, START)
    applied: dict[str, int] = dict.fromkeys(stores, 0)

    async def copy(conn: Conn, service: str) -> None:
        while batch := await stores[service].read_committed(conn, reached[service], batch_size, types):
            async with conn.transaction():
                applied[service] += await applier.apply_envelopes(
                    conn, topics[service], REBUILD_PARTITION, [(None, e) for e in batch]
                )
            reached[service] = batch[-1].source_position
            progress.done += len(batch)
            progress.total = max(progress.total, progress.done)
            if on_progress is not None:
                on_progress(progress)

    async with pool.acquire() as conn:
        for service in stores:
            await copy(conn, service)
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", projection.lock_key())
            for service in stores:
                await copy(conn, service)
            await _carry_checkpoints(
                conn, live, shadow=shadow, topics=topics, partitions=partitions, reached=reached, applied=applied
            )
            # The live tables' dead letters belong to them: the rebuild applied or re-recorded
            # every event, so a stale letter retried later would apply an event twice.
            await conn.execute(
                f"DELETE FROM {projection.service}.dead_letters WHERE projection = $1 AND failed_at < $2",
                projection.name,
                started_at,
            )
            await conn.execute(f"DROP SCHEMA IF EXISTS {live}__old CASCADE")
            await conn.execute(f"ALTER SCHEMA {live} RENAME TO {live}__old")
            await conn.execute(f"ALTER SCHEMA {shadow} RENAME TO {live}")
            await conn.execute(f"DROP SCHEMA {live}__old CASCADE")
    return progress


async def _now(pool: asyncpg.Pool) -> datetime.datetime:
    now: datetime.datetime = await pool.fetchval("SELECT clock_timestamp()")
    return now


async def _carry_checkpoints(
    conn: Conn,
    live: str,
    *,
    shadow: str,
    topics: Mapping[str, str],
    partitions: int,
    reached: Mapping[str, SourcePosition],
    applied: Mapping[str, int],
) -> None:
    """Every partition of a source topic is complete up to the position the rebuild reached;
    the live runner's Kafka offsets stay as hints of where to resume reading. The events the
    rebuild applied are counted once per topic (on its first partition), so sums stay true."""
    hints = {
        (row["topic"], row["partition"]): row["kafka_offset"]
        for row in await conn.fetch(f"SELECT topic, partition, kafka_offset FROM {live}.checkpoints")
    }
    for service, topic in topics.items():
        known = {p for (t, p) in hints if t == topic}
        for n, partition in enumerate(sorted(known | set(range(partitions)))):
            tx_id, position = reached[service]
            await conn.execute(
                f"""
                INSERT INTO {shadow}.checkpoints (topic, partition, tx_id, position, kafka_offset, applied)
                VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (topic, partition) DO UPDATE SET tx_id = $3, position = $4, kafka_offset = $5,
                    applied = $6
                """,
                topic,
                partition,
                tx_id,
                position,
                hints.get((topic, partition)),
                applied[service] if n == 0 else 0,
            )

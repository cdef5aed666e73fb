"""The runner reads ahead of what it has applied; nothing it tells Kafka or stores may say
otherwise. Real broker and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from libs.common.db import Conn
from libs.common.embedded.broker import EmbeddedBroker
from libs.common.eventstore.store import EventStore
from libs.common.kafka import ensure_topics
from libs.common.projections.projection import Applied
from libs.common.projections.runner import ProjectionRunner
from libs.common.relay import OutboxRelay
from tests.support.counter import CounterIncremented
from tests.support.counter_projection import CounterTotals

STORE = EventStore("test")


class StallsAtANote(CounterTotals):
    """Fails with a deadlock (a transient error: the batch rolls back and is retried, the
    event is not dead-lettered) on every batch holding an event noted "stall"."""

    async def apply(self, conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
        if any(getattr(item.event, "note", "") == "stall" for item in batch):
            raise asyncpg.exceptions.DeadlockDetectedError("stalled on purpose")
        await super().apply(conn, schema, batch)


async def publish(pool: asyncpg.Pool, url: str, bootstrap: str, topic: str, notes: list[str]) -> None:
    """One event per note on one stream, published to ``topic`` (one partition) in order."""
    async with pool.acquire() as conn:
        for version, note in enumerate(notes):
            await STORE.append(conn, "s-0", "counter", version, [CounterIncremented(by=1, note=note)])
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=2)
    await producer.start()
    relay = OutboxRelay(url, "test", topic, lambda: producer, bootstrap=bootstrap, partitions=1)
    task = asyncio.create_task(relay.run())
    try:
        async with asyncio.timeout(30):
            while relay.status.published < len(notes):  # noqa: ASYNC110 - the relay's own counter
                await asyncio.sleep(0.02)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await producer.stop()


async def checkpoint(pool: asyncpg.Pool) -> asyncpg.Record:
    """The checkpoint row of the one partition."""
    row: asyncpg.Record | None = await pool.fetchrow("SELECT * FROM test_totals.checkpoints")
    assert row is not None
    return row


async def applied_events(pool: asyncpg.Pool) -> int:
    if not await pool.fetchval("SELECT to_regclass('test_totals.totals')"):
        return 0
    count: int = await pool.fetchval("SELECT coalesce(sum(events), 0) FROM test_totals.totals")
    return count


async def test_a_group_commits_the_offsets_it_applied_not_the_ones_it_read_ahead(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker
) -> None:
    topic, group = f"t{uuid.uuid4().hex[:8]}.test.events", f"g-{uuid.uuid4().hex[:6]}"
    await ensure_topics(broker.bootstrap, [topic], 1)
    # Batches of 10: offsets 0-29 apply, the batch 30-39 never does. While 20-29 is being
    # applied the runner has already fetched and decoded 30-39.
    await publish(store_pool, fresh_database, broker.bootstrap, topic, [""] * 30 + ["stall"] + [""] * 29)
    runner = ProjectionRunner(
        StallsAtANote(), store_pool, bootstrap=broker.bootstrap, topics={"test": topic}, group_id=group, max_records=10
    )
    task = asyncio.create_task(runner.run())
    try:
        async with asyncio.timeout(60):
            while await applied_events(store_pool) < 30 or runner.status.last_error is None:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    checker = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=group, enable_auto_commit=False)
    await checker.start()
    try:
        committed = await checker.committed(TopicPartition(topic, 0))
    finally:
        await checker.stop()
    offsets = await store_pool.fetch("SELECT kafka_offset, applied FROM test_totals.checkpoints")
    assert "stalled on purpose" in (runner.status.last_error or "")
    assert await applied_events(store_pool) == 30
    assert [(row["kafka_offset"], row["applied"]) for row in offsets] == [(29, 30)]
    assert committed == 30  # the next offset to apply; 40 would skip the stalled batch on a restart


async def test_a_partition_that_read_only_copies_keeps_its_position_and_moves_its_offset(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker
) -> None:
    topic = f"t{uuid.uuid4().hex[:8]}.test.events"
    await ensure_topics(broker.bootstrap, [topic], 1)
    await publish(store_pool, fresh_database, broker.bootstrap, topic, [""] * 12)
    runner = ProjectionRunner(
        CounterTotals(), store_pool, bootstrap=broker.bootstrap, topics={"test": topic}, group_id=None
    )
    task = asyncio.create_task(runner.run())
    try:
        async with asyncio.timeout(30):
            while await applied_events(store_pool) < 12:  # noqa: ASYNC110 - polling the read model
                await asyncio.sleep(0.05)
        before = await checkpoint(store_pool)
        # The same 12 records again, as a relay that started over would publish them.
        reader = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap, enable_auto_commit=False)
        await reader.start()
        try:
            tp = TopicPartition(topic, 0)
            reader.assign([tp])
            await reader.seek_to_beginning(tp)
            records = (await reader.getmany(tp, timeout_ms=5000))[tp]
        finally:
            await reader.stop()
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap)
        await producer.start()
        try:
            for record in records:
                await producer.send(topic, record.value, key=record.key, partition=0)
            await producer.flush()
        finally:
            await producer.stop()
        async with asyncio.timeout(30):
            while (after := await checkpoint(store_pool))["kafka_offset"] < 23:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert len(records) == 12
    assert before["kafka_offset"] == 11
    assert after["kafka_offset"] == 23
    assert (after["tx_id"], after["position"], after["applied"], after["last_recorded_at"]) == (
        before["tx_id"],
        before["position"],
        before["applied"],
        before["last_recorded_at"],
    )
    assert after["updated_at"] == before["updated_at"]
    assert runner.status.skipped == 12
    assert await applied_events(store_pool) == 12

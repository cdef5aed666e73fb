"""The runner reads ahead of what it has applied; nothing it tells Kafka or stores may say
otherwise. Real broker and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from libs.common.cancellation import stop_tasks
from libs.common.db import Conn
from libs.common.embedded.broker import EmbeddedBroker
from libs.common.eventstore.store import EventStore
from libs.common.kafka import ensure_topics
from libs.common.projections.projection import Applied
from libs.common.projections.runner import ProjectionRunner
from libs.common.relay import OutboxRelay
from tests.support.counter import CounterIncremented
from tests.support.counter_projection import CounterTotals
from tests.support.event_keys import TEST_KEY, verifier

STORE = EventStore("test")


class StallsAtANote(CounterTotals):
    """Fails with a deadlock (a transient error: the batch rolls back and is retried, the
    event is not dead-lettered) on every batch holding an event noted "stall"."""

    async def apply(self, conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
        if any(getattr(item.event, "note", "") == "stall" for item in batch):
            raise asyncpg.exceptions.DeadlockDetectedError("stalled on purpose")
        await super().apply(conn, schema, batch)


async def publish(
    pool: asyncpg.Pool, url: str, bootstrap: str, topic: str, notes: list[str], *, streams: int = 1, partitions: int = 1
) -> None:
    """One event per note on each stream, published to ``topic`` in order."""
    async with pool.acquire() as conn:
        for n in range(streams):
            for version, note in enumerate(notes):
                await STORE.append(conn, f"s-{n}", "counter", version, [CounterIncremented(by=1, note=note)])
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=2)
    await producer.start()
    relay = OutboxRelay(
        url, "test", topic, lambda: producer, signing_key=TEST_KEY, bootstrap=bootstrap, partitions=partitions
    )
    task = asyncio.create_task(relay.run())
    try:
        async with asyncio.timeout(30):
            while relay.status.published < len(notes) * streams:  # noqa: ASYNC110 - the relay's own counter
                await asyncio.sleep(0.02)
    finally:
        stuck = await stop_tasks([task], within=30)
        await producer.stop()  # before the check, so that a failure leaves no producer open
        assert stuck == [], "a task did not stop"


async def checkpoint(pool: asyncpg.Pool) -> asyncpg.Record:
    """The checkpoint row of the one partition."""
    row: asyncpg.Record | None = await pool.fetchrow("SELECT * FROM test_totals.checkpoints")
    assert row is not None
    return row


async def partitions_at(pool: asyncpg.Pool, last_offsets: list[int]) -> int:
    """How many partitions have their checkpoint's Kafka offset at ``last_offsets[partition]``."""
    if not await pool.fetchval("SELECT to_regclass('test_totals.checkpoints')"):
        return 0
    count: int = await pool.fetchval(
        "SELECT count(*) FROM test_totals.checkpoints WHERE kafka_offset = ($1::bigint[])[partition + 1]", last_offsets
    )
    return count


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
        StallsAtANote(),
        store_pool,
        bootstrap=broker.bootstrap,
        topics={"test": topic},
        verifier=verifier(topic),
        group_id=group,
        max_records=10,
    )
    task = asyncio.create_task(runner.run())
    try:
        async with asyncio.timeout(60):
            while await applied_events(store_pool) < 30 or runner.status.last_error is None:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    finally:
        assert await stop_tasks([task], within=30) == [], "a task did not stop"
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
        CounterTotals(),
        store_pool,
        bootstrap=broker.bootstrap,
        topics={"test": topic},
        verifier=verifier(topic),
        group_id=None,
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
                await producer.send(topic, record.value, key=record.key, partition=0, headers=list(record.headers))
            await producer.flush()
        finally:
            await producer.stop()
        async with asyncio.timeout(30):
            while (after := await checkpoint(store_pool))["kafka_offset"] < 23:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    finally:
        assert await stop_tasks([task], within=30) == [], "a task did not stop"
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


async def test_runners_given_static_partitions_split_the_work_and_may_overlap(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker
) -> None:
    topic = f"t{uuid.uuid4().hex[:8]}.test.events"
    await ensure_topics(broker.bootstrap, [topic], 3)
    await publish(store_pool, fresh_database, broker.bootstrap, topic, [""] * 5, streams=20, partitions=3)
    reader = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap, enable_auto_commit=False)
    await reader.start()
    try:  # how many records each partition holds
        parts = [TopicPartition(topic, p) for p in range(3)]
        reader.assign(parts)
        await reader.seek_to_beginning(*parts)
        held = dict.fromkeys(range(3), 0)
        async with asyncio.timeout(30):
            while sum(held.values()) < 100:
                for tp, records in (await reader.getmany(timeout_ms=1000)).items():
                    held[tp.partition] += len(records)
    finally:
        await reader.stop()
    # Partition 1 belongs to both: its checkpoint lock must keep it from being applied twice.
    first, second = (
        ProjectionRunner(
            CounterTotals(),
            store_pool,
            bootstrap=broker.bootstrap,
            topics={"test": topic},
            verifier=verifier(topic),
            group_id=None,
            partitions=p,
        )
        for p in (frozenset({0, 1}), frozenset({1, 2}))
    )
    tasks = [asyncio.create_task(first.run()), asyncio.create_task(second.run())]
    try:
        async with asyncio.timeout(30):
            while await partitions_at(store_pool, [count - 1 for _, count in sorted(held.items())]) < 3:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    finally:
        assert await stop_tasks(tasks, within=30) == [], "a task did not stop"
    rows = await store_pool.fetch("SELECT stream_id, total, events FROM test_totals.totals")
    applied = await store_pool.fetch("SELECT partition, applied FROM test_totals.checkpoints ORDER BY partition")
    assert all(held.values())
    assert {(r["stream_id"], r["total"], r["events"]) for r in rows} == {(f"s-{n}", 5, 5) for n in range(20)}
    assert [(r["partition"], r["applied"]) for r in applied] == [(p, held[p]) for p in range(3)]
    assert first.status.applied + second.status.applied == 100
    assert {p for _, p in first.status.lag} <= {0, 1}
    assert {p for _, p in second.status.lag} <= {1, 2}

"""The projection runner, dead letters and rebuild against the real broker and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from libs.common.cancellation import stop_tasks
from libs.common.embedded.broker import EmbeddedBroker
from libs.common.event_signing import RecordSigner
from libs.common.eventstore.store import EventStore
from libs.common.projections import dead_letters
from libs.common.projections.rebuild import RebuildProgress, rebuild
from libs.common.projections.runner import ProjectionRunner
from libs.common.relay import OutboxRelay
from tests.support.counter import CounterIncremented
from tests.support.counter_projection import CounterTotals, totals
from tests.support.event_keys import TEST_KEY, verifier

STORE = EventStore("test")


class Rig:
    """A relay publishing the ``test`` store to a fresh topic, and a runner projecting it."""

    def __init__(self, pool: asyncpg.Pool, url: str, bootstrap: str, projection: CounterTotals) -> None:
        self.pool = pool
        self.topic = f"t{uuid.uuid4().hex[:8]}.test.events"
        self.bootstrap = bootstrap
        self.producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=2)
        self.relay = OutboxRelay(
            url, "test", self.topic, lambda: self.producer, signing_key=TEST_KEY, bootstrap=bootstrap, partitions=3
        )
        self.runner = ProjectionRunner(
            projection,
            pool,
            bootstrap=bootstrap,
            topics={"test": self.topic},
            verifier=verifier(self.topic),
            group_id=None,
        )
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self, *, runner: bool = True) -> None:
        await self.producer.start()
        self.tasks.append(asyncio.create_task(self.relay.run()))
        if runner:
            self.tasks.append(asyncio.create_task(self.runner.run()))

    async def stop(self) -> None:
        stuck = await stop_tasks(self.tasks, within=30)
        await self.producer.stop()  # before the check, so that a failure leaves no producer open
        assert stuck == [], "the relay or the runner did not stop"

    async def wait_applied(self, expected_events: int, timeout: float = 30.0) -> None:
        async with asyncio.timeout(timeout):
            while True:
                async with self.pool.acquire() as conn:
                    applied = (
                        await conn.fetchval("SELECT coalesce(sum(events), 0) FROM test_totals.totals")
                        if await conn.fetchval("SELECT to_regclass('test_totals.totals')")
                        else 0
                    )
                    dead = await conn.fetchval("SELECT count(*) FROM test.dead_letters")
                if applied + dead >= expected_events:
                    return
                await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def rig(pool: asyncpg.Pool, url: str, broker: EmbeddedBroker, **kw: bool) -> AsyncIterator[Rig]:
    r = Rig(pool, url, broker.bootstrap, CounterTotals(**kw))
    await r.start()
    try:
        yield r
    finally:
        await r.stop()


async def write(
    pool: asyncpg.Pool, streams: int, per_stream: int, *, by: int = 1, note: str = "", prefix: str = "s"
) -> None:
    async def one(n: int) -> None:
        async with pool.acquire() as conn:
            for v in range(per_stream):
                await STORE.append(conn, f"{prefix}-{n}", "counter", v, [CounterIncremented(by=by, note=note)])

    await asyncio.gather(*(one(n) for n in range(streams)))


async def test_published_events_are_applied_and_checkpointed_per_partition(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker
) -> None:
    async with rig(store_pool, fresh_database, broker) as r:
        await write(store_pool, streams=5, per_stream=12, by=2)
        await r.wait_applied(60)
        async with store_pool.acquire() as conn:
            result = await totals(conn)
            checkpoints = await conn.fetch("SELECT * FROM test_totals.checkpoints")
    assert result == {f"s-{n}": (24, 12, 12) for n in range(5)}
    assert {row["topic"] for row in checkpoints} == {r.topic}
    assert sum(row["applied"] for row in checkpoints) == 60


async def test_redelivered_records_change_nothing(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker
) -> None:
    async with rig(store_pool, fresh_database, broker) as r:
        await write(store_pool, streams=3, per_stream=10)
        await r.wait_applied(30)
        consumer = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap, enable_auto_commit=False)
        await consumer.start()
        try:
            parts = [TopicPartition(r.topic, p) for p in range(3)]
            consumer.assign(parts)
            await consumer.seek_to_beginning(*parts)
            fetched = await consumer.getmany(timeout_ms=2000)
        finally:
            await consumer.stop()
        async with store_pool.acquire() as conn:
            before = await totals(conn)
        for tp, records in fetched.items():  # the whole topic, again, twice
            await r.runner.apply_records(tp.topic, tp.partition, records)
            await r.runner.apply_records(tp.topic, tp.partition, records)
        async with store_pool.acquire() as conn:
            after = await totals(conn)
    assert sum(len(v) for v in fetched.values()) == 30
    assert after == before == {f"s-{n}": (10, 10, 10) for n in range(3)}


async def test_a_relay_that_republishes_everything_causes_no_double_effect(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker
) -> None:
    async with rig(store_pool, fresh_database, broker) as r:
        await write(store_pool, streams=4, per_stream=5)
        await r.wait_applied(20)
        # What the relay does when the broker came back empty: publish from the start again.
        relay_task = r.tasks.pop(0)
        assert await stop_tasks([relay_task], within=30) == [], "a task did not stop"
        async with store_pool.acquire() as conn:
            await conn.execute("UPDATE test.relay_progress SET tx_id = '0', position = 0, partition_offsets = '{}'")
        r.tasks.append(asyncio.create_task(r.relay.run()))
        await write(store_pool, streams=1, per_stream=3, prefix="late")
        await r.wait_applied(23)
        async with asyncio.timeout(15):
            while r.relay.status.published < 23:  # noqa: ASYNC110 - polling the relay's own counter
                await asyncio.sleep(0.05)
        async with asyncio.timeout(15):  # the runner reads the republished copies and skips them
            while r.runner.status.skipped < 20:  # noqa: ASYNC110 - polling the runner's own counter
                await asyncio.sleep(0.05)
        async with store_pool.acquire() as conn:
            result = await totals(conn)
    assert r.runner.status.skipped >= 20
    assert result == {**{f"s-{n}": (5, 5, 5) for n in range(4)}, "late-0": (3, 3, 3)}


async def test_a_poison_event_is_dead_lettered_and_the_rest_is_applied_then_retried(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker
) -> None:
    async with rig(store_pool, fresh_database, broker) as r:
        await write(store_pool, streams=3, per_stream=4)
        async with store_pool.acquire() as conn:
            await STORE.append(conn, "s-1", "counter", 4, [CounterIncremented(by=100, note="poison")])
        await write(store_pool, streams=3, per_stream=2, prefix="after")
        await r.wait_applied(19)
        async with store_pool.acquire() as conn:
            letters = await dead_letters.list_dead_letters(conn, "test", "test_totals")
            result = await totals(conn)
    assert len(letters) == 1
    assert "PoisonError" in letters[0].error
    assert letters[0].type == "test.counter_incremented"
    assert result["s-1"] == (4, 4, 4)
    assert result["after-2"] == (2, 2, 2)

    async with store_pool.acquire() as conn:
        still_poison = await dead_letters.retry(conn, "test", CounterTotals(), letters[0].id)
        assert still_poison is not None
        assert "PoisonError" in still_poison
        assert (await dead_letters.list_dead_letters(conn, "test"))[0].attempts == 2
        assert await dead_letters.retry(conn, "test", CounterTotals(cure_poison=True), letters[0].id) is None
        assert await dead_letters.list_dead_letters(conn, "test") == []
        assert (await totals(conn))["s-1"] == (104, 5, 5)


async def test_discarding_a_dead_letter_removes_it(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker
) -> None:
    async with rig(store_pool, fresh_database, broker) as r:
        await write(store_pool, streams=1, per_stream=1, note="poison")
        await r.wait_applied(1)
    async with store_pool.acquire() as conn:
        [letter] = await dead_letters.list_dead_letters(conn, "test")
        shown = await dead_letters.get_dead_letter(conn, "test", letter.id)
        assert shown is not None
        assert shown.envelope is not None
        assert b"poison" in bytes(shown.envelope)
        assert await dead_letters.discard(conn, "test", letter.id)
        assert not await dead_letters.discard(conn, "test", letter.id)


async def test_rebuild_swaps_in_tables_identical_to_the_live_ones_while_reads_continue(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker
) -> None:
    async with rig(store_pool, fresh_database, broker) as r:
        await write(store_pool, streams=20, per_stream=30, by=3)
        await r.wait_applied(600)
        async with store_pool.acquire() as conn:
            live = await totals(conn)
        seen: list[RebuildProgress] = []
        reads_during: list[int] = []

        async def keep_reading() -> None:
            while True:
                async with store_pool.acquire() as conn:
                    reads_during.append(len(await totals(conn)))
                await asyncio.sleep(0.005)

        reader = asyncio.create_task(keep_reading())
        final = await rebuild(
            CounterTotals(), store_pool, topics={"test": r.topic}, partitions=3, on_progress=seen.append, batch_size=100
        )
        assert await stop_tasks([reader], within=30) == [], "a task did not stop"
        async with store_pool.acquire() as conn:
            rebuilt = await totals(conn)
            schemas = {
                row[0] for row in await conn.fetch("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'test_totals%'")
            }
        # The live runner keeps going after the swap without applying anything twice.
        await write(store_pool, streams=1, per_stream=4, prefix="after")
        await r.wait_applied(604)
        async with store_pool.acquire() as conn:
            after = await totals(conn)
    assert rebuilt == live
    assert final.done == final.total == 600
    assert len(seen) == 6
    assert schemas == {"test_totals"}
    assert reads_during
    assert all(n == 20 for n in reads_during)
    assert after == {**live, "after-0": (4, 4, 4)}


async def test_lag_is_reported_per_partition(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker
) -> None:
    async with rig(store_pool, fresh_database, broker) as r:
        await write(store_pool, streams=6, per_stream=5)
        await r.wait_applied(30)
        async with asyncio.timeout(15):  # the next fetches tell the runner the high-water marks
            while not (lag := r.runner.lag_snapshot()) or any(e.events != 0 for e in lag):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
    assert {entry.topic for entry in lag} == {r.topic}
    assert sum((entry.applied_offset or 0) + 1 for entry in lag) == 30
    assert all(entry.events == 0 for entry in lag)
    assert all(entry.seconds == 0.0 for entry in lag)


async def test_a_runner_in_a_consumer_group_applies_too(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker
) -> None:
    r = Rig(store_pool, fresh_database, broker.bootstrap, CounterTotals())
    r.runner = ProjectionRunner(
        CounterTotals(),
        store_pool,
        bootstrap=broker.bootstrap,
        topics={"test": r.topic},
        verifier=verifier(r.topic),
        group_id=f"g-{uuid.uuid4().hex[:6]}",
    )
    await r.start()
    try:
        await write(store_pool, streams=2, per_stream=5)
        await r.wait_applied(10, timeout=60)
        async with store_pool.acquire() as conn:
            assert await totals(conn) == {"s-0": (5, 5, 5), "s-1": (5, 5, 5)}
    finally:
        await r.stop()


async def test_a_record_that_is_not_an_envelope_is_dead_lettered_and_the_partition_goes_on(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker
) -> None:
    async with rig(store_pool, fresh_database, broker) as r:
        await write(store_pool, streams=2, per_stream=3)
        await r.wait_applied(6)
        # Signed, as a broken relay would: the signature holds and the value is still garbage.
        signer = RecordSigner(TEST_KEY, r.topic)
        for partition in range(3):
            signature = signer.header(b"not json at all", partition)
            await r.producer.send_and_wait(r.topic, b"not json at all", partition=partition, headers=[signature])
        await write(store_pool, streams=2, per_stream=2, prefix="after")
        await r.wait_applied(13)  # 10 events + 3 dead letters
        async with store_pool.acquire() as conn:
            letters = await dead_letters.list_dead_letters(conn, "test")
            result = await totals(conn)
    assert [letter.type for letter in letters] == ["undecodable"] * 3
    assert all("DecodeError" in letter.error for letter in letters)
    assert result["after-1"] == (2, 2, 2)


async def test_a_stored_offset_that_points_past_unapplied_events_is_not_trusted(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker
) -> None:
    """What a log with republished copies, or a broker that came back empty, can do to an
    offset: the record there is not the last one applied. The runner must read from the start."""
    r = Rig(store_pool, fresh_database, broker.bootstrap, CounterTotals())
    await r.start()
    try:
        await write(store_pool, streams=6, per_stream=5)
        await r.wait_applied(30)
        runner_task = r.tasks.pop()
        assert await stop_tasks([runner_task], within=30) == [], "a task did not stop"
        async with store_pool.acquire() as conn:
            # Forget everything applied, but keep offsets that point at the last records.
            await conn.execute("UPDATE test_totals.checkpoints SET tx_id = 0, position = 0, applied = 0")
            await conn.execute("TRUNCATE test_totals.totals")
        r.runner = ProjectionRunner(
            CounterTotals(),
            store_pool,
            bootstrap=broker.bootstrap,
            topics={"test": r.topic},
            verifier=verifier(r.topic),
            group_id=None,
        )
        r.tasks.append(asyncio.create_task(r.runner.run()))
        await r.wait_applied(30)
        async with store_pool.acquire() as conn:
            assert await totals(conn) == {f"s-{n}": (5, 5, 5) for n in range(6)}
    finally:
        await r.stop()

"""The outbox relay against the real embedded broker and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import asyncpg
import msgspec
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from contracts.envelope import Envelope
from libs.common.cancellation import stop_tasks
from libs.common.embedded.broker import EmbeddedBroker
from libs.common.eventstore.store import EventStore
from libs.common.relay import OutboxRelay
from tests.support.counter import CounterIncremented
from tests.support.event_keys import TEST_KEY

STORE = EventStore("test")


@contextlib.asynccontextmanager
async def running(relay: OutboxRelay) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(relay.run())
    try:
        yield task
    finally:
        assert await stop_tasks([task], within=30) == [], "the relay did not stop"


@contextlib.asynccontextmanager
async def producer_for(bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=2)
    await producer.start()
    try:
        yield producer
    finally:
        await producer.stop()


async def read_topic(
    bootstrap: str, topic: str, expected: int, timeout: float = 20.0, *, distinct: bool = False
) -> list[tuple[int, Envelope, dict[str, bytes]]]:
    """Read until ``expected`` records (or distinct events, where redelivery is allowed) arrived."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    seen: list[tuple[int, Envelope, dict[str, bytes]]] = []
    try:
        async with asyncio.timeout(timeout):
            while (len({e.event_id for _, e, _ in seen}) if distinct else len(seen)) < expected:
                batches = await consumer.getmany(timeout_ms=200)
                for tp, records in batches.items():
                    for r in records:
                        assert r.value is not None
                        seen.append((tp.partition, msgspec.json.decode(r.value, type=Envelope), dict(r.headers)))
    finally:
        await consumer.stop()
    return seen


async def append_many(pool: asyncpg.Pool, streams: int, per_stream: int, prefix: str = "s") -> None:
    async def one(stream: int) -> None:
        async with pool.acquire() as conn:
            for v in range(per_stream):
                await STORE.append(conn, f"{prefix}-{stream}", "counter", v, [CounterIncremented(by=1)])

    await asyncio.gather(*(one(n) for n in range(streams)))


def make_relay(url: str, topic: str, bootstrap: str, producer: Callable[[], AIOKafkaProducer | None]) -> OutboxRelay:
    return OutboxRelay(
        url, "test", topic, producer, signing_key=TEST_KEY, bootstrap=bootstrap, partitions=3, batch_size=50
    )


async def test_every_committed_event_is_published_once_keyed_by_stream_in_stream_order(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker
) -> None:
    topic = f"t{uuid.uuid4().hex[:8]}.test.events"
    await append_many(store_pool, streams=6, per_stream=20)
    async with (
        producer_for(broker.bootstrap) as producer,
        running(make_relay(fresh_database, topic, broker.bootstrap, lambda: producer)),
    ):
        seen = await read_topic(broker.bootstrap, topic, 120)
    assert len(seen) == 120
    assert len({env.event_id for _, env, _ in seen}) == 120
    by_stream: dict[str, list[tuple[int, int]]] = {}
    for partition, env, headers in seen:
        by_stream.setdefault(env.stream_id, []).append((partition, env.version))
        assert headers["event_type"] == b"test.counter_incremented"
        assert headers["event_id"] == str(env.event_id).encode()
        assert headers["stream_id"] == env.stream_id.encode()
    for versions in by_stream.values():
        assert len({p for p, _ in versions}) == 1, "one stream, one partition"
        assert [v for _, v in versions] == list(range(1, 21))


async def test_an_open_transaction_holds_back_itself_and_everything_after_it(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker
) -> None:
    topic = f"t{uuid.uuid4().hex[:8]}.test.events"
    relay = make_relay(fresh_database, topic, broker.bootstrap, lambda: producer)
    async with producer_for(broker.bootstrap) as producer, running(relay):
        async with store_pool.acquire() as slow, slow.transaction():
            await STORE.append(slow, "slow", "counter", 0, [CounterIncremented(by=1)])
            await append_many(store_pool, streams=2, per_stream=3)
            await asyncio.sleep(1.5)
            assert relay.status.published == 0
        seen = await read_topic(broker.bootstrap, topic, 7)
    assert sorted(env.stream_id for _, env, _ in seen) == ["s-0"] * 3 + ["s-1"] * 3 + ["slow"]


async def test_an_event_hidden_by_an_older_transaction_is_published_as_soon_as_that_one_ends(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker
) -> None:
    # The notification of a commit can arrive while an older transaction (any service's, in
    # the same cluster) still hides the event from the commit-safe read; no second
    # notification follows when that transaction ends, so the relay must look again on its own
    # well before its one-second idle wait.
    topic = f"t{uuid.uuid4().hex[:8]}.test.events"
    relay = make_relay(fresh_database, topic, broker.bootstrap, lambda: producer)
    async with producer_for(broker.bootstrap) as producer, running(relay):
        await append_many(store_pool, streams=1, per_stream=1, prefix="first")
        await read_topic(broker.bootstrap, topic, 1)
        async with store_pool.acquire() as older:
            transaction = older.transaction()
            await transaction.start()
            await older.fetchval("SELECT pg_current_xact_id()")  # holds the snapshot's xmin
            await append_many(store_pool, streams=1, per_stream=1, prefix="hidden")
            await asyncio.sleep(0.3)
            assert relay.status.published == 1
            await transaction.commit()
            ended = time.monotonic()
        while relay.status.published < 2:  # noqa: ASYNC110 - watching the relay's own counter
            await asyncio.sleep(0.005)
        delay = time.monotonic() - ended
    assert delay < 0.4, f"published {delay:.3f} s after the older transaction ended"


async def test_commands_keep_working_while_the_broker_is_down_and_the_relay_catches_up(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker
) -> None:
    topic = f"t{uuid.uuid4().hex[:8]}.test.events"
    available: list[AIOKafkaProducer] = []
    relay = make_relay(fresh_database, topic, broker.bootstrap, lambda: available[0] if available else None)
    async with running(relay):
        await append_many(store_pool, streams=3, per_stream=10)  # no producer: broker "down"
        await asyncio.sleep(1.0)
        assert relay.status.published == 0
        async with producer_for(broker.bootstrap) as producer:
            available.append(producer)
            seen = await read_topic(broker.bootstrap, topic, 30)
    assert len({env.event_id for _, env, _ in seen}) == 30


async def test_a_broker_that_restarts_empty_gets_every_event_again(
    store_pool: asyncpg.Pool, fresh_database: str, tmp_path: Path
) -> None:
    topic = "restart.test.events"
    first = EmbeddedBroker(tmp_path / "b1.log")
    first.start()
    port = first.port
    relay = make_relay(fresh_database, topic, first.bootstrap, lambda: producers[-1] if producers else None)
    producers: list[AIOKafkaProducer] = []
    second: EmbeddedBroker | None = None
    try:
        async with running(relay):
            async with producer_for(first.bootstrap) as producer:
                producers.append(producer)
                await append_many(store_pool, streams=4, per_stream=10)
                assert len(await read_topic(first.bootstrap, topic, 40)) == 40
                producers.clear()
            first.stop()
            second = EmbeddedBroker(tmp_path / "b2.log", port=port)
            second.start()
            async with producer_for(second.bootstrap) as producer:
                producers.append(producer)
                await append_many(store_pool, streams=1, per_stream=5, prefix="after")
                seen = await read_topic(second.bootstrap, topic, 45, timeout=30, distinct=True)
                producers.clear()
    finally:
        first.stop()
        if second is not None:
            second.stop()
    assert len({env.event_id for _, env, _ in seen}) == 45
    assert relay.status.republished == 1


async def test_only_one_relay_is_active_and_a_standby_takes_over_when_it_dies(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker
) -> None:
    topic = f"t{uuid.uuid4().hex[:8]}.test.events"
    async with producer_for(broker.bootstrap) as producer:
        relays = [make_relay(fresh_database, topic, broker.bootstrap, lambda: producer) for _ in range(2)]
        tasks = [asyncio.create_task(r.run()) for r in relays]
        try:
            async with asyncio.timeout(10):
                while not any(r.status.active for r in relays):  # noqa: ASYNC110 - polling relay status
                    await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)  # give the other one every chance to (wrongly) become active too
            assert [r.status.active for r in relays].count(True) == 1
            leader = 0 if relays[0].status.active else 1
            standby = relays[1 - leader]
            await append_many(store_pool, streams=2, per_stream=5)
            await read_topic(broker.bootstrap, topic, 10)
            tasks[leader].cancel()  # its session ends, and with it the advisory lock
            async with asyncio.timeout(10):
                while not standby.status.active:  # noqa: ASYNC110 - polling a status the relay exposes
                    await asyncio.sleep(0.05)
            await append_many(store_pool, streams=1, per_stream=5, prefix="later")
            seen = await read_topic(broker.bootstrap, topic, 15, distinct=True)
        finally:
            assert await stop_tasks(tasks, within=30) == [], "a task did not stop"
    assert len({env.event_id for _, env, _ in seen}) == 15


async def test_an_idle_relay_checks_the_broker_without_republishing_anything(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker
) -> None:
    topic = f"t{uuid.uuid4().hex[:8]}.test.events"
    async with producer_for(broker.bootstrap) as producer:
        relay = OutboxRelay(
            fresh_database,
            "test",
            topic,
            lambda: producer,
            signing_key=TEST_KEY,
            bootstrap=broker.bootstrap,
            partitions=3,
            batch_size=7,
            idle_check_seconds=0.3,
        )
        async with running(relay):
            await append_many(store_pool, streams=5, per_stream=8)
            await read_topic(broker.bootstrap, topic, 40)
            await asyncio.sleep(3.0)  # several idle checks
            await append_many(store_pool, streams=1, per_stream=3, prefix="more")
            seen = await read_topic(broker.bootstrap, topic, 43)
            await asyncio.sleep(1.0)
            assert relay.status.republished == 0
            assert relay.status.published == 43
    assert len(seen) == 43

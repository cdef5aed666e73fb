"""A projection scaled out over a consumer group: workers killed, partitions rebalanced,
every event applied exactly once.

Three workers (processes of their own, ``tests.support.projection_worker`` with a group id)
share a 3-partition topic, one partition each once the group has settled. One of them is
SIGKILLed while events are flowing; the group notices it is gone (its session times out),
gives its partition to a survivor, and the survivor resumes from the last committed Kafka
offset, which lies at or before what the dead worker applied: the checkpoints in PostgreSQL
make it skip what was applied already. CounterTotals adds ``by`` to a total with no guard
of its own, so an event applied twice or lost shows in the numbers.
"""

from __future__ import annotations

import asyncio
import random
import re
import uuid
from pathlib import Path

import asyncpg
import pytest

from libs.common.embedded.broker import EmbeddedBroker
from libs.common.eventstore.store import EventStore
from libs.common.kafka import ensure_topics
from tests.support.counter import CounterIncremented
from tests.support.counter_projection import totals
from tests.support.worker_process import Worker, relaying

pytestmark = pytest.mark.slow

STORE = EventStore("test")
PARTITIONS = 3
STREAMS, PER_STREAM = 30, 10
EVENTS = STREAMS * PER_STREAM
ASSIGNED = re.compile(r"partitions assigned: (.*)$", re.MULTILINE)

Totals = dict[str, tuple[int, int, int]]


def assignment(worker: Worker) -> frozenset[str]:
    """The partitions the group last gave ``worker`` (as ``topic[n]``), from its log."""
    found = ASSIGNED.findall(worker.output())
    return frozenset() if not found or found[-1] == "none" else frozenset(found[-1].split())


async def settled(workers: list[Worker], partitions: set[str], timeout: float) -> None:
    """Until the workers' last assignments are disjoint, each non-empty, and cover ``partitions``."""
    async with asyncio.timeout(timeout):
        while True:
            held = [assignment(w) for w in workers]
            if all(held) and sum(len(h) for h in held) == len(partitions) and frozenset().union(*held) == partitions:
                return
            assert all(w.alive for w in workers), "a worker exited on its own"
            await asyncio.sleep(0.1)


async def append(pool: asyncpg.Pool, rng: random.Random, expected: Totals, rounds: range) -> None:
    """One event per stream per round, a round at a time, so the events keep flowing."""
    async with pool.acquire() as conn:
        for version in rounds:
            for n in range(STREAMS):
                stream, by = f"c-{n:02d}", rng.randint(-50, 1000)
                await STORE.append(conn, stream, "counter", version, [CounterIncremented(by=by)])
                total, events, _ = expected.get(stream, (0, 0, 0))
                expected[stream] = (total + by, events + 1, version + 1)
            await asyncio.sleep(0.05)


async def applied(pool: asyncpg.Pool) -> tuple[int, int]:
    """Events the live table has counted, and streams whose last event (PER_STREAM) is in."""
    async with pool.acquire() as conn:
        if not await conn.fetchval("SELECT to_regclass('test_totals.totals')"):
            return 0, 0
        row = await conn.fetchrow(
            "SELECT coalesce(sum(events), 0) AS events, count(*) FILTER (WHERE last_version = $1) AS done "
            "FROM test_totals.totals",
            PER_STREAM,
        )
        assert row is not None  # an aggregate always answers one row
        return row["events"], row["done"]


async def until(pool: asyncpg.Pool, *, events: int = 0, streams: int = 0, timeout: float) -> int:
    """Until at least ``events`` are counted and ``streams`` have their last event; returns the count.

    Events of a stream are applied in order, so once every stream has its last one the whole
    log has been read, whether or not it was counted right on the way."""
    async with asyncio.timeout(timeout):
        while True:
            count, done = await applied(pool)
            if count >= events and done >= streams:
                return count
            await asyncio.sleep(0.02)


async def test_a_group_of_workers_applies_every_event_once_after_one_is_killed_and_the_group_rebalances(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker, tmp_path: Path
) -> None:
    rng = random.Random(20_261_207)
    topic, group = f"t{uuid.uuid4().hex[:8]}.test.events", f"g-{uuid.uuid4().hex[:6]}"
    partitions = {f"{topic}[{p}]" for p in range(PARTITIONS)}
    await ensure_topics(broker.bootstrap, [topic], PARTITIONS)
    workers = [
        Worker(fresh_database, broker.bootstrap, topic, tmp_path / f"worker-{n}.log", group=group)
        for n in range(PARTITIONS)
    ]
    expected: Totals = {}
    try:
        async with relaying(fresh_database, broker.bootstrap, topic, PARTITIONS):
            for worker in workers:
                await worker.start()
            await settled(workers, partitions, timeout=60)
            victim, survivors = workers[0], workers[1:]
            lost = assignment(victim)

            feeding = asyncio.create_task(append(store_pool, rng, expected, range(PER_STREAM)))
            await until(store_pool, events=EVENTS // 3, timeout=30)  # killed mid-stream
            await victim.kill()
            at_kill, _ = await applied(store_pool)
            await feeding

            await settled(survivors, partitions, timeout=60)
            await until(store_pool, streams=STREAMS, timeout=60)
            async with store_pool.acquire() as conn:
                live = await totals(conn)
                checkpointed = await conn.fetchval("SELECT sum(applied) FROM test_totals.checkpoints")
            took_over = [w for w in survivors if assignment(w) & lost]
            survived = all(w.alive for w in survivors)
    finally:
        for worker in workers:
            await worker.kill()
            worker.close()

    logs = "\n".join(w.output()[-2000:] for w in workers)
    assert at_kill < EVENTS, "the kill landed after every event was applied"
    assert took_over, f"no survivor took over {sorted(lost)}:\n{logs}"
    assert survived, logs
    assert "Traceback" not in logs
    assert live == expected
    assert checkpointed == EVENTS

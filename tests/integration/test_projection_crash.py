"""A projection SIGKILLed at random points ends identical to a from-scratch rebuild.

The acceptance test for exactly-once effect under crashes. CounterTotals adds ``by`` to a
total with no guard of its own, so a batch applied twice (or lost) shows in the numbers.
The projection runs as a subprocess (``tests.support.projection_worker``) that is killed
with SIGKILL at random moments while it works through 50,000 events, and started again each
time: nothing in it gets to clean up, a transaction open at the kill is simply lost. When
it has caught up, its table must equal a rebuild from the event store and the totals this
test computes itself from what it appended.

Left alone, the runner gets through a 500-event batch in about 15 ms, and most random kills
would land after it had finished. Triggers therefore make each batch linger twice inside its
transaction, LINGER_SECONDS each: once when it starts writing its effects and once when it
writes its checkpoint. The work then takes long enough to be interrupted many times, and
most kills land where it matters. A runner that committed effects and checkpoint separately
would, in one order, apply batches twice, in the other lose them; this one must roll back
both together.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from libs.common.embedded.broker import EmbeddedBroker
from libs.common.eventstore.store import EventStore
from libs.common.kafka import ensure_topics
from libs.common.projections.projection import ensure_schema
from libs.common.projections.rebuild import rebuild
from tests.support.counter import CounterIncremented
from tests.support.counter_projection import CounterTotals, totals
from tests.support.projection_worker import APPLICATION
from tests.support.worker_process import Worker, relaying

pytestmark = pytest.mark.slow

STORE = EventStore("test")
STREAMS, PER_STREAM = 500, 100
EVENTS = STREAMS * PER_STREAM
PARTITIONS = 3
SEED = 20_260_611
MIN_KILLS, MAX_KILLS = 4, 15
"""At least MIN_KILLS, and more until a run got through every event (but no more than MAX_KILLS)."""
STALL_SECONDS = 15.0
"""No progress for this long while events are missing: they are not coming."""
LINGER_SECONDS = 0.03
"""How long a batch pauses inside its transaction, at its first effect and at its checkpoint."""

Totals = dict[str, tuple[int, int, int]]
"""stream_id -> (total, events, last_version), as ``counter_projection.totals`` reads them."""


@dataclass(frozen=True)
class Kill:
    after_seconds: float
    applied_at_start: int
    """Events the live table had counted when this run of the worker started."""
    applied_at_kill: int
    """What the killed run left committed (read once its sessions were gone)."""
    rolled_back: int
    """Transactions of the worker that PostgreSQL rolled back when its connection vanished."""

    @property
    def mid_way(self) -> bool:
        """The run had applied some events and had not finished."""
        return self.applied_at_start < self.applied_at_kill < EVENTS


def chunk_sizes(rng: random.Random, total: int, low: int = 25, high: int = 100) -> list[int]:
    """Random sizes between ``low`` and ``high`` adding up to ``total`` (at least ``low``)."""
    sizes = []
    while total > 0:
        size = rng.randint(low, high)
        if total - size < low:  # what would be left is too small for a chunk of its own
            size = total if total <= high else total - low
        sizes.append(size)
        total -= size
    return sizes


async def append_events(pool: asyncpg.Pool, rng: random.Random) -> Totals:
    """Append STREAMS x PER_STREAM events in chunks; return the totals they must add up to."""
    amounts = {f"c-{n:03d}": [rng.randint(-50, 1000) for _ in range(PER_STREAM)] for n in range(STREAMS)}
    chunks = {stream: chunk_sizes(rng, PER_STREAM) for stream in amounts}

    async def one(stream: str) -> None:
        async with pool.acquire() as conn:
            version = 0
            for size in chunks[stream]:
                events = [CounterIncremented(by=by) for by in amounts[stream][version : version + size]]
                await STORE.append(conn, stream, "counter", version, events)
                version += size

    await asyncio.gather(*(one(stream) for stream in amounts))
    return {stream: (sum(by), len(by), len(by)) for stream, by in amounts.items()}


async def linger_inside_every_batch(pool: asyncpg.Pool) -> None:
    """Create the projection's schema as the runner would, with triggers that pause a batch
    when it first writes to the totals and when it writes its checkpoint.

    Only the live schema has them: a rebuild writes fresh tables and swaps them in.
    """
    async with pool.acquire() as conn:
        await ensure_schema(conn, CounterTotals())
        await conn.execute(f"""
            CREATE FUNCTION test_totals.linger() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                flag text := 'tinhso_test.lingered_' || TG_TABLE_NAME;
            BEGIN
                -- Once per transaction and table: the totals upsert runs once per row.
                IF coalesce(current_setting(flag, true), '') = '' THEN
                    PERFORM set_config(flag, 'yes', true);
                    PERFORM pg_sleep({LINGER_SECONDS});
                END IF;
                RETURN NULL;
            END $$;
            CREATE TRIGGER linger AFTER INSERT OR UPDATE ON test_totals.totals
                FOR EACH STATEMENT EXECUTE FUNCTION test_totals.linger();
            CREATE TRIGGER linger AFTER INSERT OR UPDATE ON test_totals.checkpoints
                FOR EACH STATEMENT EXECUTE FUNCTION test_totals.linger();
        """)


async def applied(pool: asyncpg.Pool) -> int:
    """Events the live table has counted so far (0 before the worker created it)."""
    async with pool.acquire() as conn:
        if not await conn.fetchval("SELECT to_regclass('test_totals.totals')"):
            return 0
        count: int = await conn.fetchval("SELECT coalesce(sum(events), 0) FROM test_totals.totals")
        return count


async def rollbacks(pool: asyncpg.Pool) -> int:
    async with pool.acquire() as conn:
        count: int = await conn.fetchval(
            "SELECT xact_rollback FROM pg_stat_database WHERE datname = current_database()"
        )
        return count


async def wait_for_worker_sessions_to_end(pool: asyncpg.Pool, timeout: float = 10.0) -> None:
    """A killed client's backend notices, rolls back what was open, flushes its statistics
    and only then leaves ``pg_stat_activity``: afterwards ``xact_rollback`` includes it."""
    async with asyncio.timeout(timeout), pool.acquire() as conn:
        while True:
            left = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1",
                f"tinhso-{APPLICATION}",
            )
            if not left:
                return
            await asyncio.sleep(0.02)


async def wait_until_every_stream_is_applied(
    pool: asyncpg.Pool, worker: Worker, expected: Totals, timeout: float
) -> None:
    """Until the live table has applied the last event of every stream.

    Events of a stream are applied in order, so this is where the worker has come to the end
    of the log, whether or not it counted correctly on the way (waiting for the event count
    to reach EVENTS would stop early on a runner that applied some batch twice). Fails at
    once when more events are counted than exist, and when nothing has moved for
    STALL_SECONDS while events are missing: those are not coming.
    """
    progress, since = -1, time.monotonic()
    try:
        async with asyncio.timeout(timeout), pool.acquire() as conn:
            while True:
                live = await totals(conn)
                done = sum(1 for _, _, version in live.values() if version == PER_STREAM)
                count = sum(events for _, events, _ in live.values())
                if done == STREAMS:
                    return
                assert count <= EVENTS, f"{count} events counted, {EVENTS} exist: {differences(live, expected)}"
                assert worker.alive, f"the worker exited on its own:\n{worker.output()[-3000:]}"
                if count != progress:
                    progress, since = count, time.monotonic()
                assert time.monotonic() - since < STALL_SECONDS, (
                    f"stuck at {count} of {EVENTS} events, {STREAMS - done} streams short of their last event"
                )
                await asyncio.sleep(0.1)
    except TimeoutError:
        raise AssertionError(f"the worker has not reached the last event of every stream in {timeout} s") from None


def differences(actual: Totals, expected: Totals) -> str:
    wrong = sorted(s for s in actual.keys() | expected.keys() if actual.get(s) != expected.get(s))
    shown = ", ".join(f"{s}: {actual.get(s)} instead of {expected.get(s)}" for s in wrong[:5])
    return f"{len(wrong)} of {len(expected)} streams differ (total, events, last_version), e.g. {shown}"


async def began_applying(pool: asyncpg.Pool, at_start: int, patience: float = 30.0) -> None:
    """Returns once the started worker has applied something (or after ``patience``): the random
    delay before a kill counts from there, so a slow start on a loaded machine (importing the
    runner takes seconds then) does not use it up before any work began."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(patience):
            while at_start < EVENTS and await applied(pool) <= at_start:  # noqa: ASYNC110 - polled, as the test's other waits
                await asyncio.sleep(0.05)


async def test_a_projection_killed_at_random_points_during_50k_events_ends_identical_to_a_rebuild(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    expected = await append_events(store_pool, rng)
    assert sum(events for _, events, _ in expected.values()) == EVENTS

    topic = f"t{uuid.uuid4().hex[:8]}.test.events"
    await ensure_topics(broker.bootstrap, [topic], PARTITIONS)
    await linger_inside_every_batch(store_pool)
    worker = Worker(fresh_database, broker.bootstrap, topic, tmp_path / "projection-worker.log")
    kills: list[Kill] = []
    try:
        async with relaying(fresh_database, broker.bootstrap, topic, PARTITIONS) as relay:
            while len(kills) < MAX_KILLS and (len(kills) < MIN_KILLS or await applied(store_pool) < EVENTS):
                at_start = await applied(store_pool)
                await worker.start()
                await began_applying(store_pool, at_start)
                delay = rng.uniform(0.3, 2.5)
                await asyncio.sleep(delay)
                rolled_back_before = await rollbacks(store_pool)
                await worker.kill()
                await wait_for_worker_sessions_to_end(store_pool)
                rolled_back = await rollbacks(store_pool) - rolled_back_before
                kills.append(Kill(delay, at_start, await applied(store_pool), rolled_back))

            await worker.start()
            await wait_until_every_stream_is_applied(store_pool, worker, expected, timeout=120.0)
            async with store_pool.acquire() as conn:
                live = await totals(conn)
                checkpointed = await conn.fetchval("SELECT sum(applied) FROM test_totals.checkpoints")
                dead = await conn.fetchval("SELECT count(*) FROM test.dead_letters")

            await rebuild(CounterTotals(), store_pool, topics={"test": topic}, partitions=PARTITIONS)
            async with store_pool.acquire() as conn:
                rebuilt = await totals(conn)
            still_running = worker.alive
            republished = relay.status.republished
    finally:
        await worker.kill()
        worker.close()

    story = f"kills: {kills}; relay republished {republished} time(s)"
    assert any(k.mid_way for k in kills), f"no kill landed while the worker was part-way through: {story}"
    assert any(k.rolled_back for k in kills), f"no kill landed inside a batch's transaction: {story}"
    assert still_running, worker.output()[-3000:]
    assert "Traceback" not in worker.output()
    assert "ERROR" not in worker.output()
    assert dead == 0
    assert rebuilt == expected, differences(rebuilt, expected)
    assert live == rebuilt, f"{differences(live, rebuilt)}; {story}"
    assert checkpointed == EVENTS, story

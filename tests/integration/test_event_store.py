"""The event store against a real PostgreSQL: versions, concurrency, commit order, idempotency."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from contracts.envelope import Metadata
from libs.common.errors import InvalidInputError
from libs.common.eventstore.commands import CommandExecutor
from libs.common.eventstore.errors import ConcurrencyError, IdempotencyKeyReusedError
from libs.common.eventstore.idempotency import IdempotencyKey
from libs.common.eventstore.store import START, EventStore
from tests.support.counter import CATALOGUE, COUNTER, CounterIncremented, Increment

STORE = EventStore("test")


async def test_appended_events_load_back_in_version_order_with_their_metadata(store_pool: asyncpg.Pool) -> None:
    meta = Metadata(actor="op-1", partner="VNPT")
    async with store_pool.acquire() as conn:
        first = await STORE.append(conn, "c-1", "counter", 0, [CounterIncremented(by=1)], metadata=meta)
        await STORE.append(conn, "c-1", "counter", 1, [CounterIncremented(by=2), CounterIncremented(by=3)])
        loaded = await STORE.load(conn, "c-1")
    assert [e.version for e in loaded] == [1, 2, 3]
    assert [CATALOGUE.decode(e.type, e.schema_version, e.data) for e in loaded] == [
        CounterIncremented(by=1),
        CounterIncremented(by=2),
        CounterIncremented(by=3),
    ]
    assert loaded[0].event_id == first[0].event_id
    assert (loaded[0].actor, loaded[0].partner) == ("op-1", "VNPT")
    assert loaded[0].type == "test.counter_incremented"


async def test_concurrent_appends_to_one_stream_let_exactly_one_writer_win_each_version(
    store_pool: asyncpg.Pool,
) -> None:
    async def writer(n: int) -> bool:
        async with store_pool.acquire() as conn:
            try:
                await STORE.append(conn, "race", "counter", 0, [CounterIncremented(by=n)])
            except ConcurrencyError:
                return False
            return True

    outcomes = await asyncio.gather(*(writer(n) for n in range(10)))
    assert outcomes.count(True) == 1
    async with store_pool.acquire() as conn:
        assert [e.version for e in await STORE.load(conn, "race")] == [1]


async def test_an_expected_version_that_is_behind_or_ahead_of_the_stream_is_a_conflict(
    store_pool: asyncpg.Pool,
) -> None:
    async with store_pool.acquire() as conn:
        await STORE.append(conn, "c-2", "counter", 0, [CounterIncremented(by=1), CounterIncremented(by=1)])
        with pytest.raises(ConcurrencyError):
            await STORE.append(conn, "c-2", "counter", 1, [CounterIncremented(by=1)])
        with pytest.raises(ConcurrencyError):
            await STORE.append(conn, "c-2", "counter", 5, [CounterIncremented(by=1)])
        assert await STORE.current_version(conn, "c-2") == 2


async def test_the_events_table_refuses_updates_and_deletes(store_pool: asyncpg.Pool) -> None:
    async with store_pool.acquire() as conn:
        await STORE.append(conn, "c-3", "counter", 0, [CounterIncremented(by=1)])
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute("UPDATE test.events SET stream_id = 'x'")
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute("DELETE FROM test.events")
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute("TRUNCATE test.events")


async def test_a_reader_never_skips_an_event_whose_transaction_commits_late(store_pool: asyncpg.Pool) -> None:
    """The gap problem: a later position commits first; the earlier one must not be lost."""
    slow = await store_pool.acquire()
    fast = await store_pool.acquire()
    reader = await store_pool.acquire()
    try:
        slow_tx = slow.transaction()
        await slow_tx.start()
        await STORE.append(slow, "slow", "counter", 0, [CounterIncremented(by=1)])
        for n in range(3):
            await STORE.append(fast, f"fast-{n}", "counter", 0, [CounterIncremented(by=1)])

        # While the slow transaction is open nothing after it may be handed out, even though
        # three later transactions have committed: handing them out would move the reader's
        # checkpoint past the slow event's position.
        assert await STORE.read_committed(reader, START) == []

        await slow_tx.commit()
        seen = await STORE.read_committed(reader, START)
        assert [e.stream_id for e in seen] == ["slow", "fast-0", "fast-1", "fast-2"]
        positions = [e.source_position for e in seen]
        assert positions == sorted(positions)
        assert await STORE.read_committed(reader, positions[-1]) == []
    finally:
        for conn in (slow, fast, reader):
            await store_pool.release(conn)


async def test_reading_in_batches_returns_every_committed_event_once_in_order(store_pool: asyncpg.Pool) -> None:
    async def write(stream: int) -> None:
        async with store_pool.acquire() as conn:
            for v in range(5):
                await STORE.append(conn, f"s-{stream}", "counter", v, [CounterIncremented(by=v)])

    await asyncio.gather(*(write(n) for n in range(8)))
    seen = []
    after = START
    async with store_pool.acquire() as conn:
        while batch := await STORE.read_committed(conn, after, limit=7):
            seen.extend(batch)
            after = batch[-1].source_position
    assert len(seen) == 40
    assert len({e.event_id for e in seen}) == 40
    assert [e.source_position for e in seen] == sorted(e.source_position for e in seen)


async def test_commands_retry_on_conflict_so_concurrent_increments_all_land(store_pool: asyncpg.Pool) -> None:
    # Unbatched: each command loads and appends on its own, as commands of different processes
    # do, so they conflict and retry (batched, one process's commands on a stream never do).
    executor = CommandExecutor(store_pool, "test", CATALOGUE, batched=False)
    results = await asyncio.gather(
        *(executor.execute(COUNTER, "shared", Increment(by=1), retries=50) for _ in range(16))
    )
    assert sorted(r.version for r in results) == list(range(1, 17))
    async with store_pool.acquire() as conn:
        assert await STORE.current_version(conn, "shared") == 16


async def test_a_refused_command_appends_nothing(store_pool: asyncpg.Pool) -> None:
    executor = CommandExecutor(store_pool, "test", CATALOGUE)
    await executor.execute(COUNTER, "limited", Increment(by=3, limit=5))
    with pytest.raises(InvalidInputError, match="limit of 5"):
        await executor.execute(COUNTER, "limited", Increment(by=3, limit=5))
    async with store_pool.acquire() as conn:
        assert await STORE.current_version(conn, "limited") == 1


async def test_the_same_idempotency_key_returns_the_first_result_and_appends_nothing(store_pool: asyncpg.Pool) -> None:
    executor = CommandExecutor(store_pool, "test", CATALOGUE)
    command = Increment(by=2)
    key = IdempotencyKey.for_request("partner:vnpt", "req-1", command)
    results = await asyncio.gather(
        *(executor.execute(COUNTER, "idem", command, idempotency=key, retries=10) for _ in range(5))
    )
    async with store_pool.acquire() as conn:
        stored = [e.event_id for e in await STORE.load(conn, "idem")]
    assert len(stored) == 1
    assert all(r.event_ids == stored for r in results)
    assert sum(not r.replayed for r in results) == 1
    replay = await executor.execute(COUNTER, "idem", command, idempotency=key)
    assert replay.replayed
    assert replay.event_ids == stored
    other = IdempotencyKey.for_request("partner:vnpt", "req-1", Increment(by=9))
    with pytest.raises(IdempotencyKeyReusedError):
        await executor.execute(COUNTER, "idem", Increment(by=9), idempotency=other)
    different_principal = IdempotencyKey.for_request("partner:viettel", "req-1", command)
    assert not (await executor.execute(COUNTER, "idem", command, idempotency=different_principal)).replayed

"""Group commit against a real PostgreSQL: concurrent single-stream commands stored together,
each with its own outcome."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta, timezone

import asyncpg
import msgspec
import pytest

from contracts.base import Event
from contracts.envelope import Envelope, Metadata
from libs.common.db import Conn, connect, create_pool
from libs.common.errors import InvalidInputError
from libs.common.eventstore.commands import Check, CommandExecutor, Decider, Transaction
from libs.common.eventstore.decider import NewEvent
from libs.common.eventstore.errors import IdempotencyKeyReusedError
from libs.common.eventstore.group_commit import group_commit
from libs.common.eventstore.idempotency import IdempotencyKey
from libs.common.eventstore.store import EventRows, EventStore, StreamAppend
from tests.support.counter import CATALOGUE, COUNTER, CounterIncremented, Increment

STORE = EventStore("test")


class Note(msgspec.Struct, frozen=True):
    text: str


def _decide_note(command: Note, _total: int) -> Sequence[Event]:
    return [CounterIncremented(by=1, note=command.text)]


NOTED: Decider[Note, int] = Decider(
    stream_type="counter", initial=COUNTER.initial, evolve=COUNTER.evolve, decide=_decide_note
)


@contextlib.asynccontextmanager
async def another_writer_after_load(pool: asyncpg.Pool, url: str, stream: str) -> AsyncIterator[list[str]]:
    """While it is open, the first batch that loads ``stream`` finds it changed by another
    process (one event appended at version 1) before the batch appends."""
    queue = group_commit(pool, "test")
    load_streams = queue.store.load_streams
    raced: list[str] = []

    async def load_then_race(conn: Conn, stream_ids: Sequence[str]) -> dict[str, list[Envelope]]:
        loaded = await load_streams(conn, stream_ids)
        if stream in stream_ids and not raced:
            other = await connect(url)
            try:
                await STORE.append(other, stream, "counter", 0, [CounterIncremented(by=100)])
            finally:
                await other.close()
            raced.append(stream)
        return loaded

    queue.store.load_streams = load_then_race  # type: ignore[method-assign]
    try:
        yield raced
    finally:
        queue.store.load_streams = load_streams  # type: ignore[method-assign]


async def _transactions(pool: asyncpg.Pool, prefix: str) -> int:
    async with pool.acquire() as conn:
        found: int = await conn.fetchval(
            "SELECT count(DISTINCT tx_id) FROM test.events WHERE stream_id LIKE $1", f"{prefix}%"
        )
        return found


async def test_concurrent_commands_on_different_streams_are_stored_in_fewer_transactions(
    store_pool: asyncpg.Pool,
) -> None:
    executor = CommandExecutor(store_pool, "test", CATALOGUE)
    meta = Metadata(actor="op-1", partner="VNPT")
    results = await asyncio.gather(
        *(executor.execute(COUNTER, f"g-{n}", Increment(by=n), metadata=meta) for n in range(1, 41))
    )
    assert [(r.stream_id, r.version, len(r.event_ids)) for r in results] == [(f"g-{n}", 1, 1) for n in range(1, 41)]
    async with store_pool.acquire() as conn:
        for n in (1, 17, 40):
            [event] = await STORE.load(conn, f"g-{n}")
            assert CATALOGUE.decode(event.type, event.schema_version, event.data) == CounterIncremented(by=n)
            assert (event.actor, event.partner, event.event_id) == ("op-1", "VNPT", results[n - 1].event_ids[0])
    # The first command goes alone; the rest queue behind it and go together.
    assert await _transactions(store_pool, "g-") < 40


async def test_commands_on_one_stream_in_one_process_each_see_the_ones_before(store_pool: asyncpg.Pool) -> None:
    executor = CommandExecutor(store_pool, "test", CATALOGUE)
    results = await asyncio.gather(*(executor.execute(COUNTER, "one", Increment(by=1), retries=0) for _ in range(20)))
    # retries=0: no command was decided on a stale version, so none needed a retry.
    assert sorted(r.version for r in results) == list(range(1, 21))
    async with store_pool.acquire() as conn:
        assert [e.version for e in await STORE.load(conn, "one")] == list(range(1, 21))


async def test_a_refused_command_fails_alone_and_its_batch_is_stored(store_pool: asyncpg.Pool) -> None:
    executor = CommandExecutor(store_pool, "test", CATALOGUE)
    outcomes = await asyncio.gather(
        *(executor.execute(COUNTER, f"r-{n}", Increment(by=n, limit=5)) for n in range(1, 11)),
        return_exceptions=True,
    )
    refused = [n for n, o in enumerate(outcomes, start=1) if isinstance(o, InvalidInputError)]
    assert refused == list(range(6, 11))
    async with store_pool.acquire() as conn:
        stored = await conn.fetch("SELECT stream_id FROM test.events WHERE stream_id LIKE 'r-%' ORDER BY stream_id")
    assert sorted(r["stream_id"] for r in stored) == sorted(f"r-{n}" for n in range(1, 6))


async def test_data_postgresql_refuses_fails_only_its_own_command(store_pool: asyncpg.Pool) -> None:
    # jsonb refuses the NUL character: the shared statement fails, and each command runs alone.
    executor = CommandExecutor(store_pool, "test", CATALOGUE)
    texts = ["fine", "bad \x00 byte", "also fine", "more"]
    outcomes = await asyncio.gather(
        *(executor.execute(NOTED, f"d-{i}", Note(t)) for i, t in enumerate(texts)), return_exceptions=True
    )
    assert isinstance(outcomes[1], asyncpg.UntranslatableCharacterError)
    assert [type(o).__name__ for i, o in enumerate(outcomes) if i != 1] == ["CommandResult"] * 3
    async with store_pool.acquire() as conn:
        assert await STORE.current_version(conn, "d-1") == 0
        assert [await STORE.current_version(conn, f"d-{i}") for i in (0, 2, 3)] == [1, 1, 1]


async def test_a_stream_another_writer_changed_meanwhile_is_retried_and_the_rest_land(
    store_pool: asyncpg.Pool, fresh_database: str
) -> None:
    async with another_writer_after_load(store_pool, fresh_database, "w-3") as raced:
        executor = CommandExecutor(store_pool, "test", CATALOGUE)
        first = asyncio.ensure_future(executor.execute(COUNTER, "w-0", Increment(by=1)))
        await asyncio.sleep(0)  # w-0 is being stored: the rest gather into one batch
        results = await asyncio.gather(*(executor.execute(COUNTER, f"w-{n}", Increment(by=1)) for n in range(1, 6)))
        await first
    assert raced == ["w-3"]
    assert [r.version for r in results] == [1, 1, 2, 1, 1]
    async with store_pool.acquire() as conn:
        stored = [
            [CATALOGUE.decode(e.type, e.schema_version, e.data) for e in await STORE.load(conn, f"w-{n}")]
            for n in range(1, 6)
        ]
    one = [CounterIncremented(by=1)]
    assert stored == [one, one, [CounterIncremented(by=100), *one], one, one]


async def test_batches_of_two_processes_racing_on_the_same_streams_lose_nothing(
    store_pool: asyncpg.Pool, fresh_database: str
) -> None:
    other_pool = await create_pool(fresh_database, service="test-other", max_size=4)
    try:
        mine = CommandExecutor(store_pool, "test", CATALOGUE)
        theirs = CommandExecutor(other_pool, "test", CATALOGUE)
        await asyncio.gather(
            *(
                executor.execute(COUNTER, f"x-{n % 4}", Increment(by=1), retries=50)
                for n in range(60)
                for executor in (mine, theirs)
            )
        )
    finally:
        await other_pool.close()
    async with store_pool.acquire() as conn:
        versions = [await STORE.current_version(conn, f"x-{n}") for n in range(4)]
    assert versions == [30, 30, 30, 30]


async def test_one_statement_appends_several_streams_in_one_transaction_and_skips_a_changed_one(
    store_pool: asyncpg.Pool,
) -> None:
    now = datetime.now(UTC)
    rows = EventRows()
    for append in (
        StreamAppend("s-a", "counter", 0, [CounterIncremented(by=1), CounterIncremented(by=2)]),
        StreamAppend("s-stale", "counter", 0, [CounterIncremented(by=9)]),
        StreamAppend("s-b", "counter", 0, [CounterIncremented(by=3)], Metadata(actor="op-2")),
        StreamAppend("s-none", "counter", 0, []),
    ):
        rows.add(append, now)
    async with store_pool.acquire() as conn:
        await STORE.append(conn, "s-stale", "counter", 0, [CounterIncremented(by=1)])
        appended = await STORE.append_rows(conn, rows)
        assert sorted(appended) == ["s-a", "s-b"]
        assert [e.version for e in appended["s-a"]] == [1, 2]
        assert appended["s-b"][0].actor == "op-2"
        assert len({e.tx_id for events in appended.values() for e in events}) == 1
        positions = [e.position for e in appended["s-a"]]
        assert positions == sorted(positions)
        assert [e.version for e in await STORE.load(conn, "s-stale")] == [1]
    twice = EventRows()
    twice.add(StreamAppend("s-c", "counter", 0, [CounterIncremented(by=1)]), now)
    with pytest.raises(ValueError, match="given twice"):
        twice.add(StreamAppend("s-c", "counter", 0, [CounterIncremented(by=1)]), now)


async def test_a_several_stream_append_stores_every_field_as_given(store_pool: asyncpg.Pool) -> None:
    """The rows travel as one JSON document: what loads back is what was appended, to the
    microsecond and the character, whatever the offset of a time or the script of a text."""
    hanoi = timezone(timedelta(hours=7))
    given = {
        "f-a": StreamAppend(
            "f-a",
            "counter",
            0,
            [
                NewEvent(
                    CounterIncremented(by=1, note='Xã Bành Trạch "quote" \\ back\nslash 😀'),
                    datetime(2022, 3, 1, 5, 0, 0, 123456, hanoi),
                ),
                CounterIncremented(by=-2),
            ],
            Metadata(
                actor="cán bộ xã",
                partner="VNPT",
                correlation_id=uuid.uuid4(),
                causation_id=uuid.uuid4(),
                traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            ),
        ),
        "f-b": StreamAppend(
            "f-b", "counter", 0, [NewEvent(CounterIncremented(by=3), datetime(2021, 1, 1, 0, 0, 0, 1))]
        ),
    }
    rows = EventRows()
    now = datetime.now(UTC)
    for append in given.values():
        rows.add(append, now)
    async with store_pool.acquire() as conn:
        appended = await STORE.append_rows(conn, rows)
        loaded = await STORE.load_streams(conn, list(given))
    assert sorted(appended) == sorted(loaded) == ["f-a", "f-b"]
    for stream_id, events in loaded.items():
        written = appended[stream_id]
        assert [e.version for e in events] == [1, 2][: len(events)]
        for stored, returned in zip(events, written, strict=True):
            # jsonb keeps the value of ``data``, not its bytes (key order, spacing)
            assert msgspec.json.decode(stored.data) == msgspec.json.decode(returned.data)
            fields = msgspec.structs.asdict(stored), msgspec.structs.asdict(returned)
            assert [{k: v for k, v in f.items() if k != "data"} for f in fields] == [
                {k: v for k, v in fields[1].items() if k != "data"}
            ] * 2
    first, second = loaded["f-a"]
    assert CATALOGUE.decode(first.type, first.schema_version, first.data) == given["f-a"].events[0].event  # type: ignore[union-attr]
    assert first.occurred_at == datetime(2022, 3, 1, 5, 0, 0, 123456, hanoi)
    assert second.occurred_at == now
    meta = given["f-a"].metadata
    assert meta is not None
    assert (first.actor, first.partner, first.correlation_id, first.causation_id, first.traceparent) == (
        meta.actor,
        meta.partner,
        meta.correlation_id,
        meta.causation_id,
        meta.traceparent,
    )
    (only,) = loaded["f-b"]
    assert only.occurred_at == datetime(2021, 1, 1, 0, 0, 0, 1).astimezone(UTC)  # naive: local time
    assert (only.actor, only.correlation_id, only.traceparent) == (None, None, None)


async def test_an_event_that_cannot_be_encoded_fails_only_its_own_command(store_pool: asyncpg.Pool) -> None:
    executor = CommandExecutor(store_pool, "test", CATALOGUE)
    texts = ["fine", "lone surrogate \ud800", "also fine"]
    outcomes = await asyncio.gather(
        *(executor.execute(NOTED, f"u-{i}", Note(t)) for i, t in enumerate(texts)), return_exceptions=True
    )
    assert isinstance(outcomes[1], UnicodeEncodeError)
    assert [type(o).__name__ for i, o in enumerate(outcomes) if i != 1] == ["CommandResult"] * 2
    async with store_pool.acquire() as conn:
        assert [await STORE.current_version(conn, f"u-{i}") for i in range(3)] == [1, 0, 1]


async def test_a_command_whose_caller_is_cancelled_while_its_batch_loads_stores_nothing(
    store_pool: asyncpg.Pool,
) -> None:
    queue = group_commit(store_pool, "test")
    load_streams = queue.store.load_streams
    victim: list[asyncio.Task[object]] = []

    async def load_then_cancel(conn: Conn, stream_ids: Sequence[str]) -> dict[str, list[Envelope]]:
        loaded = await load_streams(conn, stream_ids)
        if "k-gone" in stream_ids:
            victim[0].cancel()  # the client went away after its command was taken into the batch
            await asyncio.sleep(0)
        return loaded

    queue.store.load_streams = load_then_cancel  # type: ignore[method-assign]
    try:
        executor = CommandExecutor(store_pool, "test", CATALOGUE)
        victim.append(asyncio.ensure_future(executor.execute(COUNTER, "k-gone", Increment(by=1))))
        kept = await executor.execute(COUNTER, "k-kept", Increment(by=1))
        with pytest.raises(asyncio.CancelledError):
            await victim[0]
    finally:
        queue.store.load_streams = load_streams  # type: ignore[method-assign]
    assert kept.version == 1
    async with store_pool.acquire() as conn:
        assert await STORE.current_version(conn, "k-gone") == 0


async def test_a_crowd_on_one_stream_does_not_hold_up_the_other_streams(store_pool: asyncpg.Pool) -> None:
    executor = CommandExecutor(store_pool, "test", CATALOGUE)
    hot = [asyncio.ensure_future(executor.execute(COUNTER, "hot", Increment(by=1))) for _ in range(300)]
    cold = await executor.execute(COUNTER, "cold", Increment(by=1))
    # One batch takes one command per stream: "cold" went in the first batch or two, not after
    # the 300 commands queued before it on "hot".
    assert cold.version == 1
    assert sum(t.done() for t in hot) < 10
    assert sorted(r.version for r in await asyncio.gather(*hot)) == list(range(1, 301))


async def test_a_batch_that_deadlocks_with_another_transaction_runs_its_commands_again_alone(
    store_pool: asyncpg.Pool, fresh_database: str
) -> None:
    # Another transaction appends to dl-b, then (while the batch waits for it on dl-b) to dl-a,
    # which the batch has just appended to: a deadlock, and PostgreSQL aborts the batch, which
    # started waiting first. Its commands run again alone, after the other transaction.
    executor = CommandExecutor(store_pool, "test", CATALOGUE)
    other = await connect(fresh_database)
    try:
        tx = other.transaction()
        await tx.start()
        await STORE.append(other, "dl-b", "counter", 0, [CounterIncremented(by=100)])
        commands = asyncio.gather(*(executor.execute(COUNTER, s, Increment(by=1)) for s in ("dl-a", "dl-b")))
        await asyncio.sleep(0.3)  # the batch has appended to dl-a and waits on dl-b
        await STORE.append(other, "dl-a", "counter", 0, [CounterIncremented(by=100)])
        await tx.commit()
        results = await commands
    finally:
        await other.close()
    assert [r.version for r in results] == [2, 2]
    async with store_pool.acquire() as conn:
        for stream in ("dl-a", "dl-b"):
            events = [CATALOGUE.decode(e.type, e.schema_version, e.data) for e in await STORE.load(conn, stream)]
            assert events == [CounterIncremented(by=100), CounterIncremented(by=1)]


async def test_commands_with_idempotency_keys_are_batched_and_remembered(store_pool: asyncpg.Pool) -> None:
    executor = CommandExecutor(store_pool, "test", CATALOGUE)

    def key(n: int) -> IdempotencyKey:
        return IdempotencyKey.for_request("partner:vnpt", f"req-{n}", {"stream": f"i-{n}"})

    results = await asyncio.gather(
        *(executor.execute(COUNTER, f"i-{n}", Increment(by=1), idempotency=key(n)) for n in range(30))
    )
    assert [(r.version, r.replayed) for r in results] == [(1, False)] * 30
    assert await _transactions(store_pool, "i-") < 30
    async with store_pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM test.idempotency_keys WHERE key LIKE 'req-%'") == 30
    # Sent again, together: each answered with its first result, nothing appended.
    again = await asyncio.gather(
        *(executor.execute(COUNTER, f"i-{n}", Increment(by=1), idempotency=key(n)) for n in range(30))
    )
    assert [(a.event_ids, a.replayed) for a in again] == [(r.event_ids, True) for r in results]
    async with store_pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM test.events WHERE stream_id LIKE 'i-%'") == 30


async def test_a_reused_idempotency_key_fails_only_its_own_command_in_a_batch(store_pool: asyncpg.Pool) -> None:
    executor = CommandExecutor(store_pool, "test", CATALOGUE)
    used = IdempotencyKey.for_request("partner:vnpt", "req-used", {"n": 1})
    await executor.execute(COUNTER, "ru-0", Increment(by=1), idempotency=used)
    reused = IdempotencyKey.for_request("partner:vnpt", "req-used", {"n": 2})  # another request
    outcomes = await asyncio.gather(
        executor.execute(COUNTER, "ru-1", Increment(by=1)),
        executor.execute(COUNTER, "ru-2", Increment(by=1), idempotency=reused),
        executor.execute(COUNTER, "ru-3", Increment(by=1), idempotency=IdempotencyKey.for_request("p", "k", {})),
        return_exceptions=True,
    )
    assert isinstance(outcomes[1], IdempotencyKeyReusedError)
    assert [type(o).__name__ for o in (outcomes[0], outcomes[2])] == ["CommandResult"] * 2
    async with store_pool.acquire() as conn:
        assert [await STORE.current_version(conn, f"ru-{n}") for n in range(4)] == [1, 1, 0, 1]


async def test_one_key_on_two_streams_at_once_is_stored_once_and_replayed(store_pool: asyncpg.Pool) -> None:
    # The same key and request hash twice in flight: the second command waits for the next
    # batch (one command per key in a batch) and gets the first one's result.
    executor = CommandExecutor(store_pool, "test", CATALOGUE)
    key = IdempotencyKey.for_request("partner:vnpt", "req-twice", {"n": 1})
    first, second = await asyncio.gather(
        executor.execute(COUNTER, "tw-1", Increment(by=1), idempotency=key),
        executor.execute(COUNTER, "tw-2", Increment(by=1), idempotency=key),
    )
    assert (first.replayed, second.replayed) == (False, True)
    assert second.event_ids == first.event_ids
    async with store_pool.acquire() as conn:
        assert [await STORE.current_version(conn, s) for s in ("tw-1", "tw-2")] == [1, 0]


async def test_a_keyed_command_on_a_stream_changed_meanwhile_is_retried_and_remembered_once(
    store_pool: asyncpg.Pool, fresh_database: str
) -> None:
    executor = CommandExecutor(store_pool, "test", CATALOGUE)
    key = IdempotencyKey.for_request("partner:vnpt", "req-kr", {"n": 1})
    async with another_writer_after_load(store_pool, fresh_database, "kr-1") as raced:
        result = await executor.execute(COUNTER, "kr-1", Increment(by=1), idempotency=key)
    assert raced == ["kr-1"]
    assert (result.version, result.replayed) == (2, False)
    replay = await executor.execute(COUNTER, "kr-1", Increment(by=1), idempotency=key)
    assert (replay.event_ids, replay.replayed) == (result.event_ids, True)
    async with store_pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM test.idempotency_keys WHERE key = 'req-kr'") == 1
        assert await STORE.current_version(conn, "kr-1") == 2


async def test_a_key_held_by_another_transaction_does_not_hold_up_the_batch(
    store_pool: asyncpg.Pool, fresh_database: str
) -> None:
    executor = CommandExecutor(store_pool, "test", CATALOGUE)
    key = IdempotencyKey.for_request("partner:vnpt", "req-held", {"n": 1})
    other = await connect(fresh_database)
    try:
        tx = other.transaction()
        await tx.start()  # as CommandExecutor.run holds a key while its command runs
        await other.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", "partner:vnpt|req-held")
        keyed = asyncio.ensure_future(executor.execute(COUNTER, "hl-1", Increment(by=1), idempotency=key))
        async with asyncio.timeout(10):
            unkeyed = await executor.execute(COUNTER, "hl-2", Increment(by=1))
        assert unkeyed.version == 1
        assert not keyed.done()  # waiting for the key, alone
        await tx.commit()
    finally:
        await other.close()
    async with asyncio.timeout(10):
        assert (await keyed).version == 1


async def test_a_stream_skipped_for_a_key_in_use_goes_first_in_the_next_batch(store_pool: asyncpg.Pool) -> None:
    queue = group_commit(store_pool, "test")
    load_streams = queue.store.load_streams
    release = asyncio.Event()

    async def held_load(conn: Conn, stream_ids: Sequence[str]) -> dict[str, list[Envelope]]:
        if "ks-0" in stream_ids:
            await release.wait()  # the first batch is in PostgreSQL while the others queue
        return await load_streams(conn, stream_ids)

    queue.store.load_streams = held_load  # type: ignore[method-assign]
    executor = CommandExecutor(store_pool, "test", CATALOGUE)
    key = IdempotencyKey.for_request("partner:vnpt", "req-k", {"n": 1})
    finished: list[str] = []

    async def send(name: str, stream: str, *, keyed: bool) -> None:
        await executor.execute(COUNTER, stream, Increment(by=1), idempotency=key if keyed else None)
        finished.append(name)

    try:
        first = asyncio.ensure_future(send("first", "ks-0", keyed=False))
        await asyncio.sleep(0.05)
        # Queued: ks-1 [a(K), c(K)], ks-2 [b(K)]. The next batch takes a and skips b (same key);
        # b must come before c, or a client resending K on ks-1 would hold ks-2 back forever.
        rest = [
            asyncio.ensure_future(send("a", "ks-1", keyed=True)),
            asyncio.ensure_future(send("b", "ks-2", keyed=True)),
            asyncio.ensure_future(send("c", "ks-1", keyed=True)),
        ]
        await asyncio.sleep(0.05)
        release.set()
        await asyncio.gather(first, *rest)
    finally:
        queue.store.load_streams = load_streams  # type: ignore[method-assign]
    assert finished == ["first", "a", "b", "c"]


async def test_commands_with_checks_are_batched_each_check_in_the_transaction_of_its_events(
    store_pool: asyncpg.Pool,
) -> None:
    """Failed before checks joined the group commit: every checked command ran alone, one
    transaction each (the metrics service's 10,000 reported values, each with its approval check,
    were 10,000 commits)."""
    executor = CommandExecutor(store_pool, "test", CATALOGUE)
    seen: dict[str, int] = {}

    def check_for(stream: str) -> Check:
        async def check(tx: Transaction) -> None:
            seen[stream] = await tx.conn.fetchval("SELECT txid_current()")

        return check

    streams = [f"k-{n}" for n in range(40)]
    await asyncio.gather(*(executor.execute(COUNTER, s, Increment(by=1), check=check_for(s)) for s in streams))
    assert await _transactions(store_pool, "k-") < 40
    async with store_pool.acquire() as conn:
        rows = await conn.fetch("SELECT stream_id, tx_id FROM test.events WHERE stream_id LIKE 'k-%'")
    # What a check reads and locks holds until the events it allowed are committed.
    assert {r["stream_id"]: r["tx_id"] for r in rows} == seen


async def test_a_check_that_refuses_fails_only_its_own_command_in_a_batch(store_pool: asyncpg.Pool) -> None:
    executor = CommandExecutor(store_pool, "test", CATALOGUE)

    def check_for(n: int) -> Check:
        async def check(tx: Transaction) -> None:
            await tx.conn.execute("SELECT 1")
            if n % 3 == 0:
                raise InvalidInputError(f"{n} is refused", code="refused")

        return check

    outcomes = await asyncio.gather(
        *(executor.execute(COUNTER, f"q-{n}", Increment(by=1), check=check_for(n)) for n in range(1, 31)),
        return_exceptions=True,
    )
    refused = [n for n, o in enumerate(outcomes, start=1) if isinstance(o, InvalidInputError)]
    assert refused == [n for n in range(1, 31) if n % 3 == 0]
    async with store_pool.acquire() as conn:
        stored = await conn.fetch("SELECT stream_id FROM test.events WHERE stream_id LIKE 'q-%'")
    assert sorted(r["stream_id"] for r in stored) == sorted(f"q-{n}" for n in range(1, 31) if n % 3)
    assert await _transactions(store_pool, "q-") < 20


async def test_a_check_whose_statement_fails_sends_the_batch_to_run_alone(store_pool: asyncpg.Pool) -> None:
    """The failed statement loses the batch's transaction: each command runs again on its own,
    its check with it, and only the one whose check fails is refused."""
    executor = CommandExecutor(store_pool, "test", CATALOGUE)

    def check_for(n: int) -> Check:
        async def check(tx: Transaction) -> None:
            await tx.conn.execute("SELECT 1 / $1::int", 0 if n == 7 else 1)

        return check

    outcomes = await asyncio.gather(
        *(executor.execute(COUNTER, f"z-{n}", Increment(by=1), check=check_for(n)) for n in range(1, 21)),
        return_exceptions=True,
    )
    failed = [n for n, o in enumerate(outcomes, start=1) if isinstance(o, Exception)]
    assert failed == [7]
    assert isinstance(outcomes[6], asyncpg.DivisionByZeroError)
    async with store_pool.acquire() as conn:
        stored = await conn.fetch("SELECT stream_id FROM test.events WHERE stream_id LIKE 'z-%'")
    assert sorted(r["stream_id"] for r in stored) == sorted(f"z-{n}" for n in range(1, 21) if n != 7)

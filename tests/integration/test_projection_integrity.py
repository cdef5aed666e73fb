"""Records a projection must not trust: forged, replayed, far-future, implausible.

The log is the truth only where it is the relay's: a record that is not signed with the
topic's key, or whose source position lies beyond the source store's own, is dead-lettered,
changes no read model and does not move the checkpoint (ADR 0022).
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg
import msgspec
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.structs import ConsumerRecord

from contracts.envelope import Envelope
from libs.common.embedded.broker import EmbeddedBroker
from libs.common.event_signing import RecordSigner
from libs.common.projections import dead_letters
from libs.common.projections.projection import ensure_schema
from libs.common.projections.runner import ProjectionRunner
from libs.common.relay import kafka_headers
from tests.integration.test_projections import STORE, Rig, rig, write
from tests.support.counter import CounterIncremented
from tests.support.counter_projection import CounterTotals, totals
from tests.support.envelopes import forged_envelope
from tests.support.event_keys import TEST_KEY, verifier

FAR_FUTURE = 2**62


def forged(stream_id: str, version: int, *, by: int, tx_id: int = FAR_FUTURE, position: int = FAR_FUTURE) -> Envelope:
    return forged_envelope(
        "test.counter_incremented",
        stream_id,
        "counter",
        {"by": by, "note": ""},
        version=version,
        tx_id=tx_id,
        position=position,
    )


async def checkpoint_positions(pool: asyncpg.Pool) -> list[tuple[int, int]]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT tx_id, position FROM test_totals.checkpoints ORDER BY partition")
    return [(row["tx_id"], row["position"]) for row in rows]


def partition_of(envelope: Envelope) -> int:
    """Where the relay puts the envelope's stream in the rig's three partitions."""
    return int(DefaultPartitioner()(envelope.stream_id.encode(), [0, 1, 2], [0, 1, 2]))


async def send(r: Rig, envelope: Envelope, headers: list[tuple[str, bytes]] | None = None) -> None:
    await r.producer.send_and_wait(
        r.topic,
        msgspec.json.encode(envelope),
        key=envelope.stream_id.encode(),
        partition=partition_of(envelope),
        headers=kafka_headers(envelope) if headers is None else headers,
    )


async def test_an_unsigned_record_with_a_huge_tx_id_changes_nothing_and_later_events_still_apply(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker
) -> None:
    """Failed before the fix: the forged event was applied (s-0's total went up by 1000) and
    its tx_id moved the checkpoint past every real event, so the later ones were skipped."""
    async with rig(store_pool, fresh_database, broker) as r:
        await write(store_pool, streams=2, per_stream=2)
        await r.wait_applied(4)
        await send(r, forged("s-0", 3, by=1000))
        await write(store_pool, streams=2, per_stream=2, prefix="after")
        await r.wait_applied(9)  # 8 real events and the forged one's dead letter
        async with store_pool.acquire() as conn:
            result = await totals(conn)
            letters = await dead_letters.list_dead_letters(conn, "test")
        positions = await checkpoint_positions(store_pool)
    assert result == {"s-0": (2, 2, 2), "s-1": (2, 2, 2), "after-0": (2, 2, 2), "after-1": (2, 2, 2)}
    assert [letter.type for letter in letters] == ["untrusted"]
    assert "UntrustedRecord: not signed" in letters[0].error
    assert all(tx < FAR_FUTURE for tx, _ in positions)


def signed(topic: str, envelope: Envelope, key: bytes = TEST_KEY) -> list[tuple[str, bytes]]:
    signature = RecordSigner(key, topic).header(msgspec.json.encode(envelope), partition_of(envelope))
    return [*kafka_headers(envelope), signature]


@pytest.mark.parametrize("how", ["another key", "altered after signing", "another topic's signature"])
async def test_a_record_not_signed_by_the_topics_relay_changes_nothing(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker, how: str
) -> None:
    """Failed before the fix as the unsigned one did: nothing checked who wrote a record."""
    async with rig(store_pool, fresh_database, broker) as r:
        await write(store_pool, streams=1, per_stream=2)
        await r.wait_applied(2)
        before = await checkpoint_positions(store_pool)
        record = forged("s-0", 3, by=1000)
        if how == "another key":
            headers = signed(r.topic, record, key=bytes(32))
        elif how == "altered after signing":
            headers = signed(r.topic, forged("s-0", 3, by=1))  # the signature of an honest-looking event
        else:
            headers = signed("t.registry.events", record)
        await send(r, record, headers)
        await r.wait_applied(3)
        async with store_pool.acquire() as conn:
            result = await totals(conn)
            [letter] = await dead_letters.list_dead_letters(conn, "test")
        after = await checkpoint_positions(store_pool)
    assert result == {"s-0": (2, 2, 2)}
    assert letter.type == "untrusted"
    assert letter.error.startswith("UntrustedRecord: ")
    assert after == before
    assert r.runner.status.untrusted == 1


async def test_a_far_future_record_signed_with_the_relays_key_is_not_believed_either(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker
) -> None:
    """A leaked key or a broken relay: the signature holds, but no store holds that position.
    Failed before the fix: applied, and the checkpoint jumped past every later event."""
    async with rig(store_pool, fresh_database, broker) as r:
        await write(store_pool, streams=2, per_stream=2)
        await r.wait_applied(4)
        record = forged("s-0", 3, by=1000)
        await send(r, record, signed(r.topic, record))
        await write(store_pool, streams=2, per_stream=2, prefix="after")
        await r.wait_applied(9)
        async with store_pool.acquire() as conn:
            result = await totals(conn)
            [letter] = await dead_letters.list_dead_letters(conn, "test")
            refused = await dead_letters.retry(conn, "test", CounterTotals(), letter.id)
        positions = await checkpoint_positions(store_pool)
    assert result == {"s-0": (2, 2, 2), "s-1": (2, 2, 2), "after-0": (2, 2, 2), "after-1": (2, 2, 2)}
    assert "beyond the last event of test's store" in letter.error
    assert all(tx < FAR_FUTURE for tx, _ in positions)
    assert refused is not None
    assert "not published by its topic's relay" in refused


async def test_a_replayed_record_of_the_relay_changes_nothing(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker
) -> None:
    """A genuine record sent again after newer ones: its signature holds, its position is the
    store's, and the checkpoint already covers it (this held before the fix too: it guards
    that verification keeps the copy rule)."""
    async with rig(store_pool, fresh_database, broker) as r:
        await write(store_pool, streams=1, per_stream=3)
        await r.wait_applied(3)
        reader = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap, enable_auto_commit=False)
        await reader.start()
        try:
            parts = [TopicPartition(r.topic, p) for p in range(3)]
            reader.assign(parts)
            await reader.seek_to_beginning(*parts)
            first = next(rec for recs in (await reader.getmany(timeout_ms=2000)).values() for rec in recs)
        finally:
            await reader.stop()
        assert first.value is not None
        await r.producer.send_and_wait(r.topic, first.value, key=first.key, headers=list(first.headers))
        await write(store_pool, streams=1, per_stream=1, prefix="after")
        await r.wait_applied(4)
        async with asyncio.timeout(15):
            while r.runner.status.skipped < 1:  # noqa: ASYNC110 - polling the runner's own counter
                await asyncio.sleep(0.05)
        async with store_pool.acquire() as conn:
            result = await totals(conn)
            letters = await dead_letters.list_dead_letters(conn, "test")
    assert result == {"s-0": (3, 3, 3), "after-0": (1, 1, 1)}
    assert letters == []


async def test_a_dead_letter_is_not_re_applied_over_a_later_version_of_its_stream(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker
) -> None:
    """Failed before the fix: the retry applied version 3 after version 4, so the read model
    went back to ``last_version`` 3 and the letter left the table as if all were well."""
    async with rig(store_pool, fresh_database, broker) as r:
        await write(store_pool, streams=1, per_stream=2)
        async with store_pool.acquire() as conn:
            await STORE.append(conn, "s-0", "counter", 2, [CounterIncremented(by=100, note="poison")])
            await STORE.append(conn, "s-0", "counter", 3, [CounterIncremented(by=1)])
        await r.wait_applied(4)
    async with store_pool.acquire() as conn:
        [letter] = await dead_letters.list_dead_letters(conn, "test")
        before = await totals(conn)
        refused = await dead_letters.retry(conn, "test", CounterTotals(cure_poison=True), letter.id)
        after = await totals(conn)
        left = await dead_letters.list_dead_letters(conn, "test")
    assert before == {"s-0": (3, 3, 4)}
    assert refused is not None
    assert "version 4" in refused
    assert "discard" in refused
    assert after == before
    assert [x.id for x in left] == [letter.id]


async def test_a_dead_letter_whose_later_versions_are_dead_letters_too_is_re_applied_in_order(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker
) -> None:
    """The rule refuses only over state a later version wrote: a run of dead letters of one
    stream is retried oldest first, each applying."""
    async with rig(store_pool, fresh_database, broker) as r:
        await write(store_pool, streams=1, per_stream=1)
        async with store_pool.acquire() as conn:
            await STORE.append(conn, "s-0", "counter", 1, [CounterIncremented(by=10, note="poison")])
            await STORE.append(conn, "s-0", "counter", 2, [CounterIncremented(by=100, note="poison")])
        await r.wait_applied(3)
    async with store_pool.acquire() as conn:
        first, second = await dead_letters.list_dead_letters(conn, "test")
        assert await dead_letters.retry(conn, "test", CounterTotals(cure_poison=True), first.id) is None
        assert await dead_letters.retry(conn, "test", CounterTotals(cure_poison=True), second.id) is None
        assert await totals(conn) == {"s-0": (111, 3, 3)}


async def first_record(r: Rig, broker: EmbeddedBroker) -> ConsumerRecord[bytes, bytes]:
    """The relay's first record, as it lies in the log (its signature included)."""
    reader = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap, enable_auto_commit=False)
    await reader.start()
    try:
        parts = [TopicPartition(r.topic, p) for p in range(3)]
        reader.assign(parts)
        await reader.seek_to_beginning(*parts)
        return next(rec for recs in (await reader.getmany(timeout_ms=2000)).values() for rec in recs)
    finally:
        await reader.stop()


async def test_a_genuine_record_copied_to_another_partition_changes_nothing(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker
) -> None:
    """Failed before the fix: the signature covered topic and value only, and the other
    partition's checkpoint did not cover the copy, so it was applied a second time (s-0 went
    to ``(4, 4, 1)``: counted twice, ``last_version`` back from 3 to 1)."""
    async with rig(store_pool, fresh_database, broker) as r:
        await write(store_pool, streams=1, per_stream=3)
        await r.wait_applied(3)
        first = await first_record(r, broker)
        other = (first.partition + 1) % 3
        before = await checkpoint_positions(store_pool)
        await r.producer.send_and_wait(
            r.topic, first.value, key=first.key, headers=list(first.headers), partition=other
        )
        await r.wait_applied(4)  # the copy: applied (the defect) or dead-lettered
        async with store_pool.acquire() as conn:
            result = await totals(conn)
            letters = await dead_letters.list_dead_letters(conn, "test")
        after = await checkpoint_positions(store_pool)
    assert result == {"s-0": (3, 3, 3)}
    assert [letter.type for letter in letters] == ["untrusted"]
    assert "does not match" in letters[0].error
    assert [p for p in after if p != (0, 0)] == [p for p in before if p != (0, 0)]


async def test_a_flood_of_forged_records_is_dead_lettered_but_logged_once_per_partition(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker, caplog: pytest.LogCaptureFixture
) -> None:
    """Failed before the fix: one error line per forged record. The dead letters stay: they
    are the evidence."""
    async with rig(store_pool, fresh_database, broker) as r:
        await write(store_pool, streams=1, per_stream=1)
        await r.wait_applied(1)
        with caplog.at_level(logging.ERROR, logger="libs.common.projections.runner"):
            for n in range(30):
                record = msgspec.json.encode(forged("s-0", 2 + n, by=1000))
                await r.producer.send_and_wait(r.topic, record, partition=0, headers=[("signature", b"00:00")])
            await r.wait_applied(31)
        async with store_pool.acquire() as conn:
            letters = await dead_letters.list_dead_letters(conn, "test")
            result = await totals(conn)
    logged = [rec for rec in caplog.records if "dead-lettered" in rec.getMessage()]
    assert len(letters) == 30
    assert result == {"s-0": (1, 1, 1)}
    assert len(logged) == 1
    assert f"{r.topic}[0]" in logged[0].getMessage()


async def test_a_batch_reads_the_source_stores_end_in_the_statement_that_locks_its_checkpoints(
    store_pool: asyncpg.Pool, fresh_database: str, broker: EmbeddedBroker
) -> None:
    """The check that a record's position is within its store costs no round trip of its own:
    the store's end comes back with the checkpoint rows. (Failed before the fix: each batch
    sent ``SELECT ... FROM test.events ... LIMIT 1`` as a statement of its own.)"""
    r = Rig(store_pool, fresh_database, broker.bootstrap, CounterTotals())
    await r.start(runner=False)
    try:
        await write(store_pool, streams=3, per_stream=2)
        fetched = await published(broker, r.topic, expected=6)
    finally:
        await r.stop()
    async with store_pool.acquire() as conn:
        await ensure_schema(conn, CounterTotals())
    statements: list[str] = []

    async def log_statements(conn: asyncpg.Connection) -> None:
        conn.add_query_logger(lambda query: statements.append(query.query))

    logged = await asyncpg.create_pool(fresh_database, min_size=1, max_size=1, init=log_statements)
    try:
        runner = ProjectionRunner(
            CounterTotals(),
            logged,
            bootstrap=broker.bootstrap,
            topics={"test": r.topic},
            verifier=verifier(r.topic),
            group_id=None,
        )
        for partition, records in fetched.items():
            statements.clear()
            await runner.apply_records(r.topic, partition, records)
            reads = [s for s in statements if "test.events" in s]
            assert len(reads) == 1, statements
            assert "checkpoints" in reads[0]
    finally:
        await logged.close()
    async with store_pool.acquire() as conn:
        result = await totals(conn)
    assert result == {f"s-{n}": (2, 2, 2) for n in range(3)}
    assert runner.status.untrusted == 0


Records = dict[int, list[ConsumerRecord[bytes, bytes]]]


async def published(broker: EmbeddedBroker, topic: str, *, expected: int) -> Records:
    """The topic's records by partition, once the relay has published ``expected`` of them."""
    reader = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap, enable_auto_commit=False)
    await reader.start()
    found: Records = {}
    try:
        parts = [TopicPartition(topic, p) for p in range(3)]
        reader.assign(parts)
        await reader.seek_to_beginning(*parts)
        async with asyncio.timeout(15):
            while sum(len(v) for v in found.values()) < expected:
                for tp, records in (await reader.getmany(timeout_ms=500)).items():
                    found.setdefault(tp.partition, []).extend(records)
    finally:
        await reader.stop()
    return found

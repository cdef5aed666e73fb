"""Consumes a projection's topics and applies each partition's batch in one transaction.

Exactly-once effect: the transaction that applies a batch also moves the checkpoint of that
(topic, partition) to the batch's last source position, and events at or below the
checkpoint are skipped. Redelivery, a relay that republishes, and a crash at any point
therefore change nothing twice. Kafka offsets are only a hint for where to resume.

An event that cannot be decoded or applied goes to the dead letters with its error and the
batch goes on without it (the batch is retried event by event, each in a savepoint).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg
import msgspec
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from contracts.envelope import Envelope
from libs.common.db import Conn
from libs.common.eventstore.store import SourcePosition
from libs.common.projections import dead_letters
from libs.common.projections.projection import Applied, Projection, ensure_schema
from libs.common.tracing import record_apply_span, span

log = logging.getLogger(__name__)

_envelope = msgspec.json.Decoder(Envelope)


@dataclass
class PartitionLag:
    topic: str
    partition: int
    applied_offset: int | None
    highwater: int | None
    events: int | None
    seconds: float
    last_position: SourcePosition
    last_recorded_at: datetime | None = None


@dataclass
class RunnerStatus:
    running: bool = False
    applied: int = 0
    skipped: int = 0
    dead_lettered: int = 0
    last_error: str | None = None
    lag: dict[tuple[str, int], PartitionLag] = field(default_factory=dict)


@dataclass
class Checkpoint:
    position: SourcePosition
    kafka_offset: int | None
    last_recorded_at: datetime | None


class ProjectionRunner:
    def __init__(
        self,
        projection: Projection,
        pool: asyncpg.Pool,
        *,
        bootstrap: str,
        topics: dict[str, str],
        group_id: str | None,
        max_records: int = 5000,
        schema: str | None = None,
        fetch_wait_ms: int = 25,
    ) -> None:
        """``topics`` maps each source service to its topic; ``group_id=None`` assigns every
        partition to this runner (no group join: faster start, no scale-out)."""
        self.projection = projection
        self.pool = pool
        self.bootstrap = bootstrap
        self.topics = topics
        self.group_id = group_id
        self.max_records = max_records
        self.fetch_wait_ms = fetch_wait_ms
        self.schema = schema or projection.name
        self.status = RunnerStatus()
        s = self.schema
        # The row is created before it is locked: FOR UPDATE on a row that does not exist yet
        # locks nothing, and two runners could both apply a partition's first batch.
        self._create_checkpoint = (
            f"INSERT INTO {s}.checkpoints (topic, partition, tx_id, position) VALUES ($1, $2, 0, 0) "
            "ON CONFLICT (topic, partition) DO NOTHING"
        )
        self._read_checkpoint = (
            f"SELECT tx_id, position, kafka_offset, last_recorded_at FROM {s}.checkpoints "
            "WHERE topic = $1 AND partition = $2 FOR UPDATE"
        )
        self._move_hint = f"UPDATE {s}.checkpoints SET kafka_offset = $3 WHERE topic = $1 AND partition = $2"
        self._save_checkpoint = f"""
            INSERT INTO {s}.checkpoints (topic, partition, tx_id, position, kafka_offset, last_recorded_at, applied)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (topic, partition) DO UPDATE SET tx_id = $3, position = $4, kafka_offset = $5,
                last_recorded_at = $6, applied = {s}.checkpoints.applied + $7, updated_at = now()
        """
        self._hint_sql = (
            f"SELECT partition, kafka_offset, tx_id, position FROM {s}.checkpoints "
            "WHERE topic = $1 AND kafka_offset IS NOT NULL"
        )
        self._consumer: AIOKafkaConsumer | None = None

    async def run(self) -> None:
        """Forever; restarts the consumer after any failure that is not the projection's own."""
        while True:
            try:
                async with self.pool.acquire() as conn:
                    await ensure_schema(conn, self.projection)
                await self._consume()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database trouble: back off and start over
                self.status.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("projection %s stopped (%s); restarting in 1 s", self.projection.name, exc)
                await asyncio.sleep(1.0)
            finally:
                self.status.running = False

    async def _consume(self) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=4 * 1024 * 1024,
            # aiokafka's 500 ms default would be the floor of every read model's latency; the
            # embedded broker holds a fetch for the whole wait even when data arrives.
            fetch_max_wait_ms=self.fetch_wait_ms,
            client_id=f"tinhso-projection-{self.projection.name}",
        )
        await consumer.start()
        self._consumer = consumer
        try:
            topics = list(self.topics.values())
            if self.group_id is None:
                partitions = await self._all_partitions(consumer, topics)
                consumer.assign(partitions)
                await self._seek_to_hints(consumer, partitions)
            else:
                # In a group, Kafka's committed offsets say where to resume: they belong to the
                # log they were committed against (an empty broker forgets them too, and the
                # runner reads from the start and skips by checkpoint).
                consumer.subscribe(topics)
            self.status.running = True
            while True:
                batches = await consumer.getmany(timeout_ms=500, max_records=self.max_records)
                for tp, records in batches.items():
                    await self.apply_records(tp.topic, tp.partition, records)
                    self._update_lag(consumer, tp)
                if batches and self.group_id is not None:
                    with contextlib.suppress(Exception):  # offsets are a hint; checkpoints are the truth
                        await consumer.commit()
        finally:
            self._consumer = None
            with contextlib.suppress(Exception):
                await consumer.stop()

    async def _all_partitions(self, consumer: AIOKafkaConsumer, topics: list[str]) -> list[TopicPartition]:
        found: list[TopicPartition] = []
        for topic in topics:
            parts = None
            for _ in range(100):
                parts = consumer.partitions_for_topic(topic)
                if parts:
                    break
                await consumer._client.force_metadata_update()
                await asyncio.sleep(0.1)
            if not parts:
                raise RuntimeError(f"topic {topic} has no partitions yet")
            found.extend(TopicPartition(topic, p) for p in sorted(parts))
        return found

    async def _seek_to_hints(self, consumer: AIOKafkaConsumer, partitions: Sequence[TopicPartition]) -> None:
        """Resume after the stored Kafka offset, when it is safe.

        It is safe when the record at that offset is one already applied (its source position is
        at or below the checkpoint): the relay writes each partition in commit order and every
        republish starts from the beginning, so every later event lies after it. After a broker
        that came back empty, or a log with republished copies, the offset may point elsewhere;
        then the runner reads the partition from the start and skips by checkpoint.
        """
        hints: dict[tuple[str, int], tuple[int, SourcePosition]] = {}
        async with self.pool.acquire() as conn:
            for topic in {tp.topic for tp in partitions}:
                for row in await conn.fetch(self._hint_sql, topic):
                    hints[(topic, row["partition"])] = (row["kafka_offset"], (row["tx_id"], row["position"]))
        for tp in partitions:
            hint = hints.get((tp.topic, tp.partition))
            if hint is None:
                continue
            offset, checkpoint = hint
            at_hint = await _record_at(consumer, tp, offset)
            if at_hint is not None and at_hint.source_position <= checkpoint:
                consumer.seek(tp, offset + 1)
            else:
                log.warning(
                    "projection %s: offset %d of %s[%d] is not what was applied; reading the partition from the start",
                    self.projection.name, offset, tp.topic, tp.partition,
                )  # fmt: skip
                await consumer.seek_to_beginning(tp)

    async def apply_records(self, topic: str, partition: int, records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        if not records:
            return
        envelopes: list[tuple[int, Envelope]] = []
        undecodable: list[tuple[int, bytes, str]] = []
        for record in records:
            try:
                envelopes.append((record.offset, _envelope.decode(record.value or b"")))
            except msgspec.DecodeError as exc:
                undecodable.append((record.offset, record.value or b"", str(exc)))
        last_offset = records[-1].offset
        with span(f"apply-batch {self.projection.name}", topic=topic, partition=partition, size=len(records)):
            async with self.pool.acquire() as conn, conn.transaction():
                # Shared: many batches at once; a rebuild's swap takes it exclusively.
                await conn.execute("SELECT pg_advisory_xact_lock_shared($1)", self.projection.lock_key())
                checkpoint = await self._checkpoint(conn, topic, partition)
                for offset, raw, error in undecodable:
                    await self._dead_letter_raw(conn, topic, partition, offset, raw=raw, error=error)
                fresh = _after(envelopes, checkpoint.position)
                self.status.skipped += len(envelopes) - len(fresh)
                if not fresh:
                    # Copies of applied events only: remember that they were read, so a
                    # restart does not read them again.
                    await conn.execute(self._move_hint, topic, partition, last_offset)
                    return
                applied = await self.apply_envelopes(conn, topic, partition, fresh)
                last = fresh[-1][1]
                await conn.execute(
                    self._save_checkpoint,
                    topic,
                    partition,
                    last.tx_id,
                    last.position,
                    last_offset,
                    last.recorded_at,
                    applied,
                )
                previous = self.status.lag.get((topic, partition))
                self.status.lag[(topic, partition)] = PartitionLag(
                    topic,
                    partition,
                    last_offset,
                    previous.highwater if previous else None,
                    None,
                    0.0,
                    last.source_position,
                    last.recorded_at,
                )
                self.status.applied += applied

    async def _checkpoint(self, conn: Conn, topic: str, partition: int) -> Checkpoint:
        await conn.execute(self._create_checkpoint, topic, partition)
        row = await conn.fetchrow(self._read_checkpoint, topic, partition)
        assert row is not None
        return Checkpoint((row["tx_id"], row["position"]), row["kafka_offset"], row["last_recorded_at"])

    async def _dead_letter_raw(
        self, conn: Conn, topic: str, partition: int, offset: int, *, raw: bytes, error: str
    ) -> None:
        """A record that is not an envelope at all: kept with its bytes, under a made-up id."""
        placeholder = Envelope(
            event_id=uuid.uuid5(uuid.NAMESPACE_URL, f"kafka://{topic}/{partition}/{offset}"),
            stream_id="",
            stream_type="",
            version=0,
            type="undecodable",
            schema_version=0,
            occurred_at=datetime.fromtimestamp(0, UTC),
            recorded_at=datetime.now(UTC),
            tx_id=0,
            position=0,
            data=msgspec.Raw(msgspec.json.encode({"raw_base64": base64.b64encode(raw).decode()})),
        )
        await self._dead_letter(conn, topic, partition, offset, envelope=placeholder, error=f"DecodeError: {error}")

    async def apply_envelopes(
        self, conn: Conn, topic: str, partition: int, fresh: Sequence[tuple[int | None, Envelope]]
    ) -> int:
        """Apply what the projection handles; dead-letter what fails. Returns how many applied."""
        relevant: list[tuple[int | None, Applied]] = []
        for offset, envelope in fresh:
            if envelope.type not in self.projection.handles:
                continue
            try:
                relevant.append((offset, Applied(envelope, self.projection.decode(envelope))))
            except Exception as exc:  # unknown schema version, bad data: dead-letter it
                await self._dead_letter(conn, topic, partition, offset, envelope=envelope, error=_describe(exc))
        if not relevant:
            return 0
        try:
            async with conn.transaction():  # a savepoint: a failing batch rolls back alone
                await self._apply(conn, [a for _, a in relevant])
            return len(relevant)
        except Exception as exc:  # find the poison event(s): one at a time
            if is_transient(exc):
                raise
            log.warning("projection %s: batch failed; applying one event at a time", self.schema)
        applied = 0
        for offset, item in relevant:
            try:
                async with conn.transaction():
                    await self._apply(conn, [item])
                applied += 1
            except Exception as exc:
                if is_transient(exc):
                    raise  # not the event's fault: the whole batch rolls back and is retried
                await self._dead_letter(conn, topic, partition, offset, envelope=item.envelope, error=_describe(exc))
        return applied

    async def _apply(self, conn: Conn, batch: list[Applied]) -> None:
        started = time.time_ns()
        await self.projection.apply(conn, self.schema, batch)
        ended = time.time_ns()
        # Traced events get a span each, a child of the command that caused them, covering the
        # batch they were applied in: the trace stays whole and the batch stays one call.
        for item in batch:
            if item.envelope.traceparent:
                record_apply_span(self.projection.name, item.envelope, started, ended)

    async def _dead_letter(
        self, conn: Conn, topic: str, partition: int, offset: int | None, *, envelope: Envelope, error: str
    ) -> None:
        log.error(
            "projection %s: event %s (%s) dead-lettered: %s", self.schema, envelope.event_id, envelope.type, error
        )
        await dead_letters.record(
            conn,
            self.projection.service,
            self.projection.name,
            topic=topic,
            partition=partition,
            kafka_offset=offset,
            envelope=envelope,
            error=error,
        )
        self.status.dead_lettered += 1

    def _update_lag(self, consumer: AIOKafkaConsumer, tp: TopicPartition) -> None:
        lag = self.status.lag.get((tp.topic, tp.partition))
        highwater = consumer.highwater(tp)
        if lag is None or highwater is None:
            return
        lag.highwater = highwater
        lag.events = max(0, highwater - (lag.applied_offset or -1) - 1)

    def lag_snapshot(self) -> list[PartitionLag]:
        """Per partition: events behind the high-water mark, and how old the last applied
        event is when something is still waiting (0 s when caught up)."""
        now = time.time()
        out = []
        for lag in self.status.lag.values():
            waiting = bool(lag.events) and lag.last_recorded_at is not None
            seconds = max(0.0, now - lag.last_recorded_at.timestamp()) if waiting and lag.last_recorded_at else 0.0
            out.append(dataclasses.replace(lag, seconds=seconds))
        return out


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


_TRANSIENT_SQLSTATE_CLASSES = ("08", "40", "53", "57", "58")
"""Connection, transaction rollback (deadlock, serialization), resources, operator
intervention, system errors: retrying later can succeed, so they are not the event's fault."""


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, (OSError, asyncpg.InterfaceError, TimeoutError)):
        return True
    if isinstance(exc, asyncpg.PostgresError):
        state = exc.sqlstate or ""
        return state.startswith(_TRANSIENT_SQLSTATE_CLASSES) or state == "55P03"  # lock_not_available
    return False


async def _record_at(consumer: AIOKafkaConsumer, tp: TopicPartition, offset: int) -> Envelope | None:
    """The envelope stored at ``offset`` (``None`` when there is no such record or it is unreadable)."""
    consumer.seek(tp, offset)
    for _ in range(3):
        batches = await consumer.getmany(tp, timeout_ms=1000)
        for record in batches.get(tp, []):
            if record.offset != offset:
                return None
            try:
                return _envelope.decode(record.value or b"")
            except msgspec.DecodeError:
                return None
    return None


def _after(envelopes: list[tuple[int, Envelope]], checkpoint: SourcePosition) -> list[tuple[int, Envelope]]:
    """Events past the checkpoint, each once, in order (a republished log repeats itself)."""
    fresh = []
    high_tx, high_pos = checkpoint
    for offset, envelope in envelopes:  # the hot loop: compare the pair without building tuples
        tx = envelope.tx_id
        if tx > high_tx or (tx == high_tx and envelope.position > high_pos):
            fresh.append((offset, envelope))
            high_tx, high_pos = tx, envelope.position
    return fresh

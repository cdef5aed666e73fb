"""Consumes a projection's topics and applies what it fetched in one transaction.

Exactly-once effect: the transaction that applies a batch also moves the checkpoint of each
(topic, partition) in it to the last source position applied there, and events at or below
the checkpoint are skipped. Redelivery, a relay that republishes, and a crash at any point
therefore change nothing twice. Kafka offsets are only a hint for where to resume.

An event that cannot be decoded or applied goes to the dead letters with its error and the
batch goes on without it (the batch is retried event by event, each in a savepoint).

Only the relay's records are taken (ADR 0022): a record not signed with its topic's key, or
whose source position lies beyond the source store's last event, is dead-lettered as
untrusted and moves no checkpoint, so no one who merely reaches the broker can apply an event
or push a checkpoint past the real ones. The signature covers the partition too, so a genuine
record copied to another partition (where the checkpoint does not cover it) is untrusted
there. Untrusted records are each kept as a dead letter (the evidence) but logged at most once
per partition per 10 s (``log_sampling``): a flood of them does not flood the log.

Throughput (ADR 0011): one batch's transaction is in flight while the next batch is fetched
and decoded, so Python's work overlaps PostgreSQL's; a batch gathers everything already
fetched, of every partition, up to ``max_records``; decoding runs with the cyclic garbage
collector held off.
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
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.structs import ConsumerRecord

from contracts.envelope import Envelope
from libs.common.db import Conn
from libs.common.event_signing import RecordVerifier
from libs.common.eventstore.store import SourcePosition
from libs.common.kafka import Broker, make_consumer
from libs.common.log_sampling import SampledLog
from libs.common.projections import dead_letters, notices
from libs.common.projections.decoding import UNTRUSTED, BatchDecoder, Decoded, PartitionBatch, decode_envelope
from libs.common.projections.gc_pause import collection_paused
from libs.common.projections.projection import Applied, Projection, ensure_schema
from libs.common.tracing import record_apply_span, span

log = logging.getLogger(__name__)

DECODE_CHUNK = 500
"""Records taken from the consumer and decoded between two yields to the event loop: the
batch in flight gets to send its next statement at least this often."""


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
    untrusted: int = 0
    """Records dead-lettered as not the relay's: forged, altered, or beyond the source store."""
    last_error: str | None = None
    lag: dict[tuple[str, int], PartitionLag] = field(default_factory=dict)
    assigned: frozenset[tuple[str, int]] = frozenset()
    """The (topic, partition) pairs this runner reads now; in a group, what the last rebalance gave it."""


@dataclass
class _Checkpoint:
    position: SourcePosition
    last_recorded_at: datetime | None


@dataclass
class _Moved:
    """Where one partition's checkpoint went in a committed batch."""

    topic: str
    partition: int
    kafka_offset: int
    position: SourcePosition
    last_recorded_at: datetime | None
    applied: int


class ProjectionRunner:
    def __init__(
        self,
        projection: Projection,
        pool: asyncpg.Pool,
        *,
        bootstrap: Broker,
        topics: dict[str, str],
        group_id: str | None,
        verifier: RecordVerifier,
        max_records: int = 5000,
        schema: str | None = None,
        fetch_wait_ms: int = 25,
        partitions: frozenset[int] | None = None,
    ) -> None:
        """``topics`` maps each source service (the schema of its event store) to its topic;
        ``verifier`` holds the keys of those topics' relays; ``group_id=None`` assigns every
        partition to this runner (no group join: faster start), or with ``partitions`` only
        those partitions of each topic: a static split over several processes, which the
        checkpoint locks keep safe even where two runners' partitions overlap.
        ``max_records`` bounds a batch (all partitions together)."""
        if partitions is not None and group_id is not None:
            raise ValueError("partitions are assigned by the group when there is one")
        self.projection = projection
        self.pool = pool
        self.bootstrap = bootstrap
        self.topics = topics
        self.group_id = group_id
        self.max_records = max_records
        self.fetch_wait_ms = fetch_wait_ms
        self.partitions = partitions
        self.schema = schema or projection.name
        self.status = RunnerStatus()
        self._decoder = BatchDecoder(projection, verifier)
        self._store_of = {topic: service for service, topic in topics.items()}
        self._lock_statements: dict[tuple[str, ...], str] = {}
        s = self.schema
        # A partition whose batch held only copies keeps its position and updated_at; only
        # its Kafka offset moves, so a restart does not read the copies again. The same
        # statement announces the moved checkpoints (``notices``): PostgreSQL delivers the
        # notice at commit, with no round trip of its own.
        self._save_checkpoints = f"""
            WITH saved AS (INSERT INTO {s}.checkpoints AS c
                (topic, partition, tx_id, position, kafka_offset, last_recorded_at, applied)
            SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::bigint[], $5::bigint[],
                                 $6::timestamptz[], $7::bigint[])
            ON CONFLICT (topic, partition) DO UPDATE SET tx_id = EXCLUDED.tx_id, position = EXCLUDED.position,
                kafka_offset = EXCLUDED.kafka_offset, last_recorded_at = EXCLUDED.last_recorded_at,
                applied = c.applied + EXCLUDED.applied,
                updated_at = CASE WHEN c.tx_id = EXCLUDED.tx_id AND c.position = EXCLUDED.position
                                  THEN c.updated_at ELSE now() END)
            SELECT pg_notify($8, $9) WHERE $9::text IS NOT NULL
        """
        self._hint_sql = (
            f"SELECT partition, kafka_offset, tx_id, position FROM {s}.checkpoints "
            "WHERE topic = $1 AND kafka_offset IS NOT NULL"
        )
        self._consumer: AIOKafkaConsumer | None = None
        self._untrusted_log = SampledLog(log, logging.ERROR)

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
        consumer = make_consumer(
            self.bootstrap,
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=4 * 1024 * 1024,
            # aiokafka's 500 ms default would be the floor of every read model's latency; the
            # embedded broker holds a fetch for the whole wait even when data arrives.
            fetch_max_wait_ms=self.fetch_wait_ms,
            client_id=f"tinhso-projection-{self.projection.name}",
        )
        try:
            # Started inside the try: a stop that lands while it connects still closes it.
            await consumer.start()
            self._consumer = consumer
            topics = list(self.topics.values())
            if self.group_id is None:
                partitions = await self._all_partitions(consumer, topics)
                if self.partitions is not None:
                    partitions = [tp for tp in partitions if tp.partition in self.partitions]
                consumer.assign(partitions)
                self.status.assigned = frozenset((tp.topic, tp.partition) for tp in partitions)
                await self._seek_to_hints(consumer, partitions)
            else:
                # In a group, Kafka's committed offsets say where to resume: they belong to the
                # log they were committed against (an empty broker forgets them too, and the
                # runner reads from the start and skips by checkpoint).
                consumer.subscribe(topics, listener=_Rebalanced(self))
            self.status.running = True
            await self._pipeline(consumer)
        finally:
            self._consumer = None
            with contextlib.suppress(Exception):
                await consumer.stop()

    async def _pipeline(self, consumer: AIOKafkaConsumer) -> None:
        """Fetch and decode the next batch while the previous one is being applied.

        At most one batch is in flight, and the next starts only after it committed, so each
        partition is still applied in order; a failed batch ends the loop before anything
        fetched after it is applied (a restart reads it again from the checkpoints).
        """
        in_flight: asyncio.Task[None] | None = None
        try:
            while True:
                batch = await self._next_batch(consumer)
                if in_flight is not None:
                    await in_flight
                    in_flight = None
                if batch:
                    in_flight = asyncio.create_task(self._apply_and_report(consumer, batch))
        finally:
            if in_flight is not None and not in_flight.done():
                in_flight.cancel()
            if in_flight is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await in_flight

    async def _next_batch(self, consumer: AIOKafkaConsumer) -> list[PartitionBatch]:
        """Everything already fetched, up to ``max_records``, decoded; when nothing is, waits
        up to 500 ms for the first records (the batch in flight goes on meanwhile)."""
        parts: dict[tuple[str, int], PartitionBatch] = {}
        taken = 0
        while taken < self.max_records:
            with collection_paused():  # buffered records come back without waiting
                fetched = await consumer.getmany(timeout_ms=0, max_records=min(DECODE_CHUNK, self.max_records - taken))
                count = self._decode(parts, fetched)
                del fetched  # freed now, while the collector is off, rather than scanned first
            if not count:
                if taken:
                    break
                # Nothing buffered: wait, with the collector on, for a record to arrive.
                count = self._decode(parts, await consumer.getmany(timeout_ms=500, max_records=1))
                if not count:
                    break
            taken += count
            await asyncio.sleep(0)  # the batch in flight sends its next statement meanwhile
        return list(parts.values())

    def _decode(
        self,
        parts: dict[tuple[str, int], PartitionBatch],
        fetched: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]],
    ) -> int:
        with collection_paused():
            count = 0
            for tp, records in fetched.items():
                part = parts.get((tp.topic, tp.partition))
                if part is None:
                    part = parts[(tp.topic, tp.partition)] = PartitionBatch(tp.topic, tp.partition)
                self._decoder.decode_into(part, records)
                count += len(records)
            return count

    async def _apply_and_report(self, consumer: AIOKafkaConsumer, batch: list[PartitionBatch]) -> None:
        await self._apply_batch(batch)
        for part in batch:
            self._update_lag(consumer, TopicPartition(part.topic, part.partition))
        if self.group_id is not None:
            # What was applied, not where the consumer is: it has read ahead of the database.
            offsets = {TopicPartition(p.topic, p.partition): p.last_offset + 1 for p in batch}
            with contextlib.suppress(Exception):  # offsets are a hint; checkpoints are the truth
                await consumer.commit(offsets)

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
        """Apply records of one partition, in offset order, in one transaction."""
        if not records:
            return
        part = PartitionBatch(topic, partition)
        with collection_paused():
            self._decoder.decode_into(part, records)
        await self._apply_batch([part])

    async def _apply_batch(self, batch: Sequence[PartitionBatch]) -> None:
        """One transaction: skip what each partition's checkpoint already covers, apply the
        rest, dead-letter what fails, move the checkpoints."""
        batch = sorted(batch, key=lambda p: (p.topic, p.partition))
        size = sum(p.size for p in batch)
        with span(f"apply-batch {self.projection.name}", size=size, partitions=len(batch)):
            async with self.pool.acquire() as conn, conn.transaction():
                # Shared: many batches at once; a rebuild's swap takes it exclusively.
                await conn.execute("SELECT pg_advisory_xact_lock_shared($1)", self.projection.lock_key())
                topics = tuple(sorted({p.topic for p in batch}))
                rows = await conn.fetch(
                    self._lock_checkpoints(topics), [p.topic for p in batch], [p.partition for p in batch], topics
                )
                checkpoints = {
                    (r["topic"], r["partition"]): _Checkpoint((r["tx_id"], r["position"]), r["last_recorded_at"])
                    for r in rows
                }
                store_ends: dict[str, SourcePosition] = {
                    r["topic"]: (r["end_tx_id"], r["end_position"]) if r["end_tx_id"] is not None else (0, 0)
                    for r in rows
                }
                fresh: list[tuple[PartitionBatch, list[Decoded]]] = []
                for part in batch:
                    for offset, raw, error in part.undecodable:
                        self.status.untrusted += error.startswith(UNTRUSTED)
                        await self._dead_letter_raw(conn, part.topic, part.partition, offset, raw=raw, error=error)
                    items = await self._within_store(conn, part, store_ends[part.topic])
                    new = _after(items, checkpoints[(part.topic, part.partition)].position)
                    self.status.skipped += len(items) - len(new)
                    if new:
                        fresh.append((part, new))
                applied = await self._apply_items(conn, fresh)
                last = {(part.topic, part.partition): items[-1].envelope for part, items in fresh}
                moved = [_moved(part, checkpoints, last, applied) for part in batch]
                await conn.execute(
                    self._save_checkpoints,
                    [m.topic for m in moved],
                    [m.partition for m in moved],
                    [m.position[0] for m in moved],
                    [m.position[1] for m in moved],
                    [m.kafka_offset for m in moved],
                    [m.last_recorded_at for m in moved],
                    [m.applied for m in moved],
                    notices.CHANNEL,
                    self._notice(moved, checkpoints),
                )
        # Committed: only now does the status say so.
        for m in moved:
            self.status.applied += m.applied
            if m.position == checkpoints[(m.topic, m.partition)].position:
                continue  # copies only
            previous = self.status.lag.get((m.topic, m.partition))
            self.status.lag[(m.topic, m.partition)] = PartitionLag(
                m.topic,
                m.partition,
                m.kafka_offset,
                previous.highwater if previous else None,
                None,
                0.0,
                m.position,
                m.last_recorded_at,
            )

    def _notice(self, moved: list[_Moved], checkpoints: dict[tuple[str, int], _Checkpoint]) -> str | None:
        """What the batch's commit announces: each partition whose position moved (None: none)."""
        by_topic: dict[str, list[notices.PartitionMoved]] = {}
        for m in moved:
            if m.position != checkpoints[(m.topic, m.partition)].position:
                by_topic.setdefault(m.topic, []).append(notices.PartitionMoved(m.partition, *m.position))
        if not by_topic:
            return None
        consumer = self._consumer
        return notices.encode(
            notices.CheckpointsMoved(
                service=self.projection.service,
                projection=self.projection.name,
                topics=[
                    notices.TopicMoved(
                        topic=topic,
                        partitions=len((consumer.partitions_for_topic(topic) if consumer else None) or ()),
                        moved=parts,
                    )
                    for topic, parts in by_topic.items()
                ],
            )
        )

    def _lock_checkpoints(self, topics: tuple[str, ...]) -> str:
        """The statement that creates-if-missing and locks a batch's checkpoint rows, and reads
        the end of each of its topics' source stores: one round trip for both.

        Creating a partition's row if it has none, and locking it either way: FOR UPDATE on a
        row that does not exist yet would lock nothing, and two runners could both apply a
        partition's first batch. Sorted input, so two runners lock rows in the same order."""
        sql = self._lock_statements.get(topics)
        if sql is None:
            # One statement per set of topics a batch holds (a handful): a store is read only
            # when a batch holds its topic. ``$3`` names the topics, in the order of the reads.
            ends = " UNION ALL ".join(
                f"(SELECT ($3::text[])[{n}] AS topic, tx_id, position FROM {self._store_of[topic]}.events "
                "ORDER BY tx_id DESC, position DESC LIMIT 1)"
                for n, topic in enumerate(topics, start=1)
            )
            sql = self._lock_statements[topics] = f"""
                WITH locked AS (
                    INSERT INTO {self.schema}.checkpoints AS c (topic, partition, tx_id, position)
                    SELECT topic, partition, 0, 0 FROM unnest($1::text[], $2::int[]) AS u(topic, partition)
                    ON CONFLICT (topic, partition) DO UPDATE SET tx_id = c.tx_id
                    RETURNING topic, partition, tx_id, position, last_recorded_at
                ), store_end AS ({ends})
                SELECT l.topic, l.partition, l.tx_id, l.position, l.last_recorded_at,
                       e.tx_id AS end_tx_id, e.position AS end_position
                FROM locked l LEFT JOIN store_end e ON e.topic = l.topic
            """
        return sql

    async def _within_store(self, conn: Conn, part: PartitionBatch, end: SourcePosition) -> list[Decoded]:
        """The items whose source position the source store holds (``end``: its last event, read
        in this batch's transaction); the others, which only a leaked key or a broken relay can
        sign, are dead-lettered as untrusted."""
        items = part.items
        within = [item for item in items if item.envelope.source_position <= end]
        if len(within) == len(items):
            return items
        for item in items:
            if item.envelope.source_position > end:
                self.status.untrusted += 1
                await self._dead_letter_raw(
                    conn,
                    part.topic,
                    part.partition,
                    item.offset if item.offset is not None else -1,
                    raw=msgspec.json.encode(item.envelope),
                    error=f"{UNTRUSTED}: source position {item.envelope.source_position} is beyond "
                    f"the last event of {self._store_of[part.topic]}'s store {end}",
                )
        return within

    async def _dead_letter_raw(
        self, conn: Conn, topic: str, partition: int, offset: int, *, raw: bytes, error: str
    ) -> None:
        """A record that is not an envelope, or not the relay's: kept with its bytes, under a
        made-up id (what it claims to be is not to be believed, nor to clash with a real event)."""
        placeholder = Envelope(
            event_id=uuid.uuid5(uuid.NAMESPACE_URL, f"kafka://{topic}/{partition}/{offset}"),
            stream_id="",
            stream_type="",
            version=0,
            type="untrusted" if error.startswith(UNTRUSTED) else "undecodable",
            schema_version=0,
            occurred_at=datetime.fromtimestamp(0, UTC),
            recorded_at=datetime.now(UTC),
            tx_id=0,
            position=0,
            data=msgspec.Raw(msgspec.json.encode({"raw_base64": base64.b64encode(raw).decode()})),
        )
        await self._dead_letter(conn, topic, partition, offset, envelope=placeholder, error=error)

    async def apply_envelopes(
        self, conn: Conn, topic: str, partition: int, fresh: Sequence[tuple[int | None, Envelope]]
    ) -> int:
        """Apply what the projection handles; dead-letter what fails. Returns how many applied.
        For callers that read the store (rebuild): no checkpoint is read or moved here."""
        items = [self._decoder.item(offset, envelope) for offset, envelope in fresh]
        return sum((await self._apply_items(conn, [(PartitionBatch(topic, partition), items)])).values())

    async def _apply_items(
        self, conn: Conn, fresh: Sequence[tuple[PartitionBatch, list[Decoded]]]
    ) -> dict[tuple[str, int], int]:
        """Apply what the projection handles; dead-letter what fails. Returns how many were
        applied per (topic, partition)."""
        relevant: list[Applied] = []
        relevant_topics: list[str] = []
        counts: dict[tuple[str, int], int] = {}
        for part, items in fresh:
            before = len(relevant)
            for item in items:
                if item.applied is not None:
                    relevant.append(item.applied)
                    relevant_topics.append(part.topic)
                elif item.error is not None:
                    await self._dead_letter(
                        conn, part.topic, part.partition, item.offset, envelope=item.envelope, error=item.error
                    )
            counts[(part.topic, part.partition)] = len(relevant) - before
        if not relevant:
            return {}
        try:
            async with conn.transaction():  # a savepoint: a failing batch rolls back alone
                await self._apply(conn, relevant, relevant_topics)
            return counts
        except Exception as exc:  # find the poison event(s): one at a time
            if is_transient(exc):
                raise
            log.warning("projection %s: batch failed; applying one event at a time", self.schema)
        counts = {}
        for part, items in fresh:
            key = (part.topic, part.partition)
            for item in items:
                if item.applied is None:
                    continue
                try:
                    async with conn.transaction():
                        await self._apply(conn, [item.applied], [part.topic])
                    counts[key] = counts.get(key, 0) + 1
                except Exception as exc:
                    if is_transient(exc):
                        raise  # not the event's fault: the whole batch rolls back and is retried
                    await self._dead_letter(
                        conn, part.topic, part.partition, item.offset, envelope=item.envelope, error=_describe(exc)
                    )
        return counts

    async def _apply(self, conn: Conn, batch: list[Applied], topics: Sequence[str]) -> None:
        """``topics``: the topic each event of ``batch`` was read from, for its span."""
        started = time.time_ns()
        await self.projection.apply(conn, self.schema, batch)
        ended = time.time_ns()
        # One span per topic applied, linked to every traced event's command: a span per event
        # would cost more than applying it.
        by_topic: dict[str, list[Envelope]] = {}
        for item, topic in zip(batch, topics, strict=True):
            by_topic.setdefault(topic, []).append(item.envelope)
        for topic, envelopes in by_topic.items():
            record_apply_span(self.projection.name, topic, envelopes, started, ended)

    async def _dead_letter(
        self, conn: Conn, topic: str, partition: int, offset: int | None, *, envelope: Envelope, error: str
    ) -> None:
        if error.startswith(UNTRUSTED):  # anyone who reaches the broker can send these: sampled
            self._untrusted_log.log(
                (topic, partition),
                "projection %s: untrusted record at %s[%d]@%s dead-lettered: %s",
                self.schema, topic, partition, offset, error,
            )  # fmt: skip
        else:
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
        applied = -1 if lag.applied_offset is None else lag.applied_offset  # offset 0 is a record
        lag.events = max(0, highwater - applied - 1)

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


class _Rebalanced(ConsumerRebalanceListener):  # type: ignore[misc]
    """Keeps the runner's status and the log in step with what the group gives it.

    Nothing has to be handed over: a batch still in flight for a revoked partition commits or
    not, and the partition's new owner locks the same checkpoint row, so it either waits for
    that batch and skips what it applied, or goes first and the old batch then skips.
    """

    def __init__(self, runner: ProjectionRunner) -> None:
        self._runner = runner

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        self._runner.status.assigned = frozenset()
        for tp in revoked:
            self._runner.status.lag.pop((tp.topic, tp.partition), None)  # another runner reports it now

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        runner = self._runner
        runner.status.assigned = frozenset((tp.topic, tp.partition) for tp in assigned)
        log.info(
            "projection %s: partitions assigned: %s",
            runner.projection.name,
            " ".join(f"{topic}[{partition}]" for topic, partition in sorted(runner.status.assigned)) or "none",
        )


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _moved(
    part: PartitionBatch,
    checkpoints: dict[tuple[str, int], _Checkpoint],
    last: dict[tuple[str, int], Envelope],
    applied: dict[tuple[str, int], int],
) -> _Moved:
    key = (part.topic, part.partition)
    envelope = last.get(key)
    if envelope is None:  # copies only: the position stays
        checkpoint = checkpoints[key]
        return _Moved(part.topic, part.partition, part.last_offset, checkpoint.position, checkpoint.last_recorded_at, 0)
    return _Moved(
        part.topic,
        part.partition,
        part.last_offset,
        envelope.source_position,
        envelope.recorded_at,
        applied.get(key, 0),
    )


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
            return decode_envelope(record.value)
    return None


def _after(items: list[Decoded], checkpoint: SourcePosition) -> list[Decoded]:
    """Events past the checkpoint, each once, in order (a republished log repeats itself)."""
    fresh = []
    high_tx, high_pos = checkpoint
    for item in items:  # the hot loop: compare the pair without building tuples
        envelope = item.envelope
        tx = envelope.tx_id
        if tx > high_tx or (tx == high_tx and envelope.position > high_pos):
            fresh.append(item)
            high_tx, high_pos = tx, envelope.position
    return fresh

"""The outbox relay: publishes a service's committed events to its topic, in commit order.

- Reads with :meth:`EventStore.read_committed`, so an event is never published before its
  transaction commits and a late commit is never skipped.
- Keyed by ``stream_id``: one aggregate's events stay in one partition, in order. The relay
  picks the partition itself, with the producer's default rule (murmur2 of the key over the
  topic's partitions), because the signature covers it.
- Progress (last source position, next offset per partition) is stored after each batch the
  broker acknowledged; a crash in between republishes that batch, and consumers skip it by
  their checkpoints (at-least-once delivery, exactly-once effect).
- A broker that comes back empty (the embedded one keeps its log in memory) shows up as an
  end offset below what we recorded, or an acknowledged offset that went backwards: the
  relay then republishes from the start of the store.
- One active relay per service: a session-level advisory lock; a standby waits for it and
  takes over as soon as the holder's session ends.
- Every record is signed with the service's event key for the partition it goes to
  (``event_signing``, ADR 0022): consumers apply only what this relay published where it
  published it, not what anyone who reaches the broker wrote or copied.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import asyncpg
import msgspec
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.structs import RecordMetadata

from contracts.envelope import Envelope
from libs.common.db import Conn, connect
from libs.common.event_signing import RecordSigner
from libs.common.eventstore.store import START, EventStore, SourcePosition
from libs.common.kafka import Broker, ensure_topics, make_consumer
from libs.common.tracing import traced_publish

log = logging.getLogger(__name__)

HORIZON_WAIT_SECONDS = 2.0
"""After a notification, how long events may stay hidden behind older open transactions
before the relay falls back to waiting for the next notification."""
HORIZON_POLL_SECONDS = 0.02

ProducerProvider = Callable[[], AIOKafkaProducer | None]

_encode = msgspec.json.encode


class PartitionMark(msgspec.Struct, frozen=True):
    """Where the relay's output ends in one partition: the next offset and the last event."""

    next_offset: int
    last_event_id: str | None = None


_marks = msgspec.json.Decoder(dict[str, PartitionMark | int])


@dataclass
class RelayStatus:
    active: bool = False
    published: int = 0
    republished: int = 0
    last_position: SourcePosition = START
    last_publish_at: float | None = None
    last_error: str | None = None
    partition_offsets: dict[str, PartitionMark] = field(default_factory=dict)


def relay_lock_key(schema: str) -> int:
    digest = hashlib.sha256(f"tinhso-relay:{schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def kafka_headers(envelope: Envelope) -> list[tuple[str, bytes]]:
    headers = [
        ("event_id", str(envelope.event_id).encode()),
        ("event_type", envelope.type.encode()),
        ("schema_version", str(envelope.schema_version).encode()),
        ("stream_id", envelope.stream_id.encode()),
    ]
    if envelope.traceparent:
        headers.append(("traceparent", envelope.traceparent.encode()))
    if envelope.correlation_id:
        headers.append(("correlation_id", str(envelope.correlation_id).encode()))
    return headers


class BrokerLostDataError(RuntimeError):
    """The topic holds fewer records than we published: the broker restarted empty."""


class OutboxRelay:
    def __init__(
        self,
        database_url: str,
        schema: str,
        topic: str,
        producer: ProducerProvider,
        *,
        signing_key: bytes,
        bootstrap: Broker,
        partitions: int,
        replication: int = 1,
        batch_size: int = 2000,
        idle_check_seconds: float = 5.0,
    ) -> None:
        self.database_url = database_url
        self.schema = schema
        self.topic = topic
        self.producer = producer
        self.signer = RecordSigner(signing_key, topic)
        self.bootstrap = bootstrap
        self.partitions = partitions
        self.replication = replication
        self.batch_size = batch_size
        self.idle_check_seconds = idle_check_seconds
        self.store = EventStore(schema)
        self.status = RelayStatus()
        self._wake = asyncio.Event()
        self._notified_at = -HORIZON_WAIT_SECONDS
        self._load_sql = (
            f"SELECT tx_id, position, partition_offsets, published, republished FROM {schema}.relay_progress "
            "WHERE topic = $1"
        )
        self._save_sql = f"""
            INSERT INTO {schema}.relay_progress
                (topic, tx_id, position, partition_offsets, published, republished, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, now())
            ON CONFLICT (topic) DO UPDATE SET tx_id = $2, position = $3, partition_offsets = $4,
                published = $5, republished = $6, updated_at = now()
        """

    async def run(self) -> None:
        """Forever: wait for the lock, relay while holding it, start over after any failure."""
        while True:
            try:
                await self._lead_when_possible()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the relay must outlive any single failure
                self.status.active = False
                self.status.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("relay for %s stopped (%s); restarting in 1 s", self.topic, self.status.last_error)
                await asyncio.sleep(1.0)

    async def _lead_when_possible(self) -> None:
        conn = await connect(self.database_url, service=f"{self.schema}-relay")
        try:
            # A standby blocks here; PostgreSQL hands it the lock the moment the holder's session ends.
            await conn.execute("SELECT pg_advisory_lock($1)", relay_lock_key(self.schema))
            log.info("relay for %s is active", self.topic)
            self.status.active = True
            await conn.add_listener(f"{self.schema}_events", self._on_notify)
            await self._relay(conn)
        finally:
            self.status.active = False
            with contextlib.suppress(Exception):
                await conn.close()

    def _on_notify(self, *_: object) -> None:
        self._notified_at = time.monotonic()
        self._wake.set()

    def _idle_wait(self) -> float:
        """How long to wait for the next notification before reading again.

        A notification means events committed, but a commit-safe read only returns them once
        every transaction older than theirs has ended (the gap rule): a projection's batch or
        another service's command in the same cluster can hold that horizon back for a moment.
        Just after a notification the relay therefore looks again soon rather than sleeping
        until the next one, which on a quiet service may be a second away."""
        if time.monotonic() - self._notified_at < HORIZON_WAIT_SECONDS:
            return HORIZON_POLL_SECONDS
        return 1.0

    async def _relay(self, conn: asyncpg.Connection) -> None:
        position, offsets, published, republished = await self._load_progress(conn)
        verified = False
        last_check = 0.0
        while True:
            producer = self.producer()
            if producer is None:
                verified = False
                await asyncio.sleep(0.5)
                continue
            try:
                if not verified:
                    await self._verify_broker(offsets)
                    verified, last_check = True, time.monotonic()
                self._wake.clear()
                batch = await self.store.read_committed(conn, position, self.batch_size)
                if not batch:
                    # While publishing, an empty broker shows as acknowledged offsets going
                    # backwards; while idle, only asking it how long the log is can tell.
                    if time.monotonic() - last_check > self.idle_check_seconds:
                        verified = False
                        continue
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(self._idle_wait()):
                            await self._wake.wait()
                    continue
                acked = await self._publish(producer, batch)
                _check_offsets_advance(offsets, acked)
            except BrokerLostDataError as exc:
                log.warning("%s; republishing %s from the start of the store", exc, self.topic)
                position, offsets, republished = START, {}, republished + 1
                await ensure_topics(self.bootstrap, [self.topic], self.partitions, replication=self.replication)
                await self._save(conn, position, offsets, published, republished)
                verified = True
                continue
            except Exception as exc:  # broker trouble: keep the position, retry after a pause
                self.status.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("publishing to %s failed (%s); retrying", self.topic, self.status.last_error)
                verified = False
                await asyncio.sleep(0.5)
                continue
            for partition, (_, last, last_event_id) in acked.items():
                offsets[partition] = PartitionMark(last + 1, last_event_id)
            position = batch[-1].source_position
            published += len(batch)
            await self._save(conn, position, offsets, published, republished)

    async def _publish(self, producer: AIOKafkaProducer, batch: list[Envelope]) -> dict[str, tuple[int, int, str]]:
        """Send a batch and wait for every acknowledgement.

        Per partition: the first and last offset acknowledged, and the last event's id."""
        futures = []
        sign = self.signer.header
        place = await _partitioner(producer, self.topic)
        with traced_publish(self.topic, batch):
            for envelope in batch:
                value = _encode(envelope)
                stream = envelope.stream_id.encode()
                partition = place(stream)
                headers = kafka_headers(envelope)
                headers.append(sign(value, partition))
                futures.append(
                    await producer.send(self.topic, value=value, key=stream, partition=partition, headers=headers)
                )
            results: list[RecordMetadata] = await asyncio.gather(*futures)
        acked: dict[str, tuple[int, int, str]] = {}
        for meta, envelope in zip(results, batch, strict=True):
            key = str(meta.partition)
            first, last, last_id = acked.get(key, (meta.offset, meta.offset, str(envelope.event_id)))
            if meta.offset >= last:
                last, last_id = meta.offset, str(envelope.event_id)
            acked[key] = (min(first, meta.offset), last, last_id)
        return acked

    async def _verify_broker(self, offsets: dict[str, PartitionMark]) -> None:
        """Is the last record we published in each partition still where we left it?

        End offsets cannot tell (the embedded broker reports the start of its last record
        batch + 1 there), so the relay reads back its own last record and compares the
        event id: anything else means the log we wrote to is gone.
        """
        await ensure_topics(self.bootstrap, [self.topic], self.partitions, replication=self.replication)
        marks = {int(p): m for p, m in offsets.items() if m.next_offset > 0}
        if not marks:
            return
        consumer = make_consumer(self.bootstrap, enable_auto_commit=False, auto_offset_reset="earliest")
        try:
            await consumer.start()  # inside the try: cancelled while connecting, it is still closed
            for partition, mark in marks.items():
                seen = await _read_one(consumer, TopicPartition(self.topic, partition), mark.next_offset - 1)
                shorter = seen.log_end is not None and seen.log_end < mark.next_offset
                replaced = seen.event_id is not None and mark.last_event_id not in (None, seen.event_id)
                if shorter or replaced:
                    raise BrokerLostDataError(
                        f"partition {partition} of {self.topic} no longer holds offset {mark.next_offset - 1} "
                        f"as published (log end {seen.log_end})"
                    )
        finally:
            await consumer.stop()

    async def _load_progress(self, conn: Conn) -> tuple[SourcePosition, dict[str, PartitionMark], int, int]:
        row = await conn.fetchrow(self._load_sql, self.topic)
        if row is None:
            return START, {}, 0, 0
        offsets = {
            p: m if isinstance(m, PartitionMark) else PartitionMark(m)  # a bare int: the first format
            for p, m in _marks.decode(row["partition_offsets"]).items()
        }
        self._set_status((row["tx_id"], row["position"]), offsets, row["published"], row["republished"])
        return (row["tx_id"], row["position"]), offsets, row["published"], row["republished"]

    async def _save(
        self,
        conn: Conn,
        position: SourcePosition,
        offsets: dict[str, PartitionMark],
        published: int,
        republished: int,
    ) -> None:
        await conn.execute(
            self._save_sql, self.topic, position[0], position[1], _encode(offsets), published, republished
        )
        self._set_status(position, offsets, published, republished)
        self.status.last_publish_at = time.time()
        self.status.last_error = None

    def _set_status(
        self, position: SourcePosition, offsets: dict[str, PartitionMark], published: int, republished: int
    ) -> None:
        self.status.last_position = position
        self.status.partition_offsets = dict(offsets)
        self.status.published = published
        self.status.republished = republished


async def _partitioner(producer: AIOKafkaProducer, topic: str) -> Callable[[bytes], int]:
    """Where the producer's default partitioner would put a key, now: the relay signs the
    partition, so it picks it before sending, by the same rule (placement is unchanged).
    Asked once per batch, so partitions added to the topic are used from the next batch on."""
    partitions = sorted(await producer.partitions_for(topic))
    choose = DefaultPartitioner()
    placed: dict[bytes, int] = {}  # murmur2 is pure Python: once per stream in a batch

    def place(key: bytes) -> int:
        partition = placed.get(key)
        if partition is None:
            partition = placed[key] = choose(key, partitions, partitions)
        return partition

    return place


class _Seen(msgspec.Struct, frozen=True):
    event_id: str | None = None
    """Of the record found at the offset asked for; None when none was read there."""
    log_end: int | None = None
    """The partition's high-water mark after a fetch; None when no fetch answered."""


async def _read_one(consumer: AIOKafkaConsumer, tp: TopicPartition, offset: int) -> _Seen:
    """What the partition holds at ``offset``. An empty answer proves nothing (a slow broker,
    or retention that removed old segments): only a log that ends below what was published,
    or another event at that offset, means the log was lost."""
    consumer.assign([tp])
    consumer.seek(tp, offset)
    for _ in range(3):
        batches = await consumer.getmany(tp, timeout_ms=1000)
        log_end = consumer.highwater(tp)
        for record in batches.get(tp, []):
            if record.offset == offset:
                return _Seen(dict(record.headers).get("event_id", b"").decode() or None, log_end)
            break
        if log_end is not None:
            return _Seen(None, log_end)
    return _Seen()


def _check_offsets_advance(recorded: dict[str, PartitionMark], acked: dict[str, tuple[int, int, str]]) -> None:
    """A batch that starts below where the last one ended landed in a log that restarted empty."""
    for partition, (first, _, _) in acked.items():
        mark = recorded.get(partition)
        expected_next = mark.next_offset if mark else 0
        if first < expected_next:
            raise BrokerLostDataError(
                f"partition {partition} acknowledged offset {first}, below the {expected_next} already published"
            )

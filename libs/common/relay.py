"""The outbox relay: publishes a service's committed events to its topic, in commit order.

- Reads with :meth:`EventStore.read_committed`, so an event is never published before its
  transaction commits and a late commit is never skipped.
- Keyed by ``stream_id``: one aggregate's events stay in one partition, in order.
- Progress (last source position, next offset per partition) is stored after each batch the
  broker acknowledged; a crash in between republishes that batch, and consumers skip it by
  their checkpoints (at-least-once delivery, exactly-once effect).
- A broker that comes back empty (the embedded one keeps its log in memory) shows up as an
  end offset below what we recorded, or an acknowledged offset that went backwards: the
  relay then republishes from the start of the store.
- One active relay per service: a session-level advisory lock; a standby waits for it and
  takes over as soon as the holder's session ends.
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
from aiokafka.structs import RecordMetadata

from contracts.envelope import Envelope
from libs.common.db import Conn, connect
from libs.common.eventstore.store import START, EventStore, SourcePosition
from libs.common.kafka import ensure_topics
from libs.common.tracing import traced_publish

log = logging.getLogger(__name__)

ProducerProvider = Callable[[], AIOKafkaProducer | None]

_encode = msgspec.json.encode
_offsets = msgspec.json.Decoder(dict[str, int])


@dataclass
class RelayStatus:
    active: bool = False
    published: int = 0
    republished: int = 0
    last_position: SourcePosition = START
    last_publish_at: float | None = None
    last_error: str | None = None
    partition_offsets: dict[str, int] = field(default_factory=dict)


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
        bootstrap: str,
        partitions: int,
        replication: int = 1,
        batch_size: int = 2000,
        idle_check_seconds: float = 5.0,
    ) -> None:
        self.database_url = database_url
        self.schema = schema
        self.topic = topic
        self.producer = producer
        self.bootstrap = bootstrap
        self.partitions = partitions
        self.replication = replication
        self.batch_size = batch_size
        self.idle_check_seconds = idle_check_seconds
        self.store = EventStore(schema)
        self.status = RelayStatus()
        self._wake = asyncio.Event()
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
        self._wake.set()

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
                        await asyncio.wait_for(self._wake.wait(), timeout=1.0)
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
            for partition, (_, last) in acked.items():
                offsets[partition] = last + 1
            position = batch[-1].source_position
            published += len(batch)
            await self._save(conn, position, offsets, published, republished)

    async def _publish(self, producer: AIOKafkaProducer, batch: list[Envelope]) -> dict[str, tuple[int, int]]:
        """Send a batch and wait for every acknowledgement: (first, last) offset per partition."""
        futures = []
        for envelope in batch:
            with traced_publish(self.topic, envelope):
                futures.append(
                    await producer.send(
                        self.topic,
                        value=_encode(envelope),
                        key=envelope.stream_id.encode(),
                        headers=kafka_headers(envelope),
                    )
                )
        results: list[RecordMetadata] = await asyncio.gather(*futures)
        acked: dict[str, tuple[int, int]] = {}
        for meta in results:
            key = str(meta.partition)
            first, last = acked.get(key, (meta.offset, meta.offset))
            acked[key] = (min(first, meta.offset), max(last, meta.offset))
        return acked

    async def _verify_broker(self, offsets: dict[str, int]) -> None:
        if not offsets:
            await ensure_topics(self.bootstrap, [self.topic], self.partitions, replication=self.replication)
            return
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        await consumer.start()
        try:
            partitions = [TopicPartition(self.topic, int(p)) for p in offsets]
            # The embedded broker's end offsets can trail acknowledged writes for a moment;
            # only a shortfall that persists means the log is gone.
            for attempt in range(5):
                ends = await consumer.end_offsets(partitions)
                short = {tp: end for tp, end in ends.items() if end < offsets[str(tp.partition)]}
                if not short:
                    return
                await asyncio.sleep(0.2 * (attempt + 1))
        finally:
            await consumer.stop()
        tp, end = next(iter(short.items()))
        published = offsets[str(tp.partition)]
        raise BrokerLostDataError(f"partition {tp.partition} of {self.topic} ends at {end}, below {published}")

    async def _load_progress(self, conn: Conn) -> tuple[SourcePosition, dict[str, int], int, int]:
        row = await conn.fetchrow(self._load_sql, self.topic)
        if row is None:
            return START, {}, 0, 0
        offsets = _offsets.decode(row["partition_offsets"])
        self._set_status((row["tx_id"], row["position"]), offsets, row["published"], row["republished"])
        return (row["tx_id"], row["position"]), offsets, row["published"], row["republished"]

    async def _save(
        self, conn: Conn, position: SourcePosition, offsets: dict[str, int], published: int, republished: int
    ) -> None:
        await conn.execute(
            self._save_sql, self.topic, position[0], position[1], _encode(offsets), published, republished
        )
        self._set_status(position, offsets, published, republished)
        self.status.last_publish_at = time.time()
        self.status.last_error = None

    def _set_status(self, position: SourcePosition, offsets: dict[str, int], published: int, republished: int) -> None:
        self.status.last_position = position
        self.status.partition_offsets = dict(offsets)
        self.status.published = published
        self.status.republished = republished


def _check_offsets_advance(recorded: dict[str, int], acked: dict[str, tuple[int, int]]) -> None:
    """A batch that starts below where the last one ended landed in a log that restarted empty."""
    for partition, (first, _) in acked.items():
        expected_next = recorded.get(partition, 0)
        if first < expected_next:
            raise BrokerLostDataError(
                f"partition {partition} acknowledged offset {first}, below the {expected_next} already published"
            )

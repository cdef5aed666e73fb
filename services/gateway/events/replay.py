"""A resuming subscriber's catch-up: the events it missed, then the live hub, nothing twice.

A client that reconnects passes the cursor of the last event it saw (``events.cursor``). The
events published since are replayed from the gateway's memory when the hub's buffer still
holds them all (a reconnect after a slow-subscriber drop, or to a replica that has been up
as long), and otherwise read again from the topics, by offset, with a consumer of the
subscriber's own: after a restart, from another replica's cursor, or after a long absence.
Either way the subscriber joins the hub only once it has read every partition up to where
the hub publishes from next (``EventHub.positions``), with no await between that check and
the registration, so no event falls between the replay and the live feed. A cursor issued by
a replica that had read further than this one sets a floor: the hub's events below it were
already delivered, and are skipped.

Events older than ``TINHSO_GATEWAY_LIVE_REPLAY_HOURS``, or no longer on the broker, are not
replayed: the subscription fails with ``REPLAY_UNAVAILABLE`` rather than skip them. See
docs/adr/0032-live-feed-resume.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
from collections.abc import AsyncIterator, Callable

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from contracts.services import EVENT_SOURCED
from libs.common.event_signing import RecordVerifier
from libs.common.kafka import KafkaAccess, kafka_access, make_consumer
from libs.common.settings import Settings
from services.gateway.events.cursor import FeedCursor, Partition
from services.gateway.events.directory import UnitDirectory
from services.gateway.events.hub import EventHub, LiveEvent, ReplayUnavailableError, Subscriber
from services.gateway.events.records import SEED_RECORDS, RecordReader, live_event

READY_TIMEOUT_SECONDS = 30.0
"""How long a resume waits for the live consumer to find the topics' partitions."""
BATCH_RECORDS = 5000
END_OFFSETS_PATIENCE_SECONDS = 5.0
"""How long a resume asks the broker again before it calls a cursor past the log's end unknown."""


class FeedReplay:
    """Makes each resuming subscriber's catch-up; one per gateway process."""

    def __init__(self, settings: Settings, hub: EventHub, directory: UnitDirectory) -> None:
        self.hub = hub
        self.directory = directory
        self.retention = datetime.timedelta(hours=settings.gateway_live_replay_hours)
        self.readers = asyncio.Semaphore(settings.gateway_live_replay_readers)
        """Replays from the broker under way at once; more wait (each holds a consumer)."""
        self._access: KafkaAccess = kafka_access(settings)
        self._fetch_wait_ms = settings.kafka_fetch_wait_ms
        self._topics = {service: settings.topic(service) for service in EVENT_SOURCED}
        self._services = {topic: service for service, topic in self._topics.items()}
        self._verifier = RecordVerifier.from_settings(settings, EVENT_SOURCED)

    def resume(
        self, cursor: FeedCursor, matches: Callable[[LiveEvent], bool], types: frozenset[str] | None = None
    ) -> Resume:
        age = datetime.datetime.now(datetime.UTC) - cursor.recorded_at
        if age > self.retention:
            raise ReplayUnavailableError(
                f"the cursor's event is older than the {self.retention.total_seconds() / 3600:g} hours "
                "this feed replays; subscribe without `after` and reload the state with a query",
                details={"reason": "retention", "replay_hours": self.retention.total_seconds() / 3600},
            )
        return Resume(self, cursor, matches, types)


class Resume:
    """One subscriber's catch-up: iterate ``events()``; afterwards ``subscriber`` is live."""

    def __init__(
        self,
        replay: FeedReplay,
        cursor: FeedCursor,
        matches: Callable[[LiveEvent], bool],
        types: frozenset[str] | None = None,
    ) -> None:
        self.replay = replay
        self.hub = replay.hub
        self.start = dict(cursor.offsets)
        self.matches = matches
        self.types = types
        """The only types ``matches`` passes (None: any), for the hub's index."""
        self.subscriber: Subscriber | None = None

    async def events(self) -> AsyncIterator[LiveEvent]:
        """The missed events that ``matches`` accepts, oldest first; then ``subscriber`` is set."""
        async for batch in self.batches():
            for event in batch:
                yield event

    async def batches(self, size: int = BATCH_RECORDS) -> AsyncIterator[list[LiveEvent]]:
        """:meth:`events` in lists of at most ``size``, each what one read from memory or from
        the broker gave (never empty)."""
        try:
            async with asyncio.timeout(READY_TIMEOUT_SECONDS):
                await self.hub.assigned.wait()
        except TimeoutError:
            raise ReplayUnavailableError(
                "the live feed has not reached the topics yet; try again shortly", details={"reason": "not_ready"}
            ) from None
        # A cursor past where this hub stands comes from a replica that has read further: only
        # the broker can tell it from one naming records that do not exist.
        ahead = any(at > self.hub.positions.get(partition, 0) for partition, at in self.start.items())
        remembered = None if ahead else self.hub.replay_from_memory(self.start)
        if remembered is not None:
            self._go_live(self.start)
            matched = [event for event in remembered if self.matches(event)]
            for at in range(0, len(matched), size):
                yield matched[at : at + size]
            return
        async with self.replay.readers:
            async for batch in self._from_broker(size):
                yield batch

    def _go_live(self, read: dict[Partition, int]) -> None:
        """Join the hub; call only when ``read`` has caught up with it (no await in between)."""
        floor = {p: at for p, at in read.items() if at > self.hub.positions.get(p, 0)}
        matches = self.matches
        if floor:

            def matches(event: LiveEvent) -> bool:
                source = event.source
                if source is not None and source[1] < floor.get(source[0], 0):
                    return False  # the cursor's replica had delivered it already
                return self.matches(event)

        self.subscriber = self.hub.subscribe(matches, types=self.types)

    async def _from_broker(self, size: int) -> AsyncIterator[list[LiveEvent]]:
        replay = self.replay
        consumer = make_consumer(
            replay._access,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=replay._fetch_wait_ms,
            max_partition_fetch_bytes=4 * 1024 * 1024,
            client_id="tinhso-gateway-replay",
        )
        try:
            await consumer.start()
            async for batch in self._read(consumer, size):
                yield batch
        finally:
            with contextlib.suppress(Exception):
                await consumer.stop()

    async def _read(self, consumer: AIOKafkaConsumer, size: int) -> AsyncIterator[list[LiveEvent]]:
        replay, hub = self.replay, self.hub
        partitions = {TopicPartition(replay._topics[s], i): (s, i) for s, i in hub.positions if s in replay._topics}
        consumer.assign(list(partitions))
        read = await self._seek_to_cursor(consumer, partitions)
        reader = RecordReader(replay._verifier, replay._services)
        waiting: set[TopicPartition] = set()
        while True:
            if hub.caught_up(read):
                self._go_live(read)
                return
            for tp in list(waiting):
                if read[partitions[tp]] < hub.positions.get(partitions[tp], 0):
                    consumer.seek(tp, read[partitions[tp]])
                    consumer.resume(tp)
                    waiting.discard(tp)
            fetched = await consumer.getmany(timeout_ms=100, max_records=size)
            batch: list[LiveEvent] = []
            for tp, records in fetched.items():
                self._take(
                    records,
                    tp,
                    partitions[tp],
                    consumer=consumer,
                    reader=reader,
                    read=read,
                    waiting=waiting,
                    into=batch,
                )
            if batch:
                yield batch

    def _take(
        self,
        records: list[ConsumerRecord[bytes, bytes]],
        tp: TopicPartition,
        partition: Partition,
        *,
        consumer: AIOKafkaConsumer,
        reader: RecordReader,
        read: dict[Partition, int],
        waiting: set[TopicPartition],
        into: list[LiveEvent],
    ) -> None:
        """The events of one partition's ``records`` that ``matches`` accepts, appended to ``into``;
        ``read`` advances past each record taken."""
        if tp in waiting:
            return
        # Nothing here awaits: the hub's position and the cursor's are the same for every record.
        live_from = self.hub.positions.get(partition, 0)
        start = self.start.get(partition, 0)
        at = read[partition]
        take, types, matches, directory = reader.take, self.types, self.matches, self.directory
        for record in records:
            offset = record.offset
            if offset < at:
                if offset < start:
                    take(tp, record)  # before the cursor: seeds the copy rule
                continue
            if offset >= live_from:
                # The hub publishes it: stop here until the hub has gone past. Every
                # record below it is read (offsets may skip, past transaction markers).
                read[partition] = max(at, live_from)
                consumer.pause(tp)
                waiting.add(tp)
                return
            at = read[partition] = offset + 1
            taken = take(tp, record, types)
            if taken is None:
                continue
            event = live_event(taken, directory, (partition, offset), dict(read), shared=False)
            if matches(event):
                into.append(event)

    async def _seek_to_cursor(
        self, consumer: AIOKafkaConsumer, partitions: dict[TopicPartition, Partition]
    ) -> dict[Partition, int]:
        """Per partition, the cursor's offset; seeks a few records before it (the copy rule's seed)."""
        first = await consumer.beginning_offsets(list(partitions))
        last = await self._ends_reaching_cursor(consumer, partitions)
        read: dict[Partition, int] = {}
        for tp, partition in partitions.items():
            at = self.start.get(partition, 0)
            if at < first[tp]:
                raise ReplayUnavailableError(
                    "events after the cursor are no longer on the broker; subscribe without `after` "
                    "and reload the state with a query",
                    details={"reason": "retention"},
                )
            if at > self._known_end(tp, partition, last):
                raise ReplayUnavailableError(
                    "the cursor names events the broker does not hold (its log was reset); subscribe "
                    "without `after` and reload the state with a query",
                    details={"reason": "unknown_position"},
                )
            read[partition] = at
            consumer.seek(tp, max(first[tp], at - SEED_RECORDS))
        return read

    async def _ends_reaching_cursor(
        self, consumer: AIOKafkaConsumer, partitions: dict[TopicPartition, Partition]
    ) -> dict[TopicPartition, int]:
        """The partitions' end offsets, asked again for a while when the cursor is past one: the
        broker has been seen (the embedded one, under load) to answer short of records it had
        already served to the live consumer."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + END_OFFSETS_PATIENCE_SECONDS
        while True:
            last: dict[TopicPartition, int] = await consumer.end_offsets(list(partitions))
            behind = [tp for tp, p in partitions.items() if self.start.get(p, 0) > self._known_end(tp, p, last)]
            if not behind or loop.time() >= give_up:
                return last
            await asyncio.sleep(0.25)

    def _known_end(self, tp: TopicPartition, partition: Partition, last: dict[TopicPartition, int]) -> int:
        """How far the partition is known to reach: the broker's answer, or past it what this
        process's live consumer has read (records the broker served, whatever its end says)."""
        return max(last[tp], self.hub.positions.get(partition, 0))

    @property
    def directory(self) -> UnitDirectory:
        return self.replay.directory

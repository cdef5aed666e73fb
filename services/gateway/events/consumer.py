"""The gateway's own Kafka consumer: every partition of the three service topics, no group.

Every gateway replica must see every event (each holds its own subscribers), so partitions are
assigned manually, all of them, with no consumer group and no committed offsets. Broadcast and
metrics partitions start at their end: subscribers want what happens from now on. The
registry's start from the beginning, because the unit directory (which unit sits under which)
is folded from its whole history; only what arrives after the start is fanned out.

A topic that does not exist yet (a fresh platform whose relay has not published) is picked up
when it appears; everything in it is then new, so it is read from its beginning.

Each record goes through a ``RecordReader`` (``events.records``): only the relays' records are
folded in or fanned out, once each. At start, the last records before a live partition's end
seed its copy rule without being fanned out, so a replay right after a restart is a copy too.
Every record read advances the hub's position for its partition, and each event fanned out
carries the position after it: the cursor a subscriber resumes from (``events.cursor``).
Every record taken also tells the response cache what it touches (``cache.invalidation``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from contracts.services import EVENT_SOURCED
from libs.common.event_signing import RecordVerifier
from libs.common.kafka import kafka_access, make_consumer
from libs.common.settings import Settings
from services.gateway.cache.invalidation import Invalidation
from services.gateway.events.directory import UnitDirectory
from services.gateway.events.hub import EventHub
from services.gateway.events.records import SEED_RECORDS, RecordReader, live_event

log = logging.getLogger(__name__)

TOPIC_CHECK_SECONDS = 5.0
"""How often to look for partitions added to a topic."""
MISSING_TOPIC_CHECK_SECONDS = 0.1
"""While a topic is missing, look often: its first events are waiting to be fanned out."""


class GatewayConsumer:
    def __init__(
        self, settings: Settings, hub: EventHub, directory: UnitDirectory, invalidation: Invalidation | None = None
    ) -> None:
        self.bootstrap = kafka_access(settings)
        self.fetch_wait_ms = settings.kafka_fetch_wait_ms
        self.registry_topic = settings.topic("registry")
        self.topics = [settings.topic(s) for s in EVENT_SOURCED]
        self.reader = RecordReader(
            RecordVerifier.from_settings(settings, EVENT_SOURCED), {settings.topic(s): s for s in EVENT_SOURCED}
        )
        self.hub = hub
        self.directory = directory
        self.invalidation = invalidation
        """The response cache's, told of every event taken (None: no cache)."""
        self.ready = asyncio.Event()
        """Set once every topic is assigned and the registry's history is folded in."""
        self.last_error: str | None = None
        self._next: dict[TopicPartition, int] = {}
        self._live_from: dict[TopicPartition, int] = {}
        self._started = False

    @property
    def untrusted(self) -> int:
        """Records dropped as not their topic's relay's."""
        return self.reader.untrusted

    async def run(self) -> None:
        while True:
            try:
                await self._consume()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker trouble: start a new consumer where this one was
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("gateway event consumer stopped (%s); restarting in 1 s", exc)
                await asyncio.sleep(1.0)

    async def _consume(self) -> None:
        consumer = make_consumer(
            self.bootstrap,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=self.fetch_wait_ms,
            client_id="tinhso-gateway-live",
        )
        try:
            await consumer.start()  # inside the try: cancelled while connecting, it is still closed
            assigned: set[TopicPartition] = set()
            next_check = 0.0
            while True:
                now = time.monotonic()
                if now >= next_check:
                    assigned = await self._assign(consumer, assigned)
                    complete = {tp.topic for tp in assigned} == set(self.topics)
                    next_check = now + (TOPIC_CHECK_SECONDS if complete else MISSING_TOPIC_CHECK_SECONDS)
                if not assigned:
                    await asyncio.sleep(MISSING_TOPIC_CHECK_SECONDS)
                    continue
                batches = await consumer.getmany(timeout_ms=100, max_records=5000)
                for tp, records in batches.items():
                    self._handle(tp, records)
                if not self.ready.is_set() and self._caught_up(assigned):
                    self.ready.set()
        finally:
            with contextlib.suppress(Exception):
                await consumer.stop()

    async def _assign(self, consumer: AIOKafkaConsumer, assigned: set[TopicPartition]) -> set[TopicPartition]:
        # All topics' metadata, not the client's cached view: it only follows assigned topics, so a
        # topic created later would never show up in it.
        cluster = await consumer._client.fetch_all_metadata()
        wanted = {
            TopicPartition(topic, partition)
            for topic in self.topics
            for partition in cluster.partitions_for_topic(topic) or ()
        }
        at_start = not self._started
        self._started = True
        if wanted == assigned:
            return assigned
        consumer.assign(sorted(wanted))
        new = [tp for tp in wanted if tp not in self._live_from]
        if new and at_start:
            await consumer.seek_to_end(*new)
            for tp in new:
                self._live_from[tp] = await consumer.position(tp)
        else:
            # A topic born after the gateway started holds only new events.
            self._live_from.update(dict.fromkeys(new, 0))
        for tp in new:
            self.hub.positions[self.reader.partition(tp)] = self._live_from[tp]
        self.hub.assigned.set()
        for tp in wanted:
            if tp in self._next:
                consumer.seek(tp, self._next[tp])
            elif tp.topic == self.registry_topic:
                await consumer.seek_to_beginning(tp)
            else:
                # Below the log's start (retention), the consumer resets to its beginning.
                consumer.seek(tp, max(0, self._live_from[tp] - SEED_RECORDS))
        return wanted

    def _caught_up(self, assigned: Iterable[TopicPartition]) -> bool:
        """The registry's history is folded in (the directory is complete up to the start)."""
        return all(
            self._next.get(tp, 0) >= self._live_from.get(tp, 0) for tp in assigned if tp.topic == self.registry_topic
        )

    def _handle(self, tp: TopicPartition, records: list[ConsumerRecord[bytes, bytes]]) -> None:
        is_registry = tp.topic == self.registry_topic
        live_from = self._live_from.get(tp, 0)
        partition = self.reader.partition(tp)
        positions = self.hub.positions
        for record in records:
            self._next[tp] = record.offset + 1
            if record.offset >= live_from:
                positions[partition] = record.offset + 1
            taken = self.reader.take(tp, record)
            if taken is None:
                continue
            if is_registry:
                self.directory.apply(taken.envelope.type, taken.data)
            if self.invalidation is not None:
                self.invalidation.event(taken.envelope.stream_id, taken.data)
            if record.offset < live_from:
                continue
            self.hub.publish(live_event(taken, self.directory, (partition, record.offset), dict(positions)))

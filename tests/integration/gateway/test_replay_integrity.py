"""A replay from the broker passes on exactly what the live consumer would: the relays' records
after the cursor, each once, in order, and nothing forged (ADR 0022, ADR 0060)."""

from __future__ import annotations

import asyncio
import datetime
import secrets

import msgspec
from aiokafka import AIOKafkaProducer

from contracts.envelope import Envelope
from contracts.services import EVENT_SOURCED
from libs.common.cancellation import stop_tasks
from libs.common.event_signing import RecordSigner
from libs.common.kafka import ensure_topics
from libs.common.settings import Settings
from services.gateway.events.consumer import GatewayConsumer
from services.gateway.events.cursor import FeedCursor
from services.gateway.events.directory import UnitDirectory
from services.gateway.events.hub import EventHub, LiveEvent
from services.gateway.events.replay import FeedReplay
from tests.support.envelopes import forged_envelope

LOST = "broadcast.cluster_signal_lost"
RESTORED = "broadcast.cluster_signal_restored"


def signal(event_type: str, tx_id: int) -> Envelope:
    return forged_envelope(
        event_type, f"cluster-{tx_id}", "speaker_cluster", {"cluster_id": f"c{tx_id}"}, tx_id=tx_id, position=tx_id
    )


async def test_a_replay_in_batches_gives_the_missed_events_once_in_order_and_refuses_forged_ones(
    settings: Settings,
) -> None:
    topics = [settings.topic(s) for s in EVENT_SOURCED]
    await ensure_topics(settings.kafka_bootstrap, topics, 1)
    topic = settings.topic("broadcast")
    signer = RecordSigner.from_settings(settings, "broadcast")  # the broadcast relay's key
    stranger = RecordSigner(secrets.token_bytes(32), topic)  # a key the gateway does not accept
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()

    async def publish(envelope: Envelope, signed_by: RecordSigner | None = signer) -> None:
        value = msgspec.json.encode(envelope)
        headers = [signed_by.header(value, 0)] if signed_by is not None else []
        await producer.send_and_wait(topic, value, partition=0, headers=headers)

    seen, missed = signal(LOST, 10), [signal(LOST, 11), signal(LOST, 12), signal(LOST, 15)]
    try:
        await publish(seen)  # offset 0: the subscriber had it; its cursor points past it
        await publish(missed[0])
        await publish(signal(LOST, 2**62), signed_by=None)  # forged, unsigned, far in the future
        await publish(signal(LOST, 2**61), signed_by=stranger)  # forged, signed with another key
        await publish(missed[1])
        await publish(missed[0])  # a copy: republished
        await publish(signal(RESTORED, 13))  # a type the subscription does not take
        await publish(seen)  # a copy of an event before the cursor
        await publish(missed[2])
    finally:
        await producer.stop()

    # A hub that keeps one event: the replay has to read the broker.
    hub = EventHub(replay_size=1)
    consumer = GatewayConsumer(settings, hub, UnitDirectory())
    task = asyncio.create_task(consumer.run())
    try:
        async with asyncio.timeout(20):
            await consumer.ready.wait()
        replay = FeedReplay(settings, hub, UnitDirectory())
        cursor = FeedCursor(
            offsets={(s, 0): 1 if s == "broadcast" else 0 for s in EVENT_SOURCED},
            recorded_at=datetime.datetime.now(datetime.UTC),
        )
        resume = replay.resume(cursor, lambda event: event.type == LOST, frozenset({LOST}))
        async with asyncio.timeout(20):
            batches: list[list[LiveEvent]] = [batch async for batch in resume.batches(2)]
        assert resume.subscriber is not None, "the replay did not hand over to the live feed"
        hub.unsubscribe(resume.subscriber)
    finally:
        assert await stop_tasks([task], within=30) == [], "the consumer did not stop"
    events = [event for batch in batches for event in batch]
    assert [event.event_id for event in events] == [str(envelope.event_id) for envelope in missed]
    assert all(1 <= len(batch) <= 2 for batch in batches)
    assert [event.source for event in events] == [(("broadcast", 0), offset) for offset in (1, 4, 8)]
    assert events[-1].cursor is not None
    assert events[-1].cursor.offsets[("broadcast", 0)] == 9
    assert [event.data for event in events] == [{"cluster_id": f"c{e.tx_id}"} for e in missed]
    assert [event.data_json for event in events] == [e.data for e in missed]

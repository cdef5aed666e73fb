"""The gateway's live consumer fans out only the relays' records, each once (ADR 0022)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import msgspec
from aiokafka import AIOKafkaProducer

from contracts.envelope import Envelope
from contracts.services import EVENT_SOURCED
from libs.common.cancellation import stop_tasks
from libs.common.event_signing import RecordSigner
from libs.common.kafka import ensure_topics
from libs.common.relay import kafka_headers
from libs.common.settings import Settings
from services.gateway.events.consumer import GatewayConsumer
from services.gateway.events.directory import UnitDirectory
from services.gateway.events.hub import EventHub, LiveEvent


def signal_lost(tx_id: int) -> Envelope:
    now = datetime.now(UTC)
    return Envelope(
        event_id=uuid.uuid4(),
        stream_id=f"cluster-{tx_id}",
        stream_type="speaker_cluster",
        version=1,
        type="broadcast.cluster_signal_lost",
        schema_version=1,
        occurred_at=now,
        recorded_at=now,
        tx_id=tx_id,
        position=tx_id,
        data=msgspec.Raw(msgspec.json.encode({"cluster_id": f"c{tx_id}"})),
    )


async def test_forged_and_replayed_records_reach_no_subscriber(settings: Settings) -> None:
    """Failed before the fix: the forged record and the replayed copy were both fanned out."""
    topics = [settings.topic(s) for s in EVENT_SOURCED]
    await ensure_topics(settings.kafka_bootstrap, topics, 1)
    hub, topic = EventHub(), settings.topic("broadcast")
    consumer = GatewayConsumer(settings, hub, UnitDirectory())
    task = asyncio.create_task(consumer.run())
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    try:
        async with asyncio.timeout(20):
            await consumer.ready.wait()
        seen = hub.subscribe(lambda _: True)
        signer = RecordSigner.from_settings(settings, "broadcast")  # the broadcast relay's key

        async def publish(envelope: Envelope, *, sign: bool = True) -> None:
            value = msgspec.json.encode(envelope)
            headers = kafka_headers(envelope) + ([signer.header(value)] if sign else [])
            await producer.send_and_wait(topic, value, key=b"k", headers=headers)

        genuine, later = signal_lost(10), signal_lost(11)
        await publish(genuine)
        await publish(signal_lost(2**62), sign=False)  # forged, and far in the future
        await publish(genuine)  # replayed
        await publish(later)
        received: list[LiveEvent] = []
        async with asyncio.timeout(20):
            while not received or received[-1].event_id != str(later.event_id):
                received.append(await seen.next())
    finally:
        await producer.stop()
        assert await stop_tasks([task], within=30) == [], "the consumer did not stop"
    assert [e.event_id for e in received] == [str(genuine.event_id), str(later.event_id)]
    assert consumer.untrusted == 1

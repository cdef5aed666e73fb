"""The gateway's live consumer fans out only the relays' records, each once (ADR 0022)."""

from __future__ import annotations

import asyncio
import logging

import msgspec
import pytest
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
from tests.support.envelopes import forged_envelope


def signal_lost(tx_id: int) -> Envelope:
    return forged_envelope(
        "broadcast.cluster_signal_lost",
        f"cluster-{tx_id}",
        "speaker_cluster",
        {"cluster_id": f"c{tx_id}"},
        tx_id=tx_id,
        position=tx_id,
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
            headers = kafka_headers(envelope) + ([signer.header(value, 0)] if sign else [])
            await producer.send_and_wait(topic, value, partition=0, headers=headers)

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


async def test_a_genuine_record_copied_to_another_partition_reaches_no_subscriber(settings: Settings) -> None:
    """Failed before the fix: the signature did not cover the partition and the copy rule is
    per partition, so the copy on partition 1 was fanned out a second time."""
    topics = [settings.topic(s) for s in ("registry", "broadcast", "metrics")]
    await ensure_topics(settings.kafka_bootstrap, topics, 2)
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

        async def publish(envelope: Envelope, partition: int) -> tuple[bytes, list[tuple[str, bytes]]]:
            value = msgspec.json.encode(envelope)
            headers = [*kafka_headers(envelope), signer.header(value, partition)]
            await producer.send_and_wait(topic, value, partition=partition, headers=headers)
            return value, headers

        genuine, later, other = signal_lost(10), signal_lost(11), signal_lost(12)
        value, headers = await publish(genuine, 0)
        await producer.send_and_wait(topic, value, partition=1, headers=headers)  # the copy
        await publish(later, 0)
        await publish(other, 1)  # behind the copy: once it arrives, the copy has been read
        received: list[str] = []
        async with asyncio.timeout(20):
            while not {str(later.event_id), str(other.event_id)} <= set(received):
                received.append((await seen.next()).event_id)
    finally:
        await producer.stop()
        assert await stop_tasks([task], within=30) == [], "the consumer did not stop"
    assert sorted(received) == sorted(str(e.event_id) for e in (genuine, later, other))
    assert consumer.untrusted == 1


async def test_a_flood_of_forged_records_logs_one_line_per_partition(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """Failed before the fix: one warning per forged record, so a flood of them flooded the log."""
    topics = [settings.topic(s) for s in ("registry", "broadcast", "metrics")]
    await ensure_topics(settings.kafka_bootstrap, topics, 1)
    hub, topic = EventHub(), settings.topic("broadcast")
    consumer = GatewayConsumer(settings, hub, UnitDirectory())
    task = asyncio.create_task(consumer.run())
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    try:
        async with asyncio.timeout(20):
            await consumer.ready.wait()
        with caplog.at_level(logging.WARNING, logger="services.gateway.events.consumer"):
            for n in range(30):
                forged = msgspec.json.encode(signal_lost(100 + n))
                await producer.send_and_wait(topic, forged, partition=0, headers=[("signature", b"00:00")])
            async with asyncio.timeout(20):
                while consumer.untrusted < 30:  # noqa: ASYNC110 - polling the consumer's own counter
                    await asyncio.sleep(0.05)
    finally:
        await producer.stop()
        assert await stop_tasks([task], within=30) == [], "the consumer did not stop"
    dropped = [r for r in caplog.records if "dropped" in r.getMessage()]
    assert len(dropped) == 1
    assert f"{topic}[0]" in dropped[0].getMessage()


async def test_a_genuine_record_replayed_after_the_gateway_started_reaches_no_subscriber(settings: Settings) -> None:
    """Failed before the fix: live partitions started at their end with nothing taken, so a
    genuine record re-sent to its own partition after a (re)start was fanned out once more."""
    topics = [settings.topic(s) for s in ("registry", "broadcast", "metrics")]
    await ensure_topics(settings.kafka_bootstrap, topics, 1)
    hub, topic = EventHub(), settings.topic("broadcast")
    signer = RecordSigner.from_settings(settings, "broadcast")
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()

    async def publish(envelope: Envelope) -> None:
        value = msgspec.json.encode(envelope)
        await producer.send_and_wait(topic, value, partition=0, headers=[signer.header(value, 0)])

    genuine, later = signal_lost(10), signal_lost(11)
    await publish(genuine)  # before the gateway starts: history, not news
    consumer = GatewayConsumer(settings, hub, UnitDirectory())
    task = asyncio.create_task(consumer.run())
    try:
        async with asyncio.timeout(20):
            await consumer.ready.wait()
        seen = hub.subscribe(lambda _: True)
        await publish(genuine)  # replayed
        await publish(later)
        received: list[str] = []
        async with asyncio.timeout(20):
            while str(later.event_id) not in received:
                received.append((await seen.next()).event_id)
    finally:
        await producer.stop()
        assert await stop_tasks([task], within=30) == [], "the consumer did not stop"
    assert received == [str(later.event_id)]

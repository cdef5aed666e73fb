"""Kafka clients configured from settings: topic creation, producer, reachability check."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from libs.common.settings import Settings

SERVICES_WITH_TOPICS = ("registry", "broadcast", "metrics")


def service_topics(settings: Settings) -> list[str]:
    return [settings.topic(service) for service in SERVICES_WITH_TOPICS]


async def ensure_topics(
    bootstrap: str, topics: Iterable[str], partitions: int, *, replication: int = 1, timeout: float = 30.0
) -> None:
    """Create the topics that do not exist yet; existing ones are left as they are."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(timeout * 1000))
    try:
        async with asyncio.timeout(timeout):  # inside the try: a start that fails or is stopped is closed too
            await admin.start()
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(t, num_partitions=partitions, replication_factor=replication) for t in topics if t not in existing
        ]
        if missing:
            # another process may create one between our list and our create
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
    finally:
        await admin.close()


async def broker_reachable(bootstrap: str, timeout: float = 5.0) -> str | None:
    """``None`` when the broker answers metadata requests, else the reason it does not."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(timeout * 1000))
    try:
        async with asyncio.timeout(timeout):
            await admin.start()
        async with asyncio.timeout(timeout):
            await admin.list_topics()
    except (KafkaError, OSError, TimeoutError) as exc:
        return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    finally:
        await admin.close()
    return None


def make_producer(settings: Settings, client_id: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap,
        client_id=client_id,
        enable_idempotence=settings.idempotent_producer,
        acks="all",
        linger_ms=5,
        max_batch_size=256 * 1024,
        request_timeout_ms=15000,
    )

"""Kafka clients configured from settings: topic creation, producer, consumers, reachability.

Every aiokafka client of the platform is built here, through :func:`client_options`, so the
broker's security settings (SASL, TLS; ADR 0023) reach each one: the producer, the projection
and relay consumers, the gateway's live consumer and the admin client ``tinhso`` uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import ssl
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeAlias

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from contracts.services import EVENT_SOURCED
from libs.common.settings import Settings
from libs.common.tls import client_context


@dataclasses.dataclass(frozen=True, kw_only=True)
class KafkaAccess:
    """Where the brokers are and how a client proves who it is and whom it talks to."""

    bootstrap: str
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str = ""
    sasl_username: str = ""
    sasl_password: str = dataclasses.field(default="", repr=False)  # never in a log line or a traceback
    ssl_cafile: str = ""
    ssl_certfile: str = ""
    ssl_keyfile: str = ""
    ssl_check_hostname: bool = True


Broker: TypeAlias = str | KafkaAccess
"""A bare bootstrap string is a plaintext broker: the embedded one, tests and benchmarks."""


def kafka_access(settings: Settings) -> KafkaAccess:
    """The settings' broker access; the password file is read here, when a process starts."""
    password = settings.kafka_sasl_password
    if settings.kafka_sasl_password_file:
        password = Path(settings.kafka_sasl_password_file).read_text().strip()
    protocol = settings.kafka_security_protocol
    return KafkaAccess(
        bootstrap=settings.kafka_bootstrap,
        security_protocol=protocol.value,
        sasl_mechanism=settings.kafka_sasl_mechanism.value if protocol.uses_sasl else "",
        sasl_username=settings.kafka_sasl_username if protocol.uses_sasl else "",
        sasl_password=password if protocol.uses_sasl else "",
        ssl_cafile=settings.kafka_ssl_cafile,
        ssl_certfile=settings.kafka_ssl_certfile,
        ssl_keyfile=settings.kafka_ssl_keyfile,
        ssl_check_hostname=settings.kafka_ssl_check_hostname,
    )


def tls_context(access: KafkaAccess) -> ssl.SSLContext:
    """Built with each client, so a certificate rotated on disk is picked up by the next one."""
    return client_context(
        cafile=access.ssl_cafile,
        certfile=access.ssl_certfile,
        keyfile=access.ssl_keyfile,
        check_hostname=access.ssl_check_hostname,
    )


def client_options(broker: Broker) -> dict[str, Any]:
    """The connection arguments every aiokafka client gets: the one place security is applied."""
    if isinstance(broker, str):
        return {"bootstrap_servers": broker}
    options: dict[str, Any] = {
        "bootstrap_servers": broker.bootstrap,
        "security_protocol": broker.security_protocol,
    }
    if broker.security_protocol in ("SSL", "SASL_SSL"):
        options["ssl_context"] = tls_context(broker)
    if broker.security_protocol.startswith("SASL_"):
        options["sasl_mechanism"] = broker.sasl_mechanism
        options["sasl_plain_username"] = broker.sasl_username
        options["sasl_plain_password"] = broker.sasl_password
    return options


def make_consumer(broker: Broker, **options: Any) -> AIOKafkaConsumer:
    """A consumer with the broker's security settings; ``options`` are the consumer's own."""
    return AIOKafkaConsumer(**client_options(broker), **options)


def make_admin(broker: Broker, **options: Any) -> AIOKafkaAdminClient:
    return AIOKafkaAdminClient(**client_options(broker), **options)


def service_topics(settings: Settings) -> list[str]:
    return [settings.topic(service) for service in EVENT_SOURCED]


async def ensure_topics(
    bootstrap: Broker, topics: Iterable[str], partitions: int, *, replication: int = 1, timeout: float = 30.0
) -> None:
    """Create the topics that do not exist yet; existing ones are left as they are."""
    admin = make_admin(bootstrap, request_timeout_ms=int(timeout * 1000))
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


async def broker_reachable(bootstrap: Broker, timeout: float = 5.0) -> str | None:
    """``None`` when the broker answers metadata requests, else the reason it does not."""
    try:
        admin = make_admin(bootstrap, request_timeout_ms=int(timeout * 1000))
    except (OSError, ValueError) as exc:  # an unreadable CA file or a key that does not match
        return f"{type(exc).__name__}: {exc}"
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
        **client_options(kafka_access(settings)),
        client_id=client_id,
        enable_idempotence=settings.idempotent_producer,
        acks="all",
        linger_ms=5,
        max_batch_size=256 * 1024,
        request_timeout_ms=15000,
    )

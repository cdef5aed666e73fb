"""The event backbone of one service process: its outbox relay, its projection runners and the
expiry of its old idempotency records.

Built in a service's composition root, started and stopped by its runtime.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import asyncpg

from libs.common import backbone_metrics
from libs.common.cancellation import stop_tasks
from libs.common.db import Conn
from libs.common.event_signing import RecordVerifier, signing_key
from libs.common.eventstore.key_expiry import KeyExpiry
from libs.common.kafka import kafka_access
from libs.common.projections import dead_letters
from libs.common.projections.projection import Projection
from libs.common.projections.runner import ProjectionRunner
from libs.common.prometheus_metrics import Families
from libs.common.relay import OutboxRelay, ProducerProvider
from libs.common.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class RelayBacklog:
    """Events committed but not yet published, and how long the oldest of them has waited."""

    events: int = 0
    oldest_seconds: float = 0.0


@dataclass
class StoredFigures:
    """What only the database knows, read when Prometheus scrapes (``refresh_figures``)."""

    backlog: RelayBacklog = field(default_factory=RelayBacklog)
    dead_letters: dict[str, int] = field(default_factory=dict)
    read_at: float | None = None


class Backbone:
    def __init__(self, service: str, settings: Settings, projections: Sequence[Projection] = ()) -> None:
        self.service = service
        self.settings = settings
        self.projections = list(projections)
        self.relay: OutboxRelay | None = None
        # Read here, when the app is built: a missing key stops the process in one line (exit 2)
        # before it serves. An API process runs no relay and reads no topic: it needs none.
        self._signing_key = b"" if settings.runs_api_only else signing_key(settings, service)
        self._verifiers = {
            p.name: RecordVerifier.from_settings(settings, p.sources)
            for p in self.projections
            if not settings.runs_api_only
        }
        self.runners: list[ProjectionRunner] = []
        self.figures = StoredFigures()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self, pool: asyncpg.Pool, producer: ProducerProvider) -> None:
        settings = self.settings
        self.relay = OutboxRelay(
            settings.database_url,
            self.service,
            settings.topic(self.service),
            producer,
            signing_key=self._signing_key,
            bootstrap=kafka_access(settings),
            partitions=settings.kafka_partitions,
            replication=settings.kafka_replication_factor,
        )
        self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{self.service}-relay"))
        for projection in self.projections:
            runner = ProjectionRunner(
                projection,
                pool,
                bootstrap=kafka_access(settings),
                topics={source: settings.topic(source) for source in projection.sources},
                group_id=f"{settings.topic_prefix}.{projection.name}" if settings.projection_groups else None,
                verifier=self._verifiers[projection.name],
                fetch_wait_ms=settings.kafka_fetch_wait_ms,
            )
            self.runners.append(runner)
            self._tasks.append(asyncio.create_task(runner.run(), name=f"projection-{projection.name}"))
        if settings.idempotency_retention_hours:
            expiry = KeyExpiry(
                self.service,
                datetime.timedelta(hours=settings.idempotency_retention_hours),
                settings.idempotency_retention_batch,
            )
            self._tasks.append(asyncio.create_task(expiry.run(pool), name=f"{self.service}-key-expiry"))
        backbone_metrics.track(self)

    async def stop(self) -> None:
        backbone_metrics.untrack(self)
        for task in await stop_tasks(self._tasks, within=10):
            log.warning("%s did not stop within 10 s", task.get_name())
        self._tasks.clear()

    async def relay_pending(self, conn: Conn) -> int:
        """Events committed but not yet published (what an operator calls relay lag).

        Read from the stored progress, so a standby replica answers as truly as the active one.
        """
        if self.relay is None:
            return 0
        return (await self.relay_backlog(conn)).events

    async def relay_backlog(self, conn: Conn) -> RelayBacklog:
        """Events past the relay's stored progress, and the age of the oldest (0 when none).

        Read from the stored progress, so an ``api`` process, which runs no relay, reads it as
        truly as the process that does.
        """
        row = await conn.fetchrow(
            f"""
            SELECT count(*) AS events,
                   coalesce(extract(epoch FROM clock_timestamp() - min(e.recorded_at)), 0)::float8 AS oldest
            FROM {self.service}.events e
            WHERE (e.tx_id, e.position) > coalesce(
                (SELECT (p.tx_id, p.position) FROM {self.service}.relay_progress p WHERE p.topic = $1),
                ('0'::xid8, 0::bigint))
            """,
            self.settings.topic(self.service),
        )
        assert row is not None  # an aggregate without GROUP BY answers one row
        return RelayBacklog(events=row["events"], oldest_seconds=max(0.0, row["oldest"]))

    async def refresh_figures(self, conn: Conn) -> None:
        """Reads the relay's backlog and the dead letters waiting, for the next report."""
        self.figures = StoredFigures(
            backlog=await self.relay_backlog(conn),
            dead_letters=await dead_letters.count_by_projection(conn, self.service),
            read_at=time.time(),
        )

    def report_metrics(self, families: Families) -> None:
        """The relay's and the projections' figures (``libs.common.prometheus_metrics``)."""
        service = self.service
        if self.relay is not None:
            published = families.counter(
                "tinhso_relay_published", "Events the relay has published to the broker.", ["service"]
            )
            published.add_metric([service], self.relay.status.published)
            if self.figures.read_at is not None:
                families.gauge(
                    "tinhso_relay_backlog_events", "Events committed but not yet published.", ["service"]
                ).add_metric([service], self.figures.backlog.events)
                families.gauge(
                    "tinhso_relay_lag_seconds", "How long the oldest unpublished event has waited.", ["service"]
                ).add_metric([service], self.figures.backlog.oldest_seconds)
        lag = families.gauge(
            "tinhso_projection_lag_events",
            "Events in a partition that a projection has not applied yet.",
            ["service", "projection", "topic", "partition"],
        )
        applied = families.counter(
            "tinhso_projection_applied", "Events a projection has applied.", ["service", "projection"]
        )
        waiting = families.gauge(
            "tinhso_dead_letters", "Dead letters waiting to be retried or discarded.", ["service", "projection"]
        )
        for runner in self.runners:
            name = runner.projection.name
            applied.add_metric([service, name], runner.status.applied)
            for partition in runner.lag_snapshot():
                if partition.events is not None:
                    lag.add_metric([service, name, partition.topic, str(partition.partition)], partition.events)
            if self.figures.read_at is not None:
                waiting.add_metric([service, name], self.figures.dead_letters.get(name, 0))

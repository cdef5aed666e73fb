"""The event backbone of one service process: its outbox relay and its projection runners.

Built in a service's composition root, started and stopped by its runtime.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import asyncpg

from libs.common import backbone_metrics
from libs.common.cancellation import stop_tasks
from libs.common.db import Conn
from libs.common.event_signing import RecordVerifier, signing_key
from libs.common.kafka import kafka_access
from libs.common.projections.projection import Projection
from libs.common.projections.runner import ProjectionRunner
from libs.common.relay import OutboxRelay, ProducerProvider
from libs.common.settings import Settings

log = logging.getLogger(__name__)


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
        pending: int = await conn.fetchval(
            f"""
            SELECT count(*) FROM {self.service}.events e
            WHERE (e.tx_id, e.position) > coalesce(
                (SELECT (p.tx_id, p.position) FROM {self.service}.relay_progress p WHERE p.topic = $1),
                ('0'::xid8, 0::bigint))
            """,
            self.relay.topic,
        )
        return pending

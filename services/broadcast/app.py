"""Composition root of the broadcast service: builds its runtime, its handlers and its Litestar app.

Broadcasting operations: programmes, deliveries, relays and airtime, signal health,
outreach, emergency broadcasts, broadcast schedules. The command handlers and the queries are built once, when the
runtime has its pool, on one executor, and given to every route as dependencies. Besides its
projections, the runtime runs the incident detector (``entrypoints.detector``) and the watch for
incidents nobody acknowledged in time (``entrypoints.overdue_watch``), and, with
``TINHSO_SOURCE_WEBHOOK_URL`` set, the webhook that reports aired results to the
source-information system (``entrypoints.source_webhook``).
"""

from __future__ import annotations

import asyncio
import time

from litestar import Litestar

from contracts.broadcast_events import CATALOGUE
from libs.common.backbone import Backbone
from libs.common.eventstore.commands import CommandExecutor
from libs.common.http.app import build_service_app
from libs.common.prometheus_metrics import Families
from libs.common.runtime import OnPool, ServiceRuntime
from libs.common.settings import Settings
from services.broadcast.application.handlers import BroadcastHandlers
from services.broadcast.application.incident_queries import IncidentQueries
from services.broadcast.application.queries import BroadcastQueries
from services.broadcast.application.schedule_queries import ScheduleQueries
from services.broadcast.application.source_bulletins import SourceResultQueries
from services.broadcast.entrypoints.detector import run_detector
from services.broadcast.entrypoints.http_alert_queries import AlertQueriesController
from services.broadcast.entrypoints.http_batches import BATCHES
from services.broadcast.entrypoints.http_commands import COMMANDS
from services.broadcast.entrypoints.http_incident_queries import IncidentQueriesController
from services.broadcast.entrypoints.http_listings import ListingQueriesController
from services.broadcast.entrypoints.http_queries import BroadcastQueriesController
from services.broadcast.entrypoints.http_schedule_queries import ScheduleQueriesController
from services.broadcast.entrypoints.http_source_link import SOURCE_COMMANDS, SourceResultsController
from services.broadcast.entrypoints.overdue_watch import run_overdue_watch
from services.broadcast.entrypoints.projections import PROJECTIONS
from services.broadcast.entrypoints.source_webhook import run_source_webhook

NAME = "broadcast"


class BroadcastRuntime(ServiceRuntime):
    detector_looked_at: float | None = None

    def __init__(self, settings: Settings) -> None:
        super().__init__(NAME, settings, Backbone(NAME, settings, PROJECTIONS))
        self.handlers = OnPool(self, lambda pool: BroadcastHandlers.on(CommandExecutor(pool, NAME, CATALOGUE)))
        self.queries = OnPool(self, BroadcastQueries)
        self.incident_queries = OnPool(self, IncidentQueries)
        self.schedule_queries = OnPool(self, ScheduleQueries)
        self.source_queries = OnPool(self, SourceResultQueries)

    def start_background(self) -> None:
        detector = run_detector(self.handlers().signal, self.pool, self._detector_looked)
        self.background.append(asyncio.create_task(detector, name="broadcast-incident-detector"))
        watch = run_overdue_watch(self.handlers().incidents, self.settings.incident_ack_deadline_minutes)
        self.background.append(asyncio.create_task(watch, name="broadcast-incident-overdue-watch"))
        if self.settings.source_webhook_url:
            webhook = run_source_webhook(self.pool, self.settings)
            self.background.append(asyncio.create_task(webhook, name="broadcast-source-webhook"))

    def _detector_looked(self) -> None:
        self.detector_looked_at = time.time()

    def report_metrics(self, families: Families) -> None:
        super().report_metrics(families)
        if self.detector_looked_at is not None:
            families.gauge(
                "tinhso_incident_detector_last_run_timestamp_seconds",
                "When the incident detector last looked for clusters gone silent (Unix time).",
            ).add_metric([], self.detector_looked_at)


def create_app(settings: Settings) -> Litestar:
    runtime = BroadcastRuntime(settings)
    return build_service_app(
        runtime,
        [
            COMMANDS.router(runtime.handlers),
            BATCHES.router(runtime.handlers),
            BroadcastQueriesController,
            AlertQueriesController,
            ListingQueriesController,
            IncidentQueriesController,
            ScheduleQueriesController,
            SOURCE_COMMANDS.router(runtime.handlers),
            SourceResultsController,
        ],
        title="tinhso broadcast (internal)",
        description=(
            "Broadcasting operations: programmes, deliveries, relays and airtime, signal health, "
            "outreach, emergency broadcasts."
        ),
        dependencies={
            "queries": runtime.queries.provide(),
            "incident_queries": runtime.incident_queries.provide(),
            "schedule_queries": runtime.schedule_queries.provide(),
            "source_queries": runtime.source_queries.provide(),
        },
    )

"""Composition root of the broadcast service: builds its runtime and its Litestar app.

Broadcasting operations: programmes, deliveries, relays and airtime, signal health,
outreach, emergency broadcasts. Besides its projections, the runtime runs the incident
detector (``entrypoints.detector``).
"""

from __future__ import annotations

import asyncio
import time

from litestar import Litestar

from libs.common.backbone import Backbone
from libs.common.http.app import build_service_app
from libs.common.prometheus_metrics import Families
from libs.common.runtime import ServiceRuntime
from libs.common.settings import Settings
from services.broadcast.entrypoints.detector import run_detector
from services.broadcast.entrypoints.http_commands import BroadcastCommandsController
from services.broadcast.entrypoints.http_context import broadcast_commands
from services.broadcast.entrypoints.http_queries import BroadcastQueriesController
from services.broadcast.entrypoints.projections import PROJECTIONS

NAME = "broadcast"


class BroadcastRuntime(ServiceRuntime):
    detector_looked_at: float | None = None

    def start_background(self) -> None:
        detector = run_detector(broadcast_commands(self).signal, self.pool, self._detector_looked)
        self.background.append(asyncio.create_task(detector, name="broadcast-incident-detector"))

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
    runtime = BroadcastRuntime(NAME, settings, Backbone(NAME, settings, PROJECTIONS))
    return build_service_app(
        runtime,
        [BroadcastCommandsController, BroadcastQueriesController],
        title="tinhso broadcast (internal)",
        description=(
            "Broadcasting operations: programmes, deliveries, relays and airtime, signal health, "
            "outreach, emergency broadcasts."
        ),
    )

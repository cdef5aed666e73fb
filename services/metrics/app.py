"""Composition root of the metrics service: builds its runtime and its Litestar app.

Indicators, targets, rollups and rankings computed from the registry's and broadcast's events.
At start-up the shipped indicator catalogue is defined through the service's own command
(nothing is appended when it is already there unchanged).
"""

from __future__ import annotations

import asyncio
import logging

from litestar import Litestar

from contracts.metrics_events import CATALOGUE
from libs.common.backbone import Backbone
from libs.common.eventstore.commands import CommandExecutor
from libs.common.http.app import build_service_app
from libs.common.runtime import ServiceRuntime
from libs.common.settings import Settings
from services.metrics.application.commands import MetricsCommands
from services.metrics.entrypoints.http_commands import MetricsCommandsController
from services.metrics.entrypoints.http_queries import MetricsQueriesController
from services.metrics.entrypoints.projections import PROJECTIONS
from services.metrics.seed.indicators import province_indicators

NAME = "metrics"
log = logging.getLogger(__name__)


class MetricsRuntime(ServiceRuntime):
    def start_background(self) -> None:
        self.background.append(asyncio.create_task(self._seed_catalogue(), name="metrics-catalogue-seed"))

    async def _seed_catalogue(self) -> None:
        """In the background, retried: a database that is briefly away must not stop the start."""
        delay = 0.2
        while True:
            try:
                await MetricsCommands(CommandExecutor(self.pool, NAME, CATALOGUE)).seed(province_indicators())
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure: log, back off, try again
                log.warning("indicator catalogue not seeded yet (%s); retrying in %.1f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)


def create_app(settings: Settings) -> Litestar:
    runtime = MetricsRuntime(NAME, settings, Backbone(NAME, settings, PROJECTIONS))
    return build_service_app(
        runtime,
        [MetricsCommandsController, MetricsQueriesController],
        title="tinhso metrics (internal)",
        description="Indicators, targets, rollups and rankings computed from the registry's and broadcast's events.",
    )

"""Composition root of the metrics service: builds its runtime, its handlers and its Litestar app.

Indicators, targets, rollups and rankings computed from the registry's and broadcast's events.
The command and query handlers are built once, when the database pool is up, and every route
is given the same ones. At start-up the shipped indicator catalogue is defined through the
service's own command (nothing is appended when it is already there unchanged).
"""

from __future__ import annotations

import asyncio
import logging

from litestar import Litestar

from contracts.api.metrics import DefineIndicators
from contracts.envelope import Metadata
from contracts.metrics_events import CATALOGUE
from libs.common.backbone import Backbone
from libs.common.eventstore.commands import CommandExecutor
from libs.common.eventstore.context import CommandContext
from libs.common.http.app import build_service_app
from libs.common.runtime import OnPool, ServiceRuntime
from libs.common.settings import Settings
from services.metrics.application.answers import MetricsAnswers
from services.metrics.application.commands import MetricsCommands
from services.metrics.application.queries import MetricsQueries
from services.metrics.entrypoints.http_commands import COMMANDS
from services.metrics.entrypoints.http_queries import MetricsQueriesController
from services.metrics.entrypoints.projections import PROJECTIONS
from services.metrics.seed.indicators import province_indicators

NAME = "metrics"
SEEDER = CommandContext(metadata=Metadata(actor="metrics:catalogue-seed"))
log = logging.getLogger(__name__)


class MetricsRuntime(ServiceRuntime):
    def __init__(self, settings: Settings) -> None:
        super().__init__(NAME, settings, Backbone(NAME, settings, PROJECTIONS))
        self.commands = OnPool(self, lambda pool: MetricsCommands(CommandExecutor(pool, NAME, CATALOGUE)))
        self.answers = OnPool(self, lambda pool: MetricsAnswers(MetricsQueries(pool)))

    def start_background(self) -> None:
        self.background.append(asyncio.create_task(self._seed_catalogue(), name="metrics-catalogue-seed"))

    async def _seed_catalogue(self) -> None:
        """In the background, retried: a database that is briefly away must not stop the start."""
        delay = 0.2
        while True:
            try:
                await self.commands().define(DefineIndicators(indicators=province_indicators()), SEEDER)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure: log, back off, try again
                log.warning("indicator catalogue not seeded yet (%s); retrying in %.1f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)


def create_app(settings: Settings) -> Litestar:
    runtime = MetricsRuntime(settings)
    return build_service_app(
        runtime,
        [COMMANDS.router(runtime.commands), MetricsQueriesController],
        title="tinhso metrics (internal)",
        description="Indicators, targets, rollups and rankings computed from the registry's and broadcast's events.",
        dependencies={
            "answers": runtime.answers.provide(),
        },
    )

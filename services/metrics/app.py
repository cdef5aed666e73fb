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
from litestar.di import Provide

from contracts.api.metrics import DefineIndicators
from contracts.envelope import Metadata
from contracts.metrics_events import CATALOGUE
from libs.common.backbone import Backbone
from libs.common.eventstore.commands import CommandExecutor
from libs.common.eventstore.context import CommandContext
from libs.common.http.app import build_service_app
from libs.common.runtime import ServiceRuntime
from libs.common.settings import Settings
from services.metrics.application.answers import MetricsAnswers
from services.metrics.application.commands import MetricsCommands
from services.metrics.application.queries import MetricsQueries
from services.metrics.entrypoints.http_commands import ProvinceCommands, UnitCommands
from services.metrics.entrypoints.http_queries import MetricsQueriesController
from services.metrics.entrypoints.projections import PROJECTIONS
from services.metrics.seed.indicators import province_indicators

NAME = "metrics"
SEEDER = CommandContext(metadata=Metadata(actor="metrics:catalogue-seed"))
log = logging.getLogger(__name__)


class MetricsRuntime(ServiceRuntime):
    commands: MetricsCommands
    answers: MetricsAnswers

    async def start(self) -> None:
        await super().start()
        # The seed task started by ``start_background`` runs only once this returns to the
        # event loop, so it finds the handlers built.
        self.commands = MetricsCommands(CommandExecutor(self.pool, NAME, CATALOGUE))
        self.answers = MetricsAnswers(MetricsQueries(self.pool))

    def start_background(self) -> None:
        self.background.append(asyncio.create_task(self._seed_catalogue(), name="metrics-catalogue-seed"))

    async def _seed_catalogue(self) -> None:
        """In the background, retried: a database that is briefly away must not stop the start."""
        delay = 0.2
        while True:
            try:
                await self.commands.define(DefineIndicators(indicators=province_indicators()), SEEDER)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure: log, back off, try again
                log.warning("indicator catalogue not seeded yet (%s); retrying in %.1f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)


def create_app(settings: Settings) -> Litestar:
    runtime = MetricsRuntime(NAME, settings, Backbone(NAME, settings, PROJECTIONS))

    def commands() -> MetricsCommands:
        return runtime.commands

    def answers() -> MetricsAnswers:
        return runtime.answers

    return build_service_app(
        runtime,
        [UnitCommands, ProvinceCommands, MetricsQueriesController],
        title="tinhso metrics (internal)",
        description="Indicators, targets, rollups and rankings computed from the registry's and broadcast's events.",
        dependencies={
            "commands": Provide(commands, sync_to_thread=False),
            "answers": Provide(answers, sync_to_thread=False),
        },
    )

"""Composition root of the registry service: builds its runtime, its command handlers (once,
when the runtime's pool is up) and its Litestar app, and injects the handlers into the routes.

Entity registry: administrative units with history, digital teams, radio stations,
loudspeaker clusters, telecom infrastructure, information systems.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.di import Provide

from contracts.registry_events import CATALOGUE
from libs.common.backbone import Backbone
from libs.common.eventstore.commands import CommandExecutor
from libs.common.http.app import build_service_app
from libs.common.runtime import ServiceRuntime
from libs.common.settings import Settings
from services.registry.application.bulk_import import BulkImporter
from services.registry.application.handlers import RegistryHandlers
from services.registry.entrypoints.http_assets import AssetCommandsController
from services.registry.entrypoints.http_assets_queries import AssetQueriesController
from services.registry.entrypoints.http_import import ImportController
from services.registry.entrypoints.http_units import UnitCommandsController
from services.registry.entrypoints.http_units_queries import UnitQueriesController
from services.registry.entrypoints.projections import PROJECTIONS

NAME = "registry"
CONTROLLERS = (
    UnitCommandsController,
    UnitQueriesController,
    ImportController,
    AssetCommandsController,
    AssetQueriesController,
)


class Wiring:
    """The handlers, built at start-up: the executor needs the runtime's pool, which exists
    only once the runtime has started."""

    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime
        self._handlers: RegistryHandlers | None = None
        self._importer: BulkImporter | None = None

    def build(self) -> None:
        self._handlers = RegistryHandlers.build(CommandExecutor(self.runtime.pool, NAME, CATALOGUE))
        self._importer = BulkImporter(self._handlers)

    def handlers(self) -> RegistryHandlers:
        if self._handlers is None:
            raise RuntimeError("registry: a command before start-up")
        return self._handlers

    def importer(self) -> BulkImporter:
        if self._importer is None:
            raise RuntimeError("registry: an import before start-up")
        return self._importer


def create_app(settings: Settings) -> Litestar:
    runtime = ServiceRuntime(NAME, settings, Backbone(NAME, settings, PROJECTIONS))
    wiring = Wiring(runtime)
    app = build_service_app(
        runtime,
        CONTROLLERS,
        title="tinhso registry (internal)",
        description=(
            "Entity registry: administrative units with history, digital teams, radio stations, "
            "loudspeaker clusters, telecom infrastructure, information systems."
        ),
        dependencies={
            "handlers": Provide(wiring.handlers, sync_to_thread=False),
            "importer": Provide(wiring.importer, sync_to_thread=False),
        },
    )
    app.on_startup.append(wiring.build)
    return app

"""Composition root of the registry service: builds its runtime, its command handlers (once,
when the runtime's pool is up) and its Litestar app, and injects the handlers into the routes.

Entity registry: administrative units with history, digital teams, radio stations,
loudspeaker clusters, telecom infrastructure, information systems.
"""

from __future__ import annotations

from litestar import Litestar

from contracts.registry_events import CATALOGUE
from libs.common.backbone import Backbone
from libs.common.eventstore.commands import CommandExecutor
from libs.common.http.app import build_service_app
from libs.common.runtime import OnPool, ServiceRuntime
from libs.common.settings import Settings
from services.registry.application.bulk_import import BulkImporter
from services.registry.application.handlers import RegistryHandlers
from services.registry.entrypoints.http_assets import ASSET_COMMANDS
from services.registry.entrypoints.http_assets_lists import ASSET_LISTS
from services.registry.entrypoints.http_assets_queries import ASSET_QUERIES, AssetSummaryController
from services.registry.entrypoints.http_import import ImportController
from services.registry.entrypoints.http_unit_groups import UNIT_GROUP_COMMANDS, UnitGroupQueriesController
from services.registry.entrypoints.http_units import UNIT_COMMANDS
from services.registry.entrypoints.http_units_queries import UnitQueriesController
from services.registry.entrypoints.projections import PROJECTIONS

NAME = "registry"
QUERY_CONTROLLERS = (UnitQueriesController, ImportController, AssetSummaryController, UnitGroupQueriesController)


class RegistryRuntime(ServiceRuntime):
    def __init__(self, settings: Settings) -> None:
        super().__init__(NAME, settings, Backbone(NAME, settings, PROJECTIONS))
        self.handlers = OnPool(self, lambda pool: RegistryHandlers.build(CommandExecutor(pool, NAME, CATALOGUE)))
        self.importer = OnPool(self, lambda _: BulkImporter(self.handlers()))


def create_app(settings: Settings) -> Litestar:
    runtime = RegistryRuntime(settings)
    return build_service_app(
        runtime,
        [
            UNIT_COMMANDS.router(runtime.handlers),
            ASSET_COMMANDS.router(runtime.handlers),
            UNIT_GROUP_COMMANDS.router(runtime.handlers),
            ASSET_QUERIES.router(lambda: runtime.pool),
            ASSET_LISTS.router(lambda: runtime.pool),
            *QUERY_CONTROLLERS,
        ],
        title="tinhso registry (internal)",
        description=(
            "Entity registry: administrative units with history, digital teams, radio stations, "
            "loudspeaker clusters, telecom infrastructure, information systems."
        ),
        dependencies={
            "importer": runtime.importer.provide(),
        },
    )

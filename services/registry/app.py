"""Composition root of the registry service: builds its runtime and its Litestar app.

Entity registry: administrative units with history, digital teams, radio stations,
loudspeaker clusters, telecom infrastructure, information systems.
"""

from __future__ import annotations

from litestar import Litestar

from libs.common.backbone import Backbone
from libs.common.http.app import build_service_app
from libs.common.runtime import ServiceRuntime
from libs.common.settings import Settings
from services.registry.entrypoints.http_assets import AssetCommandsController
from services.registry.entrypoints.http_assets_queries import AssetQueriesController
from services.registry.entrypoints.http_import import ImportController
from services.registry.entrypoints.http_units import UnitCommandsController, UnitQueriesController
from services.registry.entrypoints.projections import PROJECTIONS

NAME = "registry"


def create_app(settings: Settings) -> Litestar:
    runtime = ServiceRuntime(NAME, settings, Backbone(NAME, settings, PROJECTIONS))
    return build_service_app(
        runtime,
        [
            UnitCommandsController,
            UnitQueriesController,
            ImportController,
            AssetCommandsController,
            AssetQueriesController,
        ],
        title="tinhso registry (internal)",
        description=(
            "Entity registry: administrative units with history, digital teams, radio stations, "
            "loudspeaker clusters, telecom infrastructure, information systems."
        ),
    )

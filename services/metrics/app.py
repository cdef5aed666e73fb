"""Composition root of the metrics service: builds its runtime and its Litestar app.

Indicators, targets, rollups and rankings computed from the registry's and broadcast's events.
"""

from __future__ import annotations

from litestar import Litestar

from libs.common.backbone import Backbone
from libs.common.http.app import build_service_app
from libs.common.runtime import ServiceRuntime
from libs.common.settings import Settings
from services.metrics.entrypoints.projections import PROJECTIONS

NAME = "metrics"


def create_app(settings: Settings) -> Litestar:
    runtime = ServiceRuntime(NAME, settings, Backbone(NAME, settings, PROJECTIONS))
    return build_service_app(
        runtime,
        title="tinhso metrics (internal)",
        description="Indicators, targets, rollups and rankings computed from the registry's and broadcast's events.",
    )

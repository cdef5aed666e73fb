"""Composition root of the broadcast service: builds its runtime and its Litestar app.

Broadcasting operations: programmes, deliveries, relays and airtime, signal health,
outreach, emergency broadcasts.
"""

from __future__ import annotations

from litestar import Litestar

from libs.common.backbone import Backbone
from libs.common.http.app import build_service_app
from libs.common.runtime import ServiceRuntime
from libs.common.settings import Settings
from services.broadcast.entrypoints.projections import PROJECTIONS

NAME = "broadcast"


def create_app(settings: Settings) -> Litestar:
    runtime = ServiceRuntime(NAME, settings, Backbone(NAME, settings, PROJECTIONS))
    return build_service_app(
        runtime,
        title="tinhso broadcast (internal)",
        description=(
            "Broadcasting operations: programmes, deliveries, relays and airtime, signal health, "
            "outreach, emergency broadcasts."
        ),
    )

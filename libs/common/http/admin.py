"""``/admin``: how far the relay and each projection have got, for operators and dashboards.

An ``api`` process of a service whose backbone runs in its own process answers 307 with the
backbone process's address: the figures live there.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.openapi.datastructures import ResponseSpec

from libs.common.http.auth import admin_guard
from libs.common.runtime import ServiceRuntime


class PartitionLagView(msgspec.Struct, frozen=True):
    topic: str
    partition: int
    applied_offset: int | None
    highwater: int | None
    lag_events: int | None
    lag_seconds: float
    last_position: tuple[int, int]


class ProjectionView(msgspec.Struct, frozen=True):
    name: str
    running: bool
    applied: int
    skipped: int
    dead_lettered: int
    last_error: str | None
    partitions: list[PartitionLagView]


class RelayView(msgspec.Struct, frozen=True):
    topic: str
    active: bool
    published: int
    pending: int
    republished: int
    last_position: tuple[int, int]
    last_error: str | None


def _answered_elsewhere(request: Request[Any, Any, Any], runtime: ServiceRuntime) -> None:
    if not runtime.backbone_elsewhere:
        return
    url = request.url
    # The rule that places the backbone process: this port plus the offset.
    port = (url.port or (443 if url.scheme == "https" else 80)) + runtime.settings.backbone_port_offset
    there = f"{url.scheme}://{url.hostname}:{port}{url.path}"
    raise HTTPException(
        status_code=307,
        detail=f"this service's relay and projections run in its backbone process: ask {there}",
        headers={"location": there},
    )


_ELSEWHERE = {307: ResponseSpec(None, description="The backbone runs in another process; `Location` names it.")}


class AdminController(Controller):
    path = "/admin"
    tags = ["admin"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    guards = [admin_guard]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @get("/projections", operation_id="adminProjections", sync_to_thread=False, responses=_ELSEWHERE)
    def projections(
        self, request: Request[Any, Any, Any], runtime: NamedDependency[ServiceRuntime]
    ) -> list[ProjectionView]:
        _answered_elsewhere(request, runtime)
        runners = runtime.backbone.runners if runtime.backbone else []
        return [
            ProjectionView(
                name=r.projection.name,
                running=r.status.running,
                applied=r.status.applied,
                skipped=r.status.skipped,
                dead_lettered=r.status.dead_lettered,
                last_error=r.status.last_error,
                partitions=[
                    PartitionLagView(
                        lag.topic,
                        lag.partition,
                        lag.applied_offset,
                        lag.highwater,
                        lag.events,
                        lag.seconds,
                        lag.last_position,
                    )
                    for lag in r.lag_snapshot()
                ],
            )
            for r in runners
        ]

    @get("/relay", operation_id="adminRelay", responses=_ELSEWHERE)
    async def relay(
        self, request: Request[Any, Any, Any], runtime: NamedDependency[ServiceRuntime]
    ) -> RelayView | None:
        _answered_elsewhere(request, runtime)
        backbone = runtime.backbone
        if backbone is None or backbone.relay is None:
            return None
        status = backbone.relay.status
        async with runtime.pool.acquire() as conn:
            pending = await backbone.relay_pending(conn)
        return RelayView(
            topic=backbone.relay.topic,
            active=status.active,
            published=status.published,
            pending=pending,
            republished=status.republished,
            last_position=status.last_position,
            last_error=status.last_error,
        )

"""``/health/live`` (the process answers) and ``/health/ready`` (its dependencies work)."""

from __future__ import annotations

import msgspec
from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec

from libs.common.runtime import ServiceRuntime


class Liveness(msgspec.Struct, frozen=True):
    status: str
    service: str


class Readiness(msgspec.Struct, frozen=True):
    status: str
    service: str
    checks: dict[str, str]


class HealthController(Controller):
    path = "/health"
    tags = ["health"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @get("/live", operation_id="healthLive", sync_to_thread=False)
    def live(self, runtime: NamedDependency[ServiceRuntime]) -> Liveness:
        return Liveness("live", runtime.name)

    @get(
        "/ready",
        operation_id="healthReady",
        responses={503: ResponseSpec(data_container=Readiness, description="a dependency is not working")},
    )
    async def ready(self, runtime: NamedDependency[ServiceRuntime]) -> Response[Readiness]:
        checks = await runtime.readiness()
        ok = all(v == "ok" for v in checks.values())
        return Response(Readiness("ready" if ok else "not_ready", runtime.name, checks), status_code=200 if ok else 503)

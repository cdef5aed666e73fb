"""``/health/live`` (the process answers) and ``/health/ready`` (it can serve).

Ready means the process's database answers: that is all an API process needs to take a
command, since the outbox holds the events while the broker is away. The broker, the relay's
backlog and, on the gateway, each internal service are reported in the body under
``reported`` and never turn the answer into a 503, so a broker outage or one service without
a ready pod does not take every pod of another out of its load balancer (docs/operations.md).
"""

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
    """What readiness requires ("ok" or why not): the database."""
    reported: dict[str, str]
    """What the process also uses, said but not required: the broker, the relay, other services."""


class HealthController(Controller):
    path = "/health"
    tags = ["health"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @get("/live", operation_id="healthLive", sync_to_thread=False)
    def live(self, runtime: NamedDependency[ServiceRuntime]) -> Liveness:
        return Liveness("live", runtime.name)

    @get(
        "/ready",
        operation_id="healthReady",
        responses={503: ResponseSpec(data_container=Readiness, description="the database does not answer")},
    )
    async def ready(self, runtime: NamedDependency[ServiceRuntime]) -> Response[Readiness]:
        answer = await runtime.readiness()
        status = "ready" if answer.ready else "not_ready"
        body = Readiness(status, runtime.name, answer.required, answer.reported)
        return Response(body, status_code=200 if answer.ready else 503)

"""The caller of an ``/api/v1`` route, as a Litestar dependency: admitted (authenticated and
charged to its rate limit) before any body is read, then the services as that caller.

``READER`` needs ``read``, like every GraphQL query; ``WRITER`` needs only credentials, since
the owning service decides the scope and ownership of each command. The composition root puts
the process's ``Callers`` in ``app.state.callers``, so controllers are plain module-level
classes that name the dependency they need.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency, Provide

from services.gateway.adapters.internal import ServiceCaller
from services.gateway.graphql.context import Gateway, GatewayContext
from services.gateway.security.wiring import GatewaySecurity

Req = Request[Any, Any, Any]
Caller = NamedDependency[ServiceCaller]
"""A route's ``caller`` parameter, provided by ``READER`` or ``WRITER``."""


class Callers:
    def __init__(self, gateway: Gateway, security: GatewaySecurity) -> None:
        self.gateway = gateway
        self.security = security

    async def context(self, request: Req) -> GatewayContext:
        principal = await self.security.admit(request.headers.get("authorization"), request.scope)
        return GatewayContext.create(self.gateway, principal)


def _callers(request: Req) -> Callers:
    callers = request.app.state.callers
    assert isinstance(callers, Callers)
    return callers


async def _reader(request: Req) -> ServiceCaller:
    context = await _callers(request).context(request)
    context.reader()
    return context.caller()


async def _writer(request: Req) -> ServiceCaller:
    return (await _callers(request).context(request)).writer()


READER = {"caller": Provide(_reader)}
WRITER = {"caller": Provide(_writer)}


def idempotency_key(request: Req) -> str | None:
    """The partner's ``Idempotency-Key``, forwarded to the service as it is."""
    return request.headers.get("idempotency-key")

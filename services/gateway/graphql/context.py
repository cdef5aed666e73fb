"""What every resolver sees: the caller, the services as that caller, and this request's loaders.

An HTTP request gets a fresh context (fresh DataLoaders: their cache lives for one request).
A WebSocket connection keeps one context for its life; its principal is set from
``connection_init`` and its loaders do not cache, so a long-lived subscription never answers
from a stale cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from strawberry.litestar.controller import BaseContext
from strawberry.types import Info

from libs.common.principal import Principal
from services.gateway.adapters.internal import CallStats, InternalServices, ServiceCaller
from services.gateway.events.directory import UnitDirectory
from services.gateway.events.hub import EventHub
from services.gateway.events.replay import FeedReplay
from services.gateway.graphql.credentials import CredentialWatch, Watched
from services.gateway.graphql.limits import Limits
from services.gateway.graphql.loaders import Loaders
from services.gateway.graphql.reading import READ, missing_scope, unauthenticated

ANONYMOUS = Principal(subject="anonymous")
"""Forwarded for a caller without credentials: it holds no scope, so services refuse its writes."""


@dataclass(frozen=True, slots=True)
class Gateway:
    """The process-wide parts the API needs, made once in the composition root."""

    services: InternalServices
    hub: EventHub
    directory: UnitDirectory
    limits: Limits
    credentials: CredentialWatch | None = None
    """Checks open WebSockets' credentials again (None: only at connection_init)."""
    replay: FeedReplay | None = None
    """Catches a resuming subscriber up (None: ``after`` resumes only from the hub's memory)."""


class GatewayContext(BaseContext, kw_only=True):
    gateway: Gateway
    principal: Principal | None = None
    stats: CallStats
    loaders: Loaders
    connection_params: dict[str, Any] | None = None
    credential: Watched | None = None
    meter: object | None = None
    """What this request's or connection's operations are charged to (``security.charging.Meter``)."""

    @classmethod
    def create(cls, gateway: Gateway, principal: Principal | None, *, cache: bool = True) -> GatewayContext:
        stats = CallStats()
        caller = gateway.services.caller(principal or ANONYMOUS, stats)
        return cls(gateway=gateway, principal=principal, stats=stats, loaders=Loaders(caller, principal, cache=cache))

    def use_principal(self, principal: Principal | None) -> None:
        """After connection_init: calls from now on are made as this caller."""
        self.principal = principal
        caller = self.gateway.services.caller(principal or ANONYMOUS, self.stats)
        self.loaders = Loaders(caller, principal, cache=False)

    def watch_credential(self, authorization: str | None) -> None:
        """After connection_init: the credential is checked again while the socket is open,
        and a refused one closes it (``credentials``)."""
        watch, socket = self.gateway.credentials, self.websocket
        if watch is None or socket is None or self.principal is None or authorization is None:
            return

        async def close(code: int, reason: str) -> None:
            await socket.close(code=code, reason=reason)

        self.credential = watch.watch(authorization, self.principal, close)

    def stop_watching(self) -> None:
        """The socket is gone: its credential needs no more checks."""
        if self.gateway.credentials is not None and self.credential is not None:
            self.gateway.credentials.forget(self.credential)
            self.credential = None

    def authenticated(self) -> Principal:
        """Writes need credentials; which writes a caller may make is the owning service's call."""
        if self.principal is None:
            raise unauthenticated()
        return self.principal

    def reader(self) -> Principal:
        """The caller, who must hold ``read`` (or admin) to see anything."""
        return self.require(READ)

    def require(self, scope: str) -> Principal:
        principal = self.authenticated()
        if not principal.allows(scope):
            raise missing_scope(scope)
        return principal

    def caller(self) -> ServiceCaller:
        """The services as this caller, for reads: refused without ``read``."""
        return self.loaders.caller

    def writer(self) -> ServiceCaller:
        """The services as this caller, for a command and the read-back of what it wrote."""
        self.authenticated()
        return self.loaders.writer


def context_of(info: Info[Any, Any]) -> GatewayContext:
    context = info.context
    assert isinstance(context, GatewayContext)
    return context

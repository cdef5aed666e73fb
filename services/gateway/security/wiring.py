"""The gateway's security parts built from settings, for the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.types import Scope

from libs.common.access_log import note_request
from libs.common.errors import UnauthorizedError
from libs.common.principal import Principal
from libs.common.runtime import ServiceRuntime
from services.gateway.security.callers import caller_key
from services.gateway.security.charging import Meter
from services.gateway.security.client_address import TrustedProxies
from services.gateway.security.edge import remember
from services.gateway.security.external_jwt import ExternalJwtVerifier
from services.gateway.security.identity import Authenticator
from services.gateway.security.partner_store import PartnerStore
from services.gateway.security.rate_limit import Limit, RateLimiter, RateLimitExceededError
from services.gateway.security.slots import ExecutionSlots, OpenCounts


@dataclass(frozen=True, slots=True)
class GatewaySecurity:
    authenticator: Authenticator
    rate_limiter: RateLimiter
    proxies: TrustedProxies
    slots: ExecutionSlots
    """GraphQL queries and mutations running at once (HTTP and WebSocket), per partner and for
    anonymous callers."""
    sockets: OpenCounts
    """Open WebSockets per caller."""
    subscriptions: OpenCounts
    """Live subscriptions per caller, across its WebSockets."""
    pending_sockets: OpenCounts
    """WebSockets per client host from the handshake until connection_init: nobody is charged
    for them yet, so they are counted by host."""
    bulk_items: RateLimiter | None = None
    """The item quota of bulk routes and batch mutations, apart from the requests' (ADR 0040)."""

    def client_host(self, scope: Scope) -> str | None:
        return self.proxies.client_host(scope)

    async def admit(self, authorization: str | None, scope: Scope) -> Principal | None:
        """Authenticate, then charge the request's token: 401 or 429 raised, else the principal.
        Called before the request's body is read."""
        host = self.client_host(scope)
        principal: Principal | None = None
        try:
            try:
                principal = await self.authenticator.authenticate(authorization)
            except UnauthorizedError:
                # Failed attempts count against the client host, so guessing keys is rate limited too.
                remember(scope, await self.rate_limiter.check(None, host))
                raise
            remember(scope, await self.rate_limiter.check(principal, host))
        except RateLimitExceededError as refused:
            remember(scope, refused.decision)
            raise
        finally:
            note_request(partner=principal.partner if principal else None)
        return principal

    async def charge_items(self, principal: Principal | None, scope: Scope, items: int) -> None:
        """Take ``items`` from the caller's bulk item quota, all or none: 429 (``RateLimitExceededError``)
        with its ``Retry-After`` if they are not there, before any item runs."""
        if self.bulk_items is None:
            return
        try:
            remember(scope, await self.bulk_items.check(principal, self.client_host(scope), items))
        except RateLimitExceededError as refused:
            remember(scope, refused.decision)
            raise

    def meter(self, principal: Principal | None, scope: Scope, *, prepaid: int) -> Meter:
        """Charges the operations of one request (``prepaid``: its admission's token) or of one WebSocket."""
        host = self.client_host(scope)
        return Meter(
            limiter=self.rate_limiter,
            subscriptions=self.subscriptions,
            slots=self.slots,
            principal=principal,
            client_host=host,
            key=caller_key(principal, host),
            scope=scope,
            prepaid=prepaid,
            bulk_items=self.bulk_items,
        )


def build_security(runtime: ServiceRuntime, process_slots: int) -> GatewaySecurity:
    """Raises ``JwtConfigError`` for a wrong identity-provider setting and ``SettingsError`` for a
    wrong trusted proxy (at start-up, not per request)."""
    settings = runtime.settings

    store = PartnerStore(lambda: runtime.pool)
    authenticator = Authenticator(
        store, ExternalJwtVerifier.from_settings(settings), cache_seconds=settings.auth_cache_seconds
    )
    limiter = RateLimiter(
        lambda: runtime.pool,
        partner=Limit(settings.rate_limit_per_minute, settings.rate_limit_burst),
        anonymous=Limit(settings.rate_limit_anonymous_per_minute, settings.rate_limit_anonymous_burst),
    )
    # Anonymous callers cannot write, so the item quota has one limit for everyone.
    items = Limit(settings.rate_limit_bulk_items_per_minute, settings.rate_limit_bulk_items_burst)
    return GatewaySecurity(
        authenticator=authenticator,
        rate_limiter=limiter,
        proxies=TrustedProxies.from_setting(settings.trusted_proxies),
        slots=ExecutionSlots(
            per_partner=settings.gateway_max_concurrent_per_partner,
            anonymous=settings.gateway_max_concurrent_anonymous,
            process=process_slots,
        ),
        sockets=OpenCounts(settings.gateway_max_websockets_per_partner, what="WebSockets", code="websocket_limit"),
        subscriptions=OpenCounts(
            settings.gateway_max_subscriptions_per_partner, what="subscriptions", code="subscription_limit"
        ),
        pending_sockets=OpenCounts(
            settings.gateway_max_pending_websockets_per_host,
            what="WebSockets awaiting connection_init",
            code="websocket_pending_limit",
        ),
        bulk_items=RateLimiter(lambda: runtime.pool, partner=items, anonymous=items, bucket_prefix="bulk-items:"),
    )

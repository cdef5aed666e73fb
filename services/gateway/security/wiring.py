"""The gateway's security parts built from settings, for the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from libs.common.errors import UnauthorizedError
from libs.common.principal import Principal
from libs.common.runtime import ServiceRuntime
from services.gateway.security.external_jwt import ExternalJwtVerifier
from services.gateway.security.identity import Authenticator
from services.gateway.security.partner_store import PartnerStore
from services.gateway.security.rate_limit import Limit, RateLimiter


@dataclass(frozen=True, slots=True)
class GatewaySecurity:
    authenticator: Authenticator
    rate_limiter: RateLimiter

    async def admit(self, authorization: str | None, client_host: str | None) -> Principal | None:
        """Authenticate, then charge the caller's rate limit: 401 or 429 raised, else the principal."""
        try:
            principal = await self.authenticator.authenticate(authorization)
        except UnauthorizedError:
            # Failed attempts count against the client host, so guessing keys is rate limited too.
            await self.rate_limiter.check(None, client_host)
            raise
        await self.rate_limiter.check(principal, client_host)
        return principal


def build_security(runtime: ServiceRuntime) -> GatewaySecurity:
    """Raises ``JwtConfigError`` for a wrong identity-provider setting (at start-up, not per request)."""
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
    return GatewaySecurity(authenticator=authenticator, rate_limiter=limiter)

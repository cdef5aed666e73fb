"""Who is calling: the ``Authorization`` header turned into a principal, or refused.

``Bearer tsk_…`` is a partner's API key, checked against ``gateway.api_keys``; any other
bearer token is a JWT from the configured identity provider. No header means anonymous
(None); a header that is present but wrong is always a 401, never a silent downgrade to
anonymous.

Answers are cached in the process for ``TINHSO_AUTH_CACHE_SECONDS`` (5 s by default) so a busy
partner costs one database lookup per window, not one per request. That window is the bound on
how long a revoked or rotated-out key keeps working on a replica that had just seen it.
Failures are not cached: a revoked key that is presented again is looked up again.

Concurrent requests with the same credential that miss the cache share one lookup: a burst of
200 requests from one partner (at start-up, or as its cache entry expires) is one database
query, not 200 queued on the gateway's pool until its acquire timeout turns them into 503s.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable

from libs.common.errors import UnauthorizedError
from libs.common.principal import Principal
from services.gateway.security import api_keys
from services.gateway.security.external_jwt import ExternalJwtVerifier
from services.gateway.security.partner_store import PartnerStore

CACHE_ENTRIES = 10_000
MAX_TOKEN_LENGTH = 8192


class Authenticator:
    def __init__(
        self,
        store: PartnerStore,
        jwt_verifier: ExternalJwtVerifier | None = None,
        *,
        cache_seconds: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._jwt = jwt_verifier
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._cache: OrderedDict[bytes, tuple[float, Principal]] = OrderedDict()
        self._looking_up: dict[bytes, asyncio.Future[tuple[Principal, float]]] = {}
        """The lookup in flight per credential digest: concurrent misses await it."""
        self.refusal_listeners: list[Callable[[str], None]] = []
        """Told the id of each key found dead on a request: the open WebSockets it holds close at once."""

    async def authenticate(self, authorization: str | None) -> Principal | None:
        if authorization is None or not authorization.strip():
            return None
        token = _bearer(authorization)
        # Keyed by a digest, so the cache never holds a usable credential.
        cache_key = hashlib.sha256(token.encode()).digest()
        now = self._clock()
        cached = self._cache.get(cache_key)
        if cached is not None:
            if cached[0] > now:
                return cached[1]
            del self._cache[cache_key]
        in_flight = self._looking_up.get(cache_key)
        if in_flight is not None:
            # Shielded: one waiter's cancellation (a client gone) must not fail the others'.
            principal, _ = await asyncio.shield(in_flight)
            return principal
        lookup = asyncio.ensure_future(self._look_up(token, now))
        self._looking_up[cache_key] = lookup
        try:
            principal, expires = await asyncio.shield(lookup)
        finally:
            if lookup.done():
                del self._looking_up[cache_key]
            else:  # this caller was cancelled: the lookup finishes for the others, then goes
                lookup.add_done_callback(functools.partial(self._looked_up, cache_key))
        self._remember(cache_key, min(now + self._cache_seconds, expires), principal)
        return principal

    def _looked_up(self, cache_key: bytes, lookup: asyncio.Future[tuple[Principal, float]]) -> None:
        self._looking_up.pop(cache_key, None)
        if not lookup.cancelled():
            lookup.exception()  # retrieved: a refusal nobody awaits any more is not an error to log

    async def _look_up(self, token: str, now: float) -> tuple[Principal, float]:
        if api_keys.looks_like_key(token):
            return await self._api_key(token, now)
        return await self._external_jwt(token)

    async def _api_key(self, token: str, now: float) -> tuple[Principal, float]:
        presented = api_keys.parse(token)
        if presented is None:
            raise UnauthorizedError("the API key is malformed", code="invalid_api_key")
        record = await self._store.key(presented.key_id)
        if record is None:
            # The key itself is dead (revoked, rotated out, expired). A wrong secret under a live
            # key's id is not news about that key: key ids are not secret.
            for listener in self.refusal_listeners:
                listener(presented.key_id)
        if record is None or not api_keys.matches(presented, record.secret_hash):
            # One answer for unknown, wrong, rotated-out and revoked keys: no oracle for key ids.
            raise UnauthorizedError("the API key is not valid (unknown, revoked or expired)", code="invalid_api_key")
        expires = record.expires_at.timestamp() if record.expires_at is not None else float("inf")
        return record.partner.principal(), expires

    async def _external_jwt(self, token: str) -> tuple[Principal, float]:
        if self._jwt is None:
            raise UnauthorizedError(
                "the credential is neither an API key (tsk_…) nor accepted as a JWT "
                "(no identity provider is configured)",
                code="invalid_token",
            )
        await self._jwt.prepare(token)  # a JWKS URL's set, fetched again when a new key appears
        return self._jwt.verify(token)

    def _remember(self, key: bytes, until: float, principal: Principal) -> None:
        self._cache[key] = (until, principal)
        self._cache.move_to_end(key)
        while len(self._cache) > CACHE_ENTRIES:
            self._cache.popitem(last=False)


def _bearer(authorization: str) -> str:
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise UnauthorizedError(
            "the Authorization header must read 'Bearer <API key or JWT>'", code="invalid_authorization"
        )
    if len(token) > MAX_TOKEN_LENGTH:
        raise UnauthorizedError("the credential is too long", code="invalid_authorization")
    return token

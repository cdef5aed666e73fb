"""The identity provider's keys fetched from its JWKS URL, cached, and fetched again on rotation.

A provider rotates by publishing a new key (a new ``kid``) before it signs with it, and
withdrawing the old one later. So the key set is fetched when first needed, used for
``TINHSO_JWT_JWKS_CACHE_SECONDS``, and fetched again at once when a token names a ``kid`` it
does not hold: the first token signed with a new key is accepted without waiting for the
cache to expire. Fetches are never closer together than
``TINHSO_JWT_JWKS_MIN_REFETCH_SECONDS``, so tokens naming made-up key ids cannot turn the
gateway into a flood against the provider; and only one fetch runs at a time, however many
requests are waiting for it. While the URL cannot be fetched (or answers something that is
not a key set), the last good set stays in use and the failure is logged.

The fetch is asynchronous (httpx) and parsed by PyJWT's ``PyJWKSet``. PyJWT's own
``PyJWKClient`` is not used: its urllib fetch would block the event loop, and it refetches
for every unknown ``kid`` with no floor.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx
import jwt

from libs.common.settings import SettingsError

log = logging.getLogger(__name__)

FETCH_TIMEOUT_SECONDS = 5.0
MAX_KEY_SET_BYTES = 1024 * 1024
"""A key set is a few kilobytes; a larger answer is not one."""


class RemoteKeySet:
    def __init__(
        self,
        url: str,
        *,
        cache_seconds: float,
        min_refetch_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise SettingsError(f"TINHSO_JWT_JWKS_URL={url!r} is not an http(s) URL")
        self.url = url
        self._cache_seconds = cache_seconds
        self._min_refetch = min_refetch_seconds
        self._clock = clock
        self._lock = asyncio.Lock()
        self.keys: list[jwt.PyJWK] = []
        self.fetched_at: float | None = None
        """When the set in ``keys`` was fetched (monotonic clock); None before the first success."""
        self._attempted_at: float | None = None
        self.fetches = 0
        """Fetch attempts so far (for tests and the log)."""

    async def refresh_for(self, kid: str | None) -> None:
        """Fetch the set again if it is older than the cache allows, or if ``kid`` is not in it
        and the last attempt is at least the floor ago. Returns without fetching otherwise."""
        if not self._due(kid):
            return
        async with self._lock:
            if self._due(kid):  # a request that waited for the lock may find the work done
                await self._fetch()

    def _due(self, kid: str | None) -> bool:
        now = self._clock()
        if self._attempted_at is not None and now - self._attempted_at < self._min_refetch:
            return False
        if self.fetched_at is None or now - self.fetched_at >= self._cache_seconds:
            return True
        return kid is not None and all(key.key_id != kid for key in self.keys)

    async def _fetch(self) -> None:
        self._attempted_at = self._clock()
        self.fetches += 1
        try:
            async with httpx.AsyncClient(timeout=FETCH_TIMEOUT_SECONDS) as client:
                response = await client.get(self.url, headers={"accept": "application/json"})
            response.raise_for_status()
            if len(response.content) > MAX_KEY_SET_BYTES:
                raise ValueError(f"the answer is {len(response.content)} bytes, more than a key set's")
            keyset = jwt.PyJWKSet.from_json(response.text)
        except (httpx.HTTPError, ValueError, jwt.PyJWTError) as exc:
            log.warning("JWKS %s could not be fetched (%s); keeping the %d key(s) held", self.url, exc, len(self.keys))
            return
        self.keys = list(keyset.keys)
        self.fetched_at = self._attempted_at
        log.info("JWKS %s fetched: key ids %s", self.url, ", ".join(str(k.key_id) for k in self.keys))

"""Rate limits per partner, shared by every gateway replica through PostgreSQL.

Each partner (an anonymous caller: each client host) has a token bucket: ``burst`` tokens at
most, refilled at ``per_minute / 60`` a second, one taken per request. The bucket is a row of
``gateway.rate_limit_buckets`` refilled and taken from in one atomic ``INSERT … ON CONFLICT DO
UPDATE``, so replicas need no coordination beyond the row lock, and the database's clock is
the only clock (replicas' clocks may disagree).

If the database cannot be asked, the request is let through (logged, at most every 10 s): the
limiter protects the platform from a greedy partner, and an outage of the limiter must not
become an outage of the API.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time

import asyncpg
import msgspec

from libs.common.errors import RateLimitedError
from libs.common.principal import Principal
from services.gateway.security.partner_store import PoolSource

log = logging.getLogger(__name__)

_AVAILABLE = "least($2, b.tokens + $3 * greatest(0, extract(epoch FROM statement_timestamp() - b.updated_at)::float8))"
# Takes up to $4 whole tokens (the requests waiting on this bucket in this process) at once.
# A statement that waited for the row lock may carry an earlier timestamp than the row's: the
# refill is clamped at zero and updated_at only moves forward, so no interval counts twice.
_TAKE = f"""
INSERT INTO gateway.rate_limit_buckets AS b (bucket, tokens, granted, updated_at)
VALUES ($1, $2 - least($4, floor($2)), least($4, floor($2)), statement_timestamp())
ON CONFLICT (bucket) DO UPDATE SET
    tokens = {_AVAILABLE} - least($4, floor({_AVAILABLE})),
    granted = least($4, floor({_AVAILABLE})),
    updated_at = greatest(b.updated_at, statement_timestamp())
RETURNING granted, tokens
"""


class Limit(msgspec.Struct, frozen=True):
    per_minute: int
    """0: no limit."""
    burst: int

    @property
    def per_second(self) -> float:
        return self.per_minute / 60.0


class _Grant(msgspec.Struct, frozen=True):
    allowed: bool
    tokens: float
    """Left in the bucket after the batch this request was charged in."""
    behind: int
    """Requests of the same batch granted after this one (so ``remaining`` counts down)."""


class RateDecision(msgspec.Struct, frozen=True):
    limit: int
    """Requests a minute for this caller (0: unlimited)."""
    remaining: int
    """Requests that could be made right now."""


class RateLimiter:
    def __init__(self, pool: PoolSource, *, partner: Limit, anonymous: Limit) -> None:
        self._pool = pool
        self._partner = partner
        self._anonymous = anonymous
        self._last_warning = 0.0
        self._waiting: dict[str, list[asyncio.Future[_Grant | None]]] = {}
        self._draining: dict[str, asyncio.Task[None]] = {}

    async def check(self, principal: Principal | None, client_host: str | None) -> RateDecision:
        """Take one request from the caller's bucket; ``RateLimitedError`` (429) if it is empty."""
        if principal is None:
            bucket, limit = f"host:{client_host or 'unknown'}", self._anonymous
        else:
            bucket, limit = bucket_of(principal), self._partner
        if limit.per_minute == 0:
            return RateDecision(limit=0, remaining=limit.burst)
        grant = await self._take(bucket, limit)
        if grant is None:  # the database did not answer: let it through
            return RateDecision(limit=limit.per_minute, remaining=limit.burst)
        if not grant.allowed:
            retry_after = max(1, math.ceil((1 - grant.tokens) / limit.per_second))
            raise RateLimitedError(
                f"too many requests: {limit.per_minute} a minute (bursts of {limit.burst}) are allowed; "
                f"retry after {retry_after} s",
                retry_after=retry_after,
                details={"limit_per_minute": limit.per_minute, "burst": limit.burst},
            )
        return RateDecision(limit=limit.per_minute, remaining=max(0, math.floor(grant.tokens) + grant.behind))

    async def _take(self, bucket: str, limit: Limit) -> _Grant | None:
        """Requests for one bucket that arrive while a statement for it is in flight wait and
        are charged together by the next one: one round trip per bucket at a time, whatever the
        concurrency, with the same answers as one statement per request."""
        waiter: asyncio.Future[_Grant | None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(bucket, []).append(waiter)
        if bucket not in self._draining:
            self._draining[bucket] = asyncio.create_task(self._drain(bucket, limit), name=f"rate-limit {bucket}")
        return await waiter

    async def _drain(self, bucket: str, limit: Limit) -> None:
        try:
            while waiters := self._waiting.pop(bucket, []):
                try:
                    row = await self._pool().fetchrow(_TAKE, bucket, float(limit.burst), limit.per_second, len(waiters))
                except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                    self._warn(exc)
                    row = None
                granted = int(row["granted"]) if row is not None else 0
                for i, waiter in enumerate(waiters):
                    if waiter.done():  # its caller gave up (cancelled)
                        continue
                    if row is None:
                        waiter.set_result(None)
                    else:
                        waiter.set_result(
                            _Grant(allowed=i < granted, tokens=row["tokens"], behind=max(0, granted - i - 1))
                        )
        except BaseException as exc:  # never leave a caller waiting for ever
            for waiter in self._waiting.pop(bucket, []):
                if not waiter.done():
                    waiter.set_exception(exc)
            raise
        finally:
            del self._draining[bucket]

    def _warn(self, exc: BaseException) -> None:
        now = time.monotonic()
        if now - self._last_warning > 10:
            self._last_warning = now
            log.warning("rate limits not enforced: the database did not answer (%s)", type(exc).__name__)


def bucket_of(principal: Principal) -> str:
    """A partner's requests share one bucket whichever key or replica they use."""
    if principal.partner:
        return f"partner:{principal.partner}"
    return f"subject:{principal.subject}"

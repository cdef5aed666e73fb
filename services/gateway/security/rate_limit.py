"""Rate limits per partner, shared by every gateway replica through PostgreSQL.

Each caller (``callers.caller_key``: a partner, whichever of its keys it uses; an anonymous
caller: its client host) has a token bucket: ``burst`` tokens at
most, refilled at ``per_minute / 60`` a second. A request takes one token, and a GraphQL
operation takes what it costs beyond that (one per mutation field, one per subscription:
``security.charging``, ADR 0018). The bucket is a row of
``gateway.rate_limit_buckets`` refilled and taken from in one atomic ``INSERT … ON CONFLICT DO
UPDATE``, so replicas need no coordination beyond the row lock, and the database's clock is
the only clock (replicas' clocks may disagree).

If the database cannot be asked, the request is let through (logged, at most every 10 s): the
limiter protects the platform from a greedy partner, and an outage of the limiter must not
become an outage of the API.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import time

import asyncpg
import msgspec

from libs.common.errors import RateLimitedError
from libs.common.principal import Principal
from libs.common.prometheus_metrics import RATE_LIMIT_REFUSALS
from services.gateway.security.callers import caller_key
from services.gateway.security.partner_store import PoolSource

log = logging.getLogger(__name__)

_AVAILABLE = (
    "least($2::float8, b.tokens + $3::float8"
    " * greatest(0, extract(epoch FROM statement_timestamp() - b.updated_at)::float8))"
)


def _fit(available: str) -> str:
    """The largest of the batch's running totals ($4, ascending) that the whole tokens cover:
    the requests waiting on this bucket are granted in their order, each all or nothing."""
    return f"(SELECT coalesce(max(c), 0) FROM unnest($4::int8[]) AS c WHERE c <= floor({available}))"


# Takes the cost of every request waiting on this bucket in this process at once, in one statement.
# A statement that waited for the row lock may carry an earlier timestamp than the row's: the
# refill is clamped at zero and updated_at only moves forward, so no interval counts twice.
_TAKE = f"""
INSERT INTO gateway.rate_limit_buckets AS b (bucket, tokens, granted, updated_at)
VALUES ($1, $2::float8 - {_fit("$2::float8")}, {_fit("$2::float8")}, statement_timestamp())
ON CONFLICT (bucket) DO UPDATE SET
    tokens = {_AVAILABLE} - {_fit(_AVAILABLE)},
    granted = {_fit(_AVAILABLE)},
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
    """Tokens of the same batch granted after this request's (so ``remaining`` counts down)."""


class RateDecision(msgspec.Struct, frozen=True):
    """What a caller is told in ``RateLimit-*`` headers (IETF draft names) after a charge."""

    limit: int
    """The caller's burst: the most it can spend at once."""
    remaining: int
    """Tokens it could spend right now."""
    reset: int
    """Seconds until its bucket is full again."""
    window: int
    """Seconds the bucket takes to refill from empty (``RateLimit-Policy: <limit>;w=<window>``)."""
    retry_after: int | None = None
    """Set on a refusal: seconds until the refused cost would be granted."""

    def headers(self) -> list[tuple[bytes, bytes]]:
        headers = [
            (b"ratelimit-limit", str(self.limit).encode()),
            (b"ratelimit-remaining", str(self.remaining).encode()),
            (b"ratelimit-reset", str(self.reset).encode()),
            (b"ratelimit-policy", f"{self.limit};w={self.window}".encode()),
        ]
        if self.retry_after is not None:
            headers.append((b"retry-after", str(self.retry_after).encode()))
        return headers


class RateLimitExceededError(RateLimitedError):
    """A refusal that carries the caller's rate-limit state, for the headers of the 429."""

    def __init__(self, message: str, *, decision: RateDecision, details: dict[str, object]) -> None:
        assert decision.retry_after is not None
        super().__init__(message, retry_after=decision.retry_after, details=details)
        self.decision = decision


class RateLimiter:
    def __init__(self, pool: PoolSource, *, partner: Limit, anonymous: Limit, bucket_prefix: str = "") -> None:
        """``bucket_prefix``: a quota apart from the requests' (``bulk-items:``, ADR 0040), kept in
        its own rows of the same table."""
        self._pool = pool
        self._prefix = bucket_prefix
        self._partner = partner
        self._anonymous = anonymous
        self._last_warning = 0.0
        self._waiting: dict[str, list[tuple[int, asyncio.Future[_Grant | None]]]] = {}
        self._draining: dict[str, asyncio.Task[None]] = {}

    async def check(
        self, principal: Principal | None, client_host: str | None, cost: int = 1, *, paid: int = 0
    ) -> RateDecision | None:
        """Take ``cost`` tokens from the caller's bucket, all or none; ``RateLimitExceededError``
        (429) if they are not there. ``paid``: tokens of the same operation taken already (its
        request's), counted in what it is said to cost. None: no limit applies (turned off, or
        the database did not answer)."""
        bucket = self._prefix + caller_key(principal, client_host)
        limit = self._anonymous if principal is None else self._partner
        if limit.per_minute == 0 or cost <= 0:
            return None
        window = math.ceil(limit.burst / limit.per_second)
        total = cost + paid
        if total > limit.burst:
            # It would never be granted: say so rather than ask the caller to wait for ever.
            decision = RateDecision(limit=limit.burst, remaining=0, reset=window, window=window, retry_after=window)
            RATE_LIMIT_REFUSALS.labels("anonymous" if principal is None else "partner").inc()
            raise RateLimitExceededError(
                f"this costs {total} requests, more than the {limit.burst} allowed at once: split it",
                decision=decision,
                details={"cost": total, "limit_per_minute": limit.per_minute, "burst": limit.burst},
            )
        grant = await self._take(bucket, limit, cost)
        if grant is None:  # the database did not answer: let it through
            return None
        reset = math.ceil(max(0.0, limit.burst - grant.tokens) / limit.per_second)
        if not grant.allowed:
            RATE_LIMIT_REFUSALS.labels("anonymous" if principal is None else "partner").inc()
            retry_after = max(1, math.ceil((cost - grant.tokens) / limit.per_second))
            decision = RateDecision(limit=limit.burst, remaining=0, reset=reset, window=window, retry_after=retry_after)
            raise RateLimitExceededError(
                f"too many requests: {limit.per_minute} a minute (bursts of {limit.burst}) are allowed"
                f"{f' and this costs {total}' if total > 1 else ''}; retry after {retry_after} s",
                decision=decision,
                details={"cost": total, "limit_per_minute": limit.per_minute, "burst": limit.burst},
            )
        remaining = max(0, math.floor(grant.tokens) + grant.behind)
        return RateDecision(limit=limit.burst, remaining=remaining, reset=reset, window=window)

    async def _take(self, bucket: str, limit: Limit, cost: int) -> _Grant | None:
        """Requests for one bucket that arrive while a statement for it is in flight wait and
        are charged together by the next one: one round trip per bucket at a time, whatever the
        concurrency, with the same answers as one statement per request."""
        waiter: asyncio.Future[_Grant | None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(bucket, []).append((cost, waiter))
        if bucket not in self._draining:
            self._draining[bucket] = asyncio.create_task(self._drain(bucket, limit), name=f"rate-limit {bucket}")
        return await waiter

    async def _drain(self, bucket: str, limit: Limit) -> None:
        try:
            while waiters := self._waiting.pop(bucket, []):
                totals = list(itertools.accumulate(cost for cost, _ in waiters))
                try:
                    row = await self._pool().fetchrow(_TAKE, bucket, float(limit.burst), limit.per_second, totals)
                except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                    self._warn(exc)
                    row = None
                granted = int(row["granted"]) if row is not None else 0
                for total, (_, waiter) in zip(totals, waiters, strict=True):
                    if waiter.done():  # its caller gave up (cancelled)
                        continue
                    if row is None:
                        waiter.set_result(None)
                    else:
                        allowed = total <= granted
                        behind = granted - total if allowed else 0
                        waiter.set_result(_Grant(allowed=allowed, tokens=row["tokens"], behind=behind))
        except BaseException as exc:  # never leave a caller waiting for ever
            for _, waiter in self._waiting.pop(bucket, []):
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

import asyncio

import asyncpg
import pytest
from litestar import Litestar, get
from litestar.testing import AsyncTestClient
from prometheus_client import REGISTRY

from libs.common.errors import RateLimitedError
from libs.common.http.errors import EXCEPTION_HANDLERS
from libs.common.principal import Principal
from services.gateway.security.rate_limit import Limit, RateLimiter
from tests.integration.gateway.security_support import gateway_pool

__all__ = ["gateway_pool"]

VNPT = Principal(subject="partner:vnpt", partner="vnpt", scopes=frozenset({"read"}))
VIETTEL = Principal(subject="partner:viettel", partner="viettel", scopes=frozenset({"read"}))
SLOW = Limit(per_minute=1, burst=5)  # one token a minute: nothing refills during a test


def _limiter(pool: asyncpg.Pool, partner: Limit = SLOW, anonymous: Limit = SLOW) -> RateLimiter:
    return RateLimiter(lambda: pool, partner=partner, anonymous=anonymous)


async def _granted(limiter: RateLimiter, principal: Principal | None, host: str, attempts: int) -> int:
    async def one() -> bool:
        try:
            await limiter.check(principal, host)
        except RateLimitedError:
            return False
        return True

    return sum(await asyncio.gather(*(one() for _ in range(attempts))))


async def _remaining(limiter: RateLimiter, principal: Principal, host: str, cost: int = 1) -> int:
    decision = await limiter.check(principal, host, cost)
    assert decision is not None
    return decision.remaining


async def test_a_partner_gets_its_burst_then_a_429_with_retry_after(gateway_pool: asyncpg.Pool) -> None:
    limiter = _limiter(gateway_pool)
    remaining = [await _remaining(limiter, VNPT, "10.0.0.1") for _ in range(5)]
    assert remaining == [4, 3, 2, 1, 0]
    with pytest.raises(RateLimitedError) as refused:
        await limiter.check(VNPT, "10.0.0.1")
    assert 50 <= refused.value.retry_after <= 60
    # Viettel's bucket is its own.
    assert await _remaining(limiter, VIETTEL, "10.0.0.1") == 4


async def test_the_limit_is_per_partner_across_replicas_and_hosts(gateway_pool: asyncpg.Pool) -> None:
    replicas = [_limiter(gateway_pool), _limiter(gateway_pool), _limiter(gateway_pool)]
    granted = await asyncio.gather(*(_granted(replica, VNPT, f"10.0.0.{i}", 10) for i, replica in enumerate(replicas)))
    assert sum(granted) == 5  # 30 concurrent requests through three replicas from three hosts


async def test_anonymous_callers_are_limited_per_client_host(gateway_pool: asyncpg.Pool) -> None:
    limiter = _limiter(gateway_pool, anonymous=Limit(per_minute=1, burst=2))
    before = {kind: _refusals(kind) for kind in ("anonymous", "partner")}
    assert await _granted(limiter, None, "192.0.2.1", 5) == 2
    assert await _granted(limiter, None, "192.0.2.2", 5) == 2
    assert await _granted(limiter, VNPT, "192.0.2.1", 1) == 1
    # Each refusal is counted for Prometheus, by the kind of caller refused.
    assert _refusals("anonymous") - before["anonymous"] == 6
    assert _refusals("partner") == before["partner"]


def _refusals(kind: str) -> float:
    return REGISTRY.get_sample_value("tinhso_rate_limit_refusals_total", {"partner_kind": kind}) or 0.0


async def test_tokens_refill_at_the_configured_rate(gateway_pool: asyncpg.Pool) -> None:
    limiter = _limiter(gateway_pool, partner=Limit(per_minute=600, burst=10))  # 10 a second
    assert await _granted(limiter, VNPT, "h", 12) == 10
    await asyncio.sleep(0.35)
    assert 3 <= await _granted(limiter, VNPT, "h", 8) <= 4  # 3.5 tokens, plus what trickles in meanwhile


async def test_zero_turns_the_limit_off(gateway_pool: asyncpg.Pool) -> None:
    limiter = _limiter(gateway_pool, partner=Limit(per_minute=0, burst=1))
    assert await _granted(limiter, VNPT, "h", 20) == 20


async def test_a_database_outage_lets_requests_through(gateway_pool: asyncpg.Pool) -> None:
    def broken() -> asyncpg.Pool:
        raise OSError("connection refused")

    limiter = RateLimiter(broken, partner=SLOW, anonymous=SLOW)
    assert await _granted(limiter, VNPT, "h", 10) == 10


async def test_a_refusal_is_a_429_with_retry_after_and_an_error_body() -> None:
    @get("/limited", sync_to_thread=False)
    def limited() -> None:
        raise RateLimitedError("too many requests", retry_after=7)

    async with AsyncTestClient(Litestar([limited], exception_handlers=EXCEPTION_HANDLERS)) as client:
        response = await client.get("/limited")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert response.json()["code"] == "rate_limited"
    assert response.json()["details"]["retry_after"] == 7


async def test_a_cost_is_taken_whole_or_not_at_all(gateway_pool: asyncpg.Pool) -> None:
    """Charging several tokens at once: granted whole, or refused without taking any, also when
    concurrent charges share one statement. Failed before the fix: ``check`` took one token."""
    limiter = _limiter(gateway_pool)  # burst 5, nothing refills during the test
    assert await _remaining(limiter, VNPT, "h", 3) == 2
    with pytest.raises(RateLimitedError) as refused:
        await limiter.check(VNPT, "h", 3)
    assert refused.value.details["cost"] == 3
    assert await _remaining(limiter, VNPT, "h", 2) == 0

    outcomes = await asyncio.gather(*(limiter.check(VIETTEL, "h", 2) for _ in range(4)), return_exceptions=True)
    granted = [o for o in outcomes if not isinstance(o, BaseException)]
    assert len(granted) == 2  # 2 + 2 of 5; the third pair would need 6
    assert sorted(d.remaining for d in granted if d is not None) == [1, 3]

"""A burst of requests with one credential costs one lookup, and each still gets its own answer."""

from __future__ import annotations

import asyncio

import pytest

from libs.common.errors import UnauthorizedError
from services.gateway.security import api_keys
from services.gateway.security.identity import Authenticator
from services.gateway.security.partner_store import KeyRecord
from services.gateway.security.partners import Partner

STORED = api_keys.generate()


class SlowStore:
    """Stands in for PostgreSQL: answers one key once ``answer`` is set, counting lookups."""

    def __init__(self) -> None:
        self.lookups = 0
        self.answer = asyncio.Event()

    async def key(self, key_id: str) -> KeyRecord | None:
        self.lookups += 1
        await self.answer.wait()
        if key_id != STORED.key_id:
            return None
        partner = Partner(name="vnpt", scopes=frozenset({"read"}))
        return KeyRecord(key_id=key_id, secret_hash=STORED.secret_hash, expires_at=None, partner=partner)


async def _burst(store: SlowStore, token: str, n: int) -> list[asyncio.Task[object]]:
    authenticator = Authenticator(store, cache_seconds=5)  # type: ignore[arg-type]
    tasks = [asyncio.create_task(authenticator.authenticate(f"Bearer {token}")) for _ in range(n)]
    await asyncio.sleep(0)  # every request is waiting before the database answers
    return tasks  # type: ignore[return-value]


async def test_two_hundred_concurrent_requests_with_one_key_make_one_lookup() -> None:
    """Failed before ADR 0057: each request missing the cache looked the key up itself (200
    lookups queued on the gateway's pool, answered 503 past its acquire timeout)."""
    store = SlowStore()
    tasks = await _burst(store, STORED.token, 200)
    store.answer.set()
    principals = await asyncio.gather(*tasks)
    assert store.lookups == 1
    assert {p.partner for p in principals} == {"vnpt"}  # type: ignore[attr-defined]


async def test_a_wrong_secret_is_refused_to_every_request_of_the_burst() -> None:
    store = SlowStore()
    wrong = f"{api_keys.PREFIX}{STORED.key_id}_{'x' * 43}"
    tasks = await _burst(store, wrong, 20)
    store.answer.set()
    answers = await asyncio.gather(*tasks, return_exceptions=True)
    assert store.lookups == 1
    assert all(isinstance(a, UnauthorizedError) for a in answers)


async def test_the_first_request_gone_does_not_fail_the_others_waiting_on_its_lookup() -> None:
    store = SlowStore()
    first, *others = await _burst(store, STORED.token, 5)
    first.cancel()
    await asyncio.sleep(0)
    store.answer.set()
    with pytest.raises(asyncio.CancelledError):
        await first
    principals = await asyncio.gather(*others)
    assert store.lookups == 1
    assert {p.partner for p in principals} == {"vnpt"}  # type: ignore[attr-defined]

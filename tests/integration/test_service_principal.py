"""A service answers only callers the gateway vouches for, and records who they were."""

from __future__ import annotations

import time

import asyncpg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from libs.common.principal import (
    HEADER,
    LEEWAY_SECONDS,
    Principal,
    PrincipalSigner,
    load_private_key,
    private_key_path,
)
from libs.common.settings import Settings
from tests.support.counter_service import counter_service
from tests.support.principals import READER, PrincipalAuth, service_client


async def test_without_the_gateways_token_a_service_answers_401_and_appends_nothing(
    settings: Settings, store_pool: asyncpg.Pool
) -> None:
    app, _ = counter_service(settings)
    forged = PrincipalSigner(Ed25519PrivateKey.generate()).headers(
        Principal(subject="x", scopes=frozenset({"admin"})), service="test", method="POST", path="/counters/c/increment"
    )
    async with service_client(app, settings, principal=None) as client:
        missing = await client.post("/counters/c/increment", json={"by": 1})
        bad_key = await client.post("/counters/c/increment", json={"by": 1}, headers=forged)
        garbage = await client.post("/counters/c/increment", json={"by": 1}, headers={HEADER: "x.y.z"})
        admin = await client.get("/admin/relay")
        live = await client.get("/health/live")
        docs = await client.get("/docs/openapi.json")
    for response in (missing, bad_key, garbage, admin):
        assert response.status_code == 401, response.text
    assert missing.json()["code"] == "principal_missing"
    assert bad_key.json()["code"] == "principal_invalid"
    assert live.status_code == 200
    assert docs.status_code == 200
    async with store_pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM test.events") == 0


async def test_admin_routes_need_the_admin_scope(settings: Settings, store_pool: asyncpg.Pool) -> None:
    app, _ = counter_service(settings)
    async with service_client(app, settings, principal=READER) as client:
        forbidden = await client.get("/admin/relay")
    assert forbidden.status_code == 403
    assert forbidden.json()["details"] == {"scope": "admin"}


async def test_the_event_records_the_principals_subject_and_partner(
    settings: Settings, store_pool: asyncpg.Pool
) -> None:
    app, _ = counter_service(settings)
    viettel = Principal(subject="partner:viettel/key:k1", partner="VIETTEL", scopes=frozenset({"admin"}))
    async with service_client(app, settings) as client:
        response = await client.post(
            "/counters/c/increment", json={"by": 1}, auth=PrincipalAuth(settings, viettel, "test")
        )
    assert response.status_code == 201, response.text
    async with store_pool.acquire() as conn:
        row = await conn.fetchrow("SELECT actor, partner FROM test.events")
    assert row is not None
    assert (row["actor"], row["partner"]) == ("partner:viettel/key:k1", "VIETTEL")


async def test_a_token_signed_a_few_seconds_ago_is_refused_once_expired(
    settings: Settings, store_pool: asyncpg.Pool
) -> None:
    """Failed before ADR 0021: a token lived 120 s (at least 10), so one seen on the wire could
    be replayed for two minutes. The signer's clock is set back; no test waits for expiry."""
    app, _ = counter_service(settings)
    key = load_private_key(private_key_path(settings))
    call: dict[str, str] = {"service": "test", "method": "POST", "path": "/counters/c/increment"}
    lifetime = settings.principal_token_ttl_seconds
    assert lifetime <= 10
    just_expired = PrincipalSigner(key, clock=lambda: time.time() - lifetime - LEEWAY_SECONDS - 1)
    still_good = PrincipalSigner(key, clock=lambda: time.time() - lifetime + LEEWAY_SECONDS + 1)
    async with service_client(app, settings, principal=None) as client:
        expired = await client.post(
            "/counters/c/increment", json={"by": 1}, headers=just_expired.headers(READER, **call)
        )
        assert (expired.status_code, expired.json()["code"]) == (401, "principal_invalid"), expired.text
        assert "expired" in expired.json()["message"]
        admin = Principal(subject="x", scopes=frozenset({"admin"}))
        fresh = await client.post("/counters/c/increment", json={"by": 1}, headers=still_good.headers(admin, **call))
        assert fresh.status_code == 201, fresh.text

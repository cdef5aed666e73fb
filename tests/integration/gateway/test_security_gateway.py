"""The gateway's edge: 401 for bad credentials, 429 shared by replicas, 413 for big bodies, JWTs
over HTTP and WebSocket, revoked keys refused at connection_init."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import jwt
import msgspec
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from litestar.testing import AsyncTestClient
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from libs.common.db import create_pool
from libs.common.settings import Settings
from services.gateway.app import create_app as gateway_app
from services.gateway.security.partner_store import PartnerStore
from tests.integration.gateway.api_platform import Platform, start_platform
from tests.integration.gateway.security_support import partner

PLATFORM_QUERY = {"query": "{ platform { version } }"}
ISSUER = "https://id.backan.gov.vn"


def _limited(settings: Settings, **limits: Any) -> Settings:
    values = {
        "rate_limit_per_minute": 1,
        "rate_limit_burst": 3,
        "rate_limit_anonymous_per_minute": 1,
        "rate_limit_anonymous_burst": 2,
    }
    return msgspec.structs.replace(settings, **{**values, **limits})


def _bearer(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


async def test_bad_credentials_are_a_401_with_a_code_on_graphql_and_rest(
    settings: Settings, migrated: asyncpg.Pool
) -> None:
    revoked = await PartnerStore(migrated).create(partner("gone", "read"))
    await PartnerStore(migrated).revoke("gone")
    generous = _limited(settings, rate_limit_burst=100, rate_limit_anonymous_burst=100)
    async with AsyncTestClient(app=gateway_app(generous)) as client:
        for header in ["Bearer tsk_nope", "Basic abc", f"Bearer {revoked}", "Bearer a.b.c"]:
            for response in [
                await client.post("/graphql", json=PLATFORM_QUERY, headers={"authorization": header}),
                await client.get("/api/v1/units", headers={"authorization": header}),
            ]:
                assert response.status_code == 401, (header, response.text)
                assert response.json()["code"] in {"invalid_api_key", "invalid_authorization", "invalid_token"}
        anonymous_read = await client.get("/api/v1/units")
        assert anonymous_read.status_code == 401
        assert (await client.post("/graphql", json=PLATFORM_QUERY)).status_code == 200


async def test_a_partner_over_its_limit_gets_429_on_every_replica(settings: Settings, migrated: asyncpg.Pool) -> None:
    store = PartnerStore(migrated)
    vnpt, viettel = await store.create(partner("vnpt", "read")), await store.create(partner("viettel", "read"))
    limited = _limited(settings)
    async with (
        AsyncTestClient(app=gateway_app(limited)) as one,
        AsyncTestClient(app=gateway_app(limited)) as two,
    ):
        statuses = [
            (await c.post("/graphql", json=PLATFORM_QUERY, headers=_bearer(vnpt))).status_code for c in (one, two, one)
        ]
        assert statuses == [200, 200, 200]
        for replica in (one, two):
            refused = await replica.post("/graphql", json=PLATFORM_QUERY, headers=_bearer(vnpt))
            assert refused.status_code == 429
            assert int(refused.headers["retry-after"]) >= 1
            assert refused.json()["code"] == "rate_limited"
        rest = await two.get("/api/v1/units", headers=_bearer(vnpt))
        assert rest.status_code == 429
        assert (await two.post("/graphql", json=PLATFORM_QUERY, headers=_bearer(viettel))).status_code == 200


async def test_anonymous_callers_are_limited_per_client_host(settings: Settings, migrated: asyncpg.Pool) -> None:
    async with AsyncTestClient(app=gateway_app(_limited(settings))) as client:
        statuses = [(await client.post("/graphql", json=PLATFORM_QUERY)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    host = await migrated.fetchval("SELECT bucket FROM gateway.rate_limit_buckets WHERE bucket LIKE 'host:%'")
    assert host == "host:testclient"


async def test_failed_authentications_are_charged_to_the_client_host(
    settings: Settings, migrated: asyncpg.Pool
) -> None:
    async with AsyncTestClient(app=gateway_app(_limited(settings))) as client:
        guesses = [
            (
                await client.post("/graphql", json=PLATFORM_QUERY, headers=_bearer(f"tsk_{i:016x}_{'a' * 43}"))
            ).status_code
            for i in range(3)
        ]
    assert guesses == [401, 401, 429]


async def test_a_body_over_the_limit_is_a_413_with_the_error_body(settings: Settings, migrated: asyncpg.Pool) -> None:
    small = msgspec.structs.replace(_limited(settings, rate_limit_burst=100), gateway_max_body_bytes=4096)
    key = await PartnerStore(migrated).create(partner("bulk", "registry:write", "read"))
    async with AsyncTestClient(app=gateway_app(small)) as client:
        padded = {"query": "{ platform { version } }", "variables": {"pad": "x" * 8000}}
        too_big = await client.post("/graphql", json=padded, headers=_bearer(key))
        assert too_big.status_code == 413
        assert too_big.json()["code"] == "request_too_large"
        upload = await client.post(
            "/api/v1/import", content=b"[" + b'{"kind": "x"},' * 1000 + b"{}]", headers=_bearer(key)
        )
        assert upload.status_code == 413
        assert (await client.post("/graphql", json=PLATFORM_QUERY, headers=_bearer(key))).status_code == 200


# --- JWTs and the WebSocket, on the whole platform -----------------------------------------


@pytest.fixture
def idp_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
async def jwt_platform(
    settings: Settings, idp_key: ec.EllipticCurvePrivateKey, tmp_path: Path
) -> AsyncIterator[Platform]:
    pem = tmp_path / "idp.pem"
    pem.write_bytes(
        idp_key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    configured = msgspec.structs.replace(
        settings, jwt_issuer=ISSUER, jwt_audience="tinhso", jwt_public_key_file=str(pem)
    )
    async for running in start_platform(configured):
        yield running


def _token(key: ec.EllipticCurvePrivateKey, *, expires_in: int = 300, scope: str = "read") -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": "tinhso", "sub": "ioc-operator", "iat": now, "exp": now + expires_in}
    return jwt.encode({**claims, "scope": scope, "partner": "ioc"}, key, algorithm="ES256")


async def _init(platform: Platform, authorization: str) -> dict[str, Any]:
    """Send connection_init; the server's answer, or its close code as ``{"closed": code}``."""
    async with connect(platform.ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": {"authorization": authorization}}))
        try:
            answer: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), 5))
        except ConnectionClosed as closed:
            return {"closed": closed.rcvd.code if closed.rcvd is not None else None}
        return answer


async def test_a_jwt_is_accepted_over_http_and_websocket_and_an_expired_one_is_refused(
    jwt_platform: Platform, idp_key: ec.EllipticCurvePrivateKey
) -> None:
    query = {"query": "{ units(first: 1) { totalCount } }"}

    async def answered() -> dict[str, Any] | None:
        ok = await jwt_platform.http.post("/graphql", json=query, headers=_bearer(_token(idp_key)))
        assert ok.status_code == 200, ok.text
        codes = {e["extensions"]["code"] for e in ok.json().get("errors") or []}
        assert not codes & {"UNAUTHENTICATED", "FORBIDDEN"}, ok.text
        # A service still starting on a loaded machine answers SERVICE_UNAVAILABLE: ask again.
        data: dict[str, Any] | None = ok.json().get("data")
        return data

    assert await jwt_platform.eventually(answered) == {"units": {"totalCount": 0}}
    expired = await jwt_platform.http.post("/graphql", json=query, headers=_bearer(_token(idp_key, expires_in=-3600)))
    assert expired.status_code == 401
    assert expired.json()["code"] == "token_expired"
    no_read = await jwt_platform.http.post("/graphql", json=query, headers=_bearer(_token(idp_key, scope="openid")))
    assert no_read.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    assert (await _init(jwt_platform, f"Bearer {_token(idp_key)}"))["type"] == "connection_ack"
    assert await _init(jwt_platform, f"Bearer {_token(idp_key, expires_in=-3600)}") == {"closed": 4403}
    stranger = ec.generate_private_key(ec.SECP256R1())
    assert await _init(jwt_platform, f"Bearer {_token(stranger)}") == {"closed": 4403}


async def test_a_revoked_key_is_refused_at_connection_init(jwt_platform: Platform) -> None:
    pool = await create_pool(jwt_platform.settings.database_url, service="test", max_size=1)
    try:
        store = PartnerStore(pool)
        key = await store.create(partner("ioc-wall", "read"))
        assert (await _init(jwt_platform, f"Bearer {key}"))["type"] == "connection_ack"
        await store.revoke("ioc-wall")
    finally:
        await pool.close()
    # Within TINHSO_AUTH_CACHE_SECONDS the gateway may still trust the key it checked a moment ago.
    deadline = time.monotonic() + jwt_platform.settings.auth_cache_seconds + 5
    while (answer := await _init(jwt_platform, f"Bearer {key}")) != {"closed": 4403}:
        assert time.monotonic() < deadline, answer
        await asyncio.sleep(0.5)
    rest = await jwt_platform.http.get("/api/v1/units", headers=_bearer(key))
    assert rest.status_code == 401


async def test_each_subscription_needs_the_read_scope(
    jwt_platform: Platform, idp_key: ec.EllipticCurvePrivateKey
) -> None:
    """Authenticated in connection_init, authorised per subscription: a writer without ``read``
    gets a FORBIDDEN error for its subscription, a reader gets its subscription started."""
    for scope, expected in [("registry:write", "error"), ("read", None)]:
        async with connect(jwt_platform.ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]) as socket:
            init = {"type": "connection_init", "payload": {"authorization": f"Bearer {_token(idp_key, scope=scope)}"}}
            await socket.send(json.dumps(init))
            assert json.loads(await asyncio.wait_for(socket.recv(), 5))["type"] == "connection_ack"
            subscribe = {"id": "1", "type": "subscribe", "payload": {"query": "subscription { events { id } }"}}
            await socket.send(json.dumps(subscribe))
            try:
                answer = json.loads(await asyncio.wait_for(socket.recv(), 1.5))
            except TimeoutError:
                answer = None  # a started subscription waits quietly for events
            if expected is None:
                assert answer is None or answer["type"] == "next", answer
                continue
            assert answer is not None
            errors = answer["payload"] if answer["type"] == "error" else answer["payload"].get("errors")
            assert errors[0]["extensions"]["code"] == "FORBIDDEN", answer

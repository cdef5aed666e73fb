"""Browsers on the origins listed in TINHSO_GATEWAY_CORS_ORIGINS may call the gateway; others may not."""

from __future__ import annotations

import asyncpg
import msgspec
from litestar.testing import AsyncTestClient

from libs.common.settings import Settings
from services.gateway.app import create_app as gateway_app

PARTNER_APP = "https://app.vnpt.example.vn"
PREFLIGHT = {
    "access-control-request-method": "POST",
    "access-control-request-headers": "authorization, content-type, idempotency-key",
}


async def test_a_listed_origin_passes_preflight_with_the_headers_the_api_reads_and_another_is_refused(
    settings: Settings, migrated: asyncpg.Pool
) -> None:
    configured = msgspec.structs.replace(settings, gateway_cors_origins=f"{PARTNER_APP}, http://localhost:5173")
    async with AsyncTestClient(app=gateway_app(configured)) as client:
        allowed = await client.options("/api/v1/import", headers={"origin": PARTNER_APP, **PREFLIGHT})
        refused = await client.options("/api/v1/import", headers={"origin": "https://evil.example", **PREFLIGHT})
        graphql = await client.options("/graphql", headers={"origin": "http://localhost:5173", **PREFLIGHT})
        read = await client.get("/api/v1/units", headers={"origin": PARTNER_APP})
        foreign_read = await client.get("/api/v1/units", headers={"origin": "https://evil.example"})

    assert allowed.status_code in {200, 204}, allowed.text
    assert allowed.headers["access-control-allow-origin"] == PARTNER_APP
    allowed_headers = {h.strip().lower() for h in allowed.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key"} <= allowed_headers
    assert "POST" in allowed.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in allowed.headers  # bearer tokens, never cookies
    assert graphql.headers["access-control-allow-origin"] == "http://localhost:5173"

    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers

    # The actual request: its answer names the origin and lets the page read the rate limit.
    assert read.headers["access-control-allow-origin"] == PARTNER_APP
    assert "ratelimit-remaining" in read.headers["access-control-expose-headers"].lower()
    assert "access-control-allow-origin" not in foreign_read.headers


async def test_without_origins_the_gateway_sends_no_cors_headers(settings: Settings, migrated: asyncpg.Pool) -> None:
    async with AsyncTestClient(app=gateway_app(settings)) as client:
        preflight = await client.options("/graphql", headers={"origin": PARTNER_APP, **PREFLIGHT})
        read = await client.get("/api/v1/units", headers={"origin": PARTNER_APP})
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in read.headers

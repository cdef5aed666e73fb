"""Asks each internal service whether it is ready, for the gateway's readiness body (reported,
not required: docs/operations.md)."""

from __future__ import annotations

import httpx

from libs.common.settings import Settings


async def service_readiness(client: httpx.AsyncClient, settings: Settings, service: str) -> str:
    try:
        response = await client.get(f"{settings.service_url(service)}/health/ready", timeout=3.0)
    except httpx.HTTPError as exc:
        return f"unreachable: {type(exc).__name__}"
    if response.status_code == 200:
        return "ok"
    return f"not ready (HTTP {response.status_code})"

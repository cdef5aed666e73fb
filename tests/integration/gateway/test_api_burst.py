"""A burst of 200 partners' queries at once is queued and answered, never refused (ADR 0057).

Each client asks its own question (its own variables), so the response cache cannot fold them
into one read: the gateway authenticates, queues and executes every one of them.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.integration.gateway.api_fixtures import register_unit
from tests.integration.gateway.api_platform import Platform, platform

__all__ = ["platform"]

CLIENTS = 200
QUERY = "query($code: String!) { unit(code: $code) { code } }"


async def test_two_hundred_concurrent_queries_all_answer_200(platform: Platform) -> None:
    """Failed before ADR 0057: every request missing the authentication cache looked its key up
    itself, 200 lookups queued on the gateway's pool of 10 and the last ones were answered 503
    ``not_ready`` past its acquire timeout (and the loop, busy with them, let internal calls
    time out connecting)."""
    await register_unit(platform, "06", "Tỉnh Bắc Kạn", "PROVINCE", None)
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=platform.url, timeout=120, limits=limits) as http:

        async def ask(n: int) -> tuple[int, dict[str, Any]]:
            body = {"query": QUERY, "variables": {"code": "06" if n == 0 else f"06{n:03d}"}}
            response = await http.post("/graphql", json=body, headers=platform.auth("reader"))
            return response.status_code, response.json()

        answers = await asyncio.gather(*(ask(n) for n in range(CLIENTS)))
    refused = [(status, body) for status, body in answers if status != 200 or "errors" in body]
    assert not refused, f"{len(refused)} of {CLIENTS} refused, the first: {refused[0]}"
    assert [body["data"]["unit"] for _, body in answers] == [{"code": "06"}] + [None] * (CLIENTS - 1)

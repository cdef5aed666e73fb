"""Rate limits charged per operation, not per request: each mutation field and each
subscription costs a token, answers carry ``RateLimit-*`` headers, and WebSockets and
subscriptions are capped per partner."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest
from litestar.testing import AsyncTestClient
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from libs.common.db import create_pool
from libs.common.migrations import apply_migrations
from libs.common.settings import Settings
from services.cli.catalogue import all_migrations
from services.gateway.app import create_app as gateway_app
from services.gateway.security.partner_store import PartnerStore
from tests.integration.gateway.admission_support import Edge, running_edge
from tests.integration.gateway.security_support import partner

SUBSCRIPTION = "subscription { events { id } }"


def _mutation(fields: int) -> dict[str, Any]:
    """``fields`` aliased registerUnit mutations in one operation."""
    unit = '(input: {{code: "T{i}", name: "t", level: PROVINCE, validFrom: "2020-01-01"}}) {{ code }}'
    body = " ".join(f"m{i}: registerUnit{unit.format(i=i)}" for i in range(fields))
    return {"query": f"mutation {{ {body} }}"}


def _closed_port_url() -> str:
    """A loopback URL nothing listens on: the mutations' commands fail at once, after the charge."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def _headers(response: httpx.Response) -> dict[str, str]:
    return {name: response.headers.get(name, "") for name in ("ratelimit-limit", "ratelimit-remaining")}


@pytest.fixture
async def vnpt_client(settings: Settings) -> AsyncIterator[tuple[AsyncTestClient[Any], dict[str, str]]]:
    conn = await asyncpg.connect(settings.database_url)
    await apply_migrations(conn, all_migrations())
    await conn.close()
    pool = await create_pool(settings.database_url, service="test", max_size=1)
    try:
        key = await PartnerStore(pool).create(partner("vnpt", "read", "registry:write"))
    finally:
        await pool.close()
    limited = msgspec.structs.replace(
        settings, rate_limit_per_minute=1, rate_limit_burst=10, registry_url=_closed_port_url()
    )
    async with AsyncTestClient(app=gateway_app(limited)) as client:
        yield client, {"authorization": f"Bearer {key}"}


async def test_each_mutation_field_costs_a_token_and_answers_say_what_is_left(
    vnpt_client: tuple[AsyncTestClient[Any], dict[str, str]],
) -> None:
    """Burst 10: four aliased mutations leave 6, five more leave 1, and two more are refused
    with a 429, ``Retry-After`` and ``RATE_LIMITED`` with ``retryAfter``. Failed before the fix:
    each request cost one token whatever it carried, and no RateLimit headers were sent."""
    client, auth = vnpt_client
    four = await client.post("/graphql", json=_mutation(4), headers=auth)
    assert four.status_code == 200, four.text
    assert _headers(four) == {"ratelimit-limit": "10", "ratelimit-remaining": "6"}
    five = await client.post("/graphql", json=_mutation(5), headers=auth)
    assert _headers(five) == {"ratelimit-limit": "10", "ratelimit-remaining": "1"}

    refused = await client.post("/graphql", json=_mutation(2), headers=auth)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert _headers(refused) == {"ratelimit-limit": "10", "ratelimit-remaining": "0"}
    assert int(refused.headers["ratelimit-reset"]) >= 1
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["retryAfter"] == int(refused.headers["retry-after"])
    assert refused.json()["data"] is None  # refused before anything ran


async def test_a_mutation_costing_more_than_the_burst_is_refused_with_the_reason(
    vnpt_client: tuple[AsyncTestClient[Any], dict[str, str]],
) -> None:
    """Failed before the fix: twelve mutations cost one token."""
    client, auth = vnpt_client
    refused = await client.post("/graphql", json=_mutation(12), headers=auth)
    assert refused.status_code == 429
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert "split it" in error["message"]
    assert error["extensions"]["details"]["cost"] == 12


async def test_rest_answers_carry_the_rate_limit_headers_and_a_429_its_retry_after(
    vnpt_client: tuple[AsyncTestClient[Any], dict[str, str]],
) -> None:
    """Failed before the fix: no RateLimit headers."""
    client, auth = vnpt_client
    remaining = []
    for _ in range(10):
        response = await client.get("/api/v1/units", headers=auth)
        assert response.headers["ratelimit-limit"] == "10"
        remaining.append(int(response.headers["ratelimit-remaining"]))
    assert remaining == list(range(9, -1, -1))
    refused = await client.get("/api/v1/units", headers=auth)
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["ratelimit-remaining"] == "0"
    assert refused.headers["ratelimit-policy"] == "10;w=600"


# --- WebSockets -------------------------------------------------------------------------------


async def _socket(edge: Edge, who: str = "vnpt") -> tuple[ClientConnection, dict[str, Any]]:
    """A connected socket after connection_init, and the server's answer (``closed``: its close code)."""
    ws = await connect(f"ws://127.0.0.1:{edge.port}/graphql", subprotocols=[Subprotocol("graphql-transport-ws")])
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {edge.keys[who]}"}}))
    try:
        return ws, json.loads(await asyncio.wait_for(ws.recv(), 5))
    except ConnectionClosed as closed:
        return ws, {"closed": closed.rcvd.code if closed.rcvd is not None else None}


async def _subscribe(ws: ClientConnection, operation_id: str) -> dict[str, Any] | None:
    """None: the subscription started (it waits quietly for events); else the error answered."""
    await ws.send(json.dumps({"id": operation_id, "type": "subscribe", "payload": {"query": SUBSCRIPTION}}))
    try:
        answer: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 1.5))
    except TimeoutError:
        return None
    return answer


def _error_code(answer: dict[str, Any] | None) -> str | None:
    if answer is None:
        return None
    errors = answer["payload"] if answer["type"] == "error" else answer["payload"].get("errors")
    code: str = errors[0]["extensions"]["code"]
    return code


async def test_each_subscription_costs_a_token(settings: Settings) -> None:
    """Burst 3: the connection takes one, two subscriptions one each, a third is refused with
    ``RATE_LIMITED`` and ``retryAfter``. Failed before the fix: only the connection was charged."""
    async with running_edge(settings, rate_limit_per_minute=1, rate_limit_burst=3) as edge:
        ws, init = await _socket(edge)
        try:
            assert init["type"] == "connection_ack"
            assert await _subscribe(ws, "1") is None
            assert await _subscribe(ws, "2") is None
            refused = await _subscribe(ws, "3")
            assert _error_code(refused) == "RATE_LIMITED"
            assert refused is not None
            assert refused["payload"][0]["extensions"]["retryAfter"] >= 1
        finally:
            await ws.close()


async def test_websockets_per_partner_are_capped(settings: Settings) -> None:
    """Failed before the fix: a partner could open any number of WebSockets."""
    async with running_edge(settings, rate_limit_per_minute=0, gateway_max_websockets_per_partner=2) as edge:
        (one, first), (two, second) = await _socket(edge), await _socket(edge)
        third, refused = await _socket(edge)
        other, viettel = await _socket(edge, "viettel")
        try:
            assert [first["type"], second["type"], viettel["type"]] == ["connection_ack"] * 3
            assert refused == {"closed": 4403}
            await one.close()
            await asyncio.sleep(0.3)
            again, answer = await _socket(edge)
            await again.close()
            assert answer["type"] == "connection_ack"  # a closed socket gives its place back
        finally:
            for ws in (one, two, third, other):
                await ws.close()


async def test_subscriptions_per_partner_are_capped_across_its_websockets(settings: Settings) -> None:
    """Failed before the fix: only subscriptions per connection were capped."""
    async with running_edge(settings, rate_limit_per_minute=0, gateway_max_subscriptions_per_partner=2) as edge:
        (one, _), (two, _) = await _socket(edge), await _socket(edge)
        try:
            assert await _subscribe(one, "1") is None
            assert await _subscribe(one, "2") is None
            assert _error_code(await _subscribe(two, "1")) == "SUBSCRIPTION_LIMIT"
            await one.send(json.dumps({"id": "1", "type": "complete"}))
            await asyncio.sleep(0.3)
            assert await _subscribe(two, "2") is None  # a completed subscription gives its place back
        finally:
            await one.close()
            await two.close()

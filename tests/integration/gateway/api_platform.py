"""The whole platform in the test process: registry, broadcast, metrics and the gateway, each a
real uvicorn server on a free loopback port, against the test database and broker.

The gateway is reached over real HTTP and WebSocket, as a partner would (subscription clients
need a socket). Partners' API keys are made through the security engineer's partner store.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest

from contracts.services import SERVICES
from libs.common.db import create_pool
from libs.common.migrations import apply_migrations
from libs.common.settings import Settings
from services.broadcast.app import create_app as broadcast_app
from services.cli.catalogue import all_migrations
from services.gateway.app import create_app as gateway_app
from services.gateway.events.consumer import GatewayConsumer
from services.gateway.graphql.limits import Limits
from services.gateway.security.partner_store import PartnerStore
from services.gateway.security.partners import Partner
from services.metrics.app import create_app as metrics_app
from services.registry.app import create_app as registry_app
from tests.support.http_server import Server, listening_socket


class Platform:
    def __init__(self, settings: Settings, gateway_url: str, keys: dict[str, str], consumer: GatewayConsumer) -> None:
        self.settings = settings
        self.url = gateway_url
        self.ws_url = gateway_url.replace("http://", "ws://") + "/graphql"
        self.keys = keys
        self.consumer = consumer
        # A pooled connection is dropped before the server's keep-alive (uvicorn's 5 s) ends it:
        # at equal timeouts a request sent as the server closes the connection gets a ReadError.
        self.http = httpx.AsyncClient(base_url=gateway_url, timeout=30, limits=httpx.Limits(keepalive_expiry=2.0))

    def auth(self, who: str = "admin") -> dict[str, str]:
        return {"authorization": f"Bearer {self.keys[who]}"}

    async def graphql(
        self, query: str, variables: dict[str, Any] | None = None, *, who: str | None = "admin", **extra: Any
    ) -> dict[str, Any]:
        """The whole GraphQL response (data, errors, extensions)."""
        body: dict[str, Any] = {"query": query, "variables": variables or {}, **extra}
        response = await self.http.post("/graphql", json=body, headers=self.auth(who) if who else {})
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def post(self, body: dict[str, Any], *, who: str | None = "admin") -> dict[str, Any]:
        """A GraphQL request body as given (persisted-query hashes, no query...)."""
        response = await self.http.post("/graphql", json=body, headers=self.auth(who) if who else {})
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def data(self, query: str, variables: dict[str, Any] | None = None, *, who: str = "admin") -> dict[str, Any]:
        result = await self.graphql(query, variables, who=who)
        assert not result.get("errors"), result["errors"]
        data: dict[str, Any] = result["data"]
        return data

    async def error(
        self, query: str, variables: dict[str, Any] | None = None, *, who: str | None = "admin"
    ) -> dict[str, Any]:
        result = await self.graphql(query, variables, who=who)
        assert result.get("errors"), f"expected an error, got {result}"
        first: dict[str, Any] = result["errors"][0]
        return first

    async def read_models_ready(self) -> bool:
        """Each service's read models exist (projections create their tables as they start)."""
        result = await self.graphql(
            "{ units(first: 1) { totalCount } programmes(first: 1) { totalCount } indicators { code } }"
        )
        return not result.get("errors")

    async def eventually(self, probe: Callable[[], Any], timeout: float = 15.0) -> Any:
        async with asyncio.timeout(timeout):
            while True:
                value = await probe()
                if value:
                    return value
                await asyncio.sleep(0.05)


PARTNERS = {
    "admin": Partner(name="test-admin", scopes=frozenset({"admin"})),
    "reader": Partner(name="test-reader", scopes=frozenset({"read"})),
    "writer": Partner(name="test-writer", scopes=frozenset({"registry:write"})),
}


async def start_platform(settings: Settings, limits: Limits | None = None) -> AsyncIterator[Platform]:
    conn = await asyncpg.connect(settings.database_url)
    await apply_migrations(conn, all_migrations())
    await conn.close()
    sockets = {name: listening_socket() for name in SERVICES}
    ports = {name: sock.getsockname()[1] for name, sock in sockets.items()}
    settings = msgspec.structs.replace(
        settings,
        registry_url=f"http://127.0.0.1:{ports['registry']}",
        broadcast_url=f"http://127.0.0.1:{ports['broadcast']}",
        metrics_url=f"http://127.0.0.1:{ports['metrics']}",
        # These tests are about the API, not the limiter. A test that calls without credentials
        # dozens of times (the authorization matrices) stays under the anonymous limit only on
        # a machine slow enough to spread the calls over a minute.
        rate_limit_per_minute=0,
        rate_limit_anonymous_per_minute=0,
    )
    gateway = gateway_app(settings, limits)
    servers = [
        Server(registry_app(settings), sockets["registry"]),
        Server(broadcast_app(settings), sockets["broadcast"]),
        Server(metrics_app(settings), sockets["metrics"]),
        Server(gateway, sockets["gateway"]),
    ]
    pool = await create_pool(settings.database_url, service="test", max_size=2)
    try:
        store = PartnerStore(pool)
        keys = {who: await store.create(partner) for who, partner in PARTNERS.items()}
        for server in servers:
            await server.start()
        platform = Platform(settings, f"http://127.0.0.1:{ports['gateway']}", keys, gateway.state.consumer)
        try:
            await platform.eventually(platform.read_models_ready, timeout=30)
            yield platform
        finally:
            await platform.http.aclose()
    finally:
        for server in reversed(servers):
            await server.stop()
        for sock in sockets.values():
            sock.close()
        await pool.close()


@pytest.fixture
async def platform(settings: Settings) -> AsyncIterator[Platform]:
    async for running in start_platform(settings):
        yield running

"""A running metrics service beside a running registry (real database and broker), for tests that
write through the registry's commands and read what the metrics service computed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from libs.common.kafka import ensure_topics, service_topics
from libs.common.migrations import apply_migrations
from libs.common.principal import Principal
from libs.common.settings import Settings
from services.broadcast.app import create_app as create_broadcast
from services.cli.catalogue import all_migrations
from services.metrics.app import create_app as create_metrics
from services.metrics.entrypoints.projections import PROJECTIONS
from services.metrics.seed.indicators import province_indicators
from services.registry.app import create_app as create_registry
from tests.support.principals import PrincipalAuth, service_client


class Metrics:
    def __init__(
        self,
        client: AsyncTestClient,  # type: ignore[type-arg]
        registry: AsyncTestClient,  # type: ignore[type-arg]
        broadcast: AsyncTestClient,  # type: ignore[type-arg]
        settings: Settings,
    ) -> None:
        self.client = client
        self.registry = registry
        self.broadcast = broadcast
        self.settings = settings
        self.database_url = settings.database_url

    def auth(self, principal: Principal) -> PrincipalAuth:
        """Signs a request to the metrics service as ``principal``."""
        return PrincipalAuth(self.settings, principal, "metrics")

    async def command(
        self, path: str, body: dict[str, Any], expect: int = 201, principal: Principal | None = None
    ) -> dict[str, Any]:
        if principal is None:
            response = await self.client.post(f"/commands/{path}", json=body)
        else:
            response = await self.client.post(f"/commands/{path}", json=body, auth=self.auth(principal))
        assert response.status_code == expect, f"{path}: {response.status_code} {response.text}"
        result: dict[str, Any] = response.json()
        return result

    async def get(self, path: str, expect: int = 200, **params: Any) -> Any:
        response = await self.client.get(path, params={k: v for k, v in params.items() if v is not None})
        assert response.status_code == expect, f"{path}: {response.status_code} {response.text}"
        return response.json()

    async def value(self, code: str, unit_code: str, period: str, **params: Any) -> dict[str, Any]:
        [found] = await self.get("/values", codes=code, unit_codes=unit_code, period=period, **params)
        result: dict[str, Any] = found
        return result

    async def register(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.registry.post(f"/commands/{path}", json=body)
        assert response.status_code == 201, f"{path}: {response.status_code} {response.text}"
        result: dict[str, Any] = response.json()
        return result

    async def eventually(self, probe: Callable[[], Any], timeout: float = 20.0) -> Any:
        async with asyncio.timeout(timeout):
            while True:
                value = await probe()
                if value:
                    return value
                await asyncio.sleep(0.05)

    async def catalogue_ready(self) -> None:
        expected = len(province_indicators())

        async def probe() -> bool:
            return len(await self.get("/indicators")) >= expected

        await self.eventually(probe)

    async def caught_up(self, timeout: float = 30.0) -> None:
        """Every metrics projection has applied (or dead-lettered) every event it handles."""
        conn = await asyncpg.connect(self.database_url)
        try:
            async with asyncio.timeout(timeout):
                while not await _all_applied(conn):  # noqa: ASYNC110 - polling the database
                    await asyncio.sleep(0.05)
        finally:
            await conn.close()


async def _all_applied(conn: asyncpg.Connection) -> bool:
    for projection in PROJECTIONS:
        if not await conn.fetchval("SELECT to_regclass($1)", f"{projection.name}.checkpoints"):
            return False
        handled = 0
        for service in projection.sources:
            handled += await conn.fetchval(
                f"SELECT count(*) FROM {service}.events WHERE type = ANY($1::text[])", list(projection.handles)
            )
        applied = await conn.fetchval(f"SELECT coalesce(sum(applied), 0) FROM {projection.name}.checkpoints")
        dead = await conn.fetchval("SELECT count(*) FROM metrics.dead_letters WHERE projection = $1", projection.name)
        if applied + dead < handled:
            return False
    return True


@pytest.fixture
async def metrics(settings: Settings) -> AsyncIterator[Metrics]:
    conn = await asyncpg.connect(settings.database_url)
    await apply_migrations(conn, all_migrations())
    await conn.close()
    # As ``tinhso up`` does: the broadcast topic exists before any broadcast service writes to it.
    await ensure_topics(settings.kafka_bootstrap, service_topics(settings), settings.kafka_partitions)
    # The platform as ``tinhso up`` runs it, but the gateway: the registry's and the broadcast
    # service's relays publish what their commands (and ``tinhso seed``) append.
    async with (
        service_client(create_registry(settings), settings) as registry,
        service_client(create_broadcast(settings), settings) as broadcast,
        service_client(create_metrics(settings), settings) as client,
    ):
        found = Metrics(client, registry, broadcast, settings)
        await found.catalogue_ready()
        yield found

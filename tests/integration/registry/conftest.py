"""A running registry service (real database and broker, its projections live) for HTTP tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from libs.common.migrations import apply_migrations
from libs.common.principal import Principal
from libs.common.settings import Settings
from services.cli.catalogue import all_migrations
from services.registry.app import create_app
from services.registry.entrypoints.projections import PROJECTIONS
from tests.support.principals import PrincipalAuth, service_client


class Registry:
    def __init__(self, client: AsyncTestClient, settings: Settings) -> None:  # type: ignore[type-arg]
        self.client = client
        self.settings = settings
        self.database_url = settings.database_url

    def as_partner(self, partner: str, *scopes: str) -> PrincipalAuth:
        """Signs a request as coming from ``partner`` (admin scope unless ``scopes``)."""
        principal = Principal(subject=f"partner:{partner}", partner=partner, scopes=frozenset(scopes or {"admin"}))
        return PrincipalAuth(self.settings, principal, "registry")

    async def command(self, path: str, body: dict[str, Any], expect: int = 201, **headers: str) -> dict[str, Any]:
        response = await self.client.post(f"/commands/{path}", json=body, headers=headers)
        assert response.status_code == expect, f"{path}: {response.status_code} {response.text}"
        result: dict[str, Any] = response.json()
        return result

    async def get(self, path: str, **params: Any) -> Any:
        response = await self.client.get(path, params={k: v for k, v in params.items() if v is not None})
        assert response.status_code == 200, f"{path}: {response.status_code} {response.text}"
        return response.json()

    async def eventually(self, probe: Callable[[], Any], timeout: float = 20.0) -> Any:
        """Poll a query until it is truthy: read models follow the log a moment later."""
        async with asyncio.timeout(timeout):
            while True:
                value = await probe()
                if value:
                    return value
                await asyncio.sleep(0.05)

    async def caught_up(self, timeout: float = 20.0) -> None:
        """Wait until every registry projection has applied (or dead-lettered) every event it handles."""
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
        handled = await conn.fetchval(
            "SELECT count(*) FROM registry.events WHERE type = ANY($1::text[])", list(projection.handles)
        )
        applied = await conn.fetchval(f"SELECT coalesce(sum(applied), 0) FROM {projection.name}.checkpoints")
        dead = await conn.fetchval("SELECT count(*) FROM registry.dead_letters WHERE projection = $1", projection.name)
        if applied + dead < handled:
            return False
    return True


@pytest.fixture
async def registry(settings: Settings) -> AsyncIterator[Registry]:
    conn = await asyncpg.connect(settings.database_url)
    await apply_migrations(conn, all_migrations())
    await conn.close()
    async with service_client(create_app(settings), settings) as client:
        yield Registry(client, settings)

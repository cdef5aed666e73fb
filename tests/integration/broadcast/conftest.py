"""A running broadcast service beside a running registry (real database and broker, relays and
projections live), and a small province to work on.

The broadcast service learns units, stations and clusters only from the registry's topic, so
every test first registers them through the registry's API and waits until the broadcast
service's read model of the registry has caught up (``Platform.caught_up``).
"""

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
from services.broadcast.app import create_app as create_broadcast
from services.broadcast.entrypoints.projections import PROJECTIONS
from services.cli.catalogue import all_migrations
from services.registry.app import create_app as create_registry
from tests.support.principals import PrincipalAuth, service_client

Client = AsyncTestClient[Any]


class Platform:
    def __init__(self, registry: Client, broadcast: Client, settings: Settings) -> None:
        self.registry = registry
        self.broadcast = broadcast
        self.settings = settings
        self.database_url = settings.database_url

    def auth(self, principal: Principal) -> PrincipalAuth:
        """Signs a request to the broadcast service as ``principal``."""
        return PrincipalAuth(self.settings, principal, "broadcast")

    async def registry_command(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.registry.post(f"/commands/{path}", json=body)
        assert response.status_code == 201, f"{path}: {response.status_code} {response.text}"
        result: dict[str, Any] = response.json()
        return result

    async def command(
        self, path: str, body: dict[str, Any], expect: int = 201, principal: Principal | None = None
    ) -> dict[str, Any]:
        if principal is None:
            response = await self.broadcast.post(f"/commands/{path}", json=body)
        else:
            response = await self.broadcast.post(f"/commands/{path}", json=body, auth=self.auth(principal))
        assert response.status_code == expect, f"{path}: {response.status_code} {response.text}"
        result: dict[str, Any] = response.json()
        return result

    async def get(self, path: str, expect: int = 200, **params: Any) -> Any:
        response = await self.broadcast.get(path, params={k: v for k, v in params.items() if v is not None})
        assert response.status_code == expect, f"{path}: {response.status_code} {response.text}"
        return response.json()

    async def query(self, path: str, body: dict[str, Any]) -> Any:
        response = await self.broadcast.post(f"/queries/{path}", json=body)
        assert response.status_code == 200, f"{path}: {response.status_code} {response.text}"
        return response.json()

    async def eventually(self, probe: Callable[[], Any], timeout: float = 20.0) -> Any:
        async with asyncio.timeout(timeout):
            while True:
                value = await probe()
                if value:
                    return value
                await asyncio.sleep(0.05)

    async def caught_up(self, timeout: float = 30.0) -> None:
        """Until every broadcast projection has applied (or dead-lettered) every event it handles,
        from the registry's store and its own."""
        conn = await asyncpg.connect(self.database_url)
        try:
            async with asyncio.timeout(timeout):
                while not await all_applied(conn):  # noqa: ASYNC110 - polling the database
                    await asyncio.sleep(0.05)
        finally:
            await conn.close()


async def all_applied(conn: asyncpg.Connection) -> bool:
    for projection in PROJECTIONS:
        if not await conn.fetchval("SELECT to_regclass($1)", f"{projection.name}.checkpoints"):
            return False
        handled = 0
        for service in projection.sources:
            handled += await conn.fetchval(
                f"SELECT count(*) FROM {service}.events WHERE type = ANY($1::text[])", list(projection.handles)
            )
        applied = await conn.fetchval(f"SELECT coalesce(sum(applied), 0) FROM {projection.name}.checkpoints")
        dead = await conn.fetchval("SELECT count(*) FROM broadcast.dead_letters WHERE projection = $1", projection.name)
        if applied + dead < handled:
            return False
    return True


@pytest.fixture
async def platform(settings: Settings) -> AsyncIterator[Platform]:
    conn = await asyncpg.connect(settings.database_url)
    await apply_migrations(conn, all_migrations())
    await conn.close()
    async with (
        service_client(create_registry(settings), settings) as registry,
        service_client(create_broadcast(settings), settings) as broadcast,
    ):
        yield Platform(registry, broadcast, settings)


class Province:
    """Ids of a small province: 06 > district 061 (communes 00001, 00002) and district 062
    (commune 00003); one station per commune; two clusters at 00001's station."""

    def __init__(self) -> None:
        self.stations: dict[str, str] = {}
        self.clusters: list[str] = []


UNITS = [
    {"code": "06", "name": "Tỉnh Bắc Kạn", "level": "province"},
    {"code": "061", "name": "Huyện Ba Bể", "level": "district", "parent_code": "06"},
    {"code": "062", "name": "Huyện Pác Nặm", "level": "district", "parent_code": "06"},
    {"code": "00001", "name": "Xã Một", "level": "commune", "parent_code": "061"},
    {"code": "00002", "name": "Xã Hai", "level": "commune", "parent_code": "061"},
    {"code": "00003", "name": "Xã Ba", "level": "commune", "parent_code": "062"},
]


@pytest.fixture
async def province(platform: Platform) -> Province:
    built = Province()
    for unit in UNITS:
        await platform.registry_command("units/register", {**unit, "valid_from": "2020-02-01"})
    for code in ("00001", "00002", "00003"):
        result = await platform.registry_command(
            "radio-stations/register", {"unit_code": code, "technology": "IP", "installed_on": "2021-01-04"}
        )
        built.stations[code] = result["ids"][0]
    for _ in range(2):
        result = await platform.registry_command(
            "speaker-clusters/register", {"station_id": built.stations["00001"], "installed_on": "2021-02-01"}
        )
        built.clusters.append(result["ids"][0])
    await platform.caught_up()
    return built

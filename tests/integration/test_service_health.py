"""A service answers its health routes against the real database and broker."""

import asyncio

import asyncpg
import msgspec
from litestar.testing import AsyncTestClient

from libs.common.migrations import apply_migrations
from libs.common.settings import Settings
from services.cli.catalogue import all_migrations
from services.registry.app import create_app as create_registry


async def _migrate(url: str) -> None:
    conn = await asyncpg.connect(url)
    await apply_migrations(conn, all_migrations())
    await conn.close()


async def test_a_service_is_ready_when_its_database_and_broker_answer(settings: Settings) -> None:
    await _migrate(settings.database_url)
    async with AsyncTestClient(app=create_registry(settings)) as client:
        assert (await client.get("/health/live")).json() == {"status": "live", "service": "registry"}
        ready = await _poll_ready(client)
    assert ready == {"status": "ready", "service": "registry", "checks": {"database": "ok", "broker": "ok"}}


async def test_a_service_whose_broker_is_unreachable_is_live_but_not_ready(settings: Settings) -> None:
    await _migrate(settings.database_url)
    unreachable = msgspec.structs.replace(settings, kafka_bootstrap="127.0.0.1:1")
    async with AsyncTestClient(app=create_registry(unreachable)) as client:
        assert (await client.get("/health/live")).status_code == 200
        response = await client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] != "ok"


async def _poll_ready(client: AsyncTestClient) -> object:  # type: ignore[type-arg]
    for _ in range(100):
        response = await client.get("/health/ready")
        if response.status_code == 200:
            return response.json()
        await asyncio.sleep(0.1)
    return response.json()

"""A service answers its health routes against the real database and broker."""

import asyncio

import asyncpg
import msgspec
from litestar.testing import AsyncTestClient

from libs.common.migrations import apply_migrations
from libs.common.settings import Idempotence, Settings
from services.cli.catalogue import all_migrations
from services.registry.app import create_app as create_registry
from tests.support.principals import service_client


async def _migrate(url: str) -> None:
    conn = await asyncpg.connect(url)
    await apply_migrations(conn, all_migrations())
    await conn.close()


async def test_a_service_is_ready_when_its_database_answers_and_reports_the_broker_and_relay(
    settings: Settings,
) -> None:
    await _migrate(settings.database_url)
    async with AsyncTestClient(app=create_registry(settings)) as client:
        assert (await client.get("/health/live")).json() == {"status": "live", "service": "registry"}
        ready = await _poll_reported_broker(client, "ok")
    assert ready == {
        "status": "ready",
        "service": "registry",
        "checks": {"database": "ok"},
        "reported": {"broker": "ok", "relay": "ok"},
    }


async def test_a_service_whose_broker_is_unreachable_is_ready_and_says_the_broker_is_down(
    settings: Settings,
) -> None:
    """Failed before readiness stopped requiring the broker: the answer was 503."""
    await _migrate(settings.database_url)
    unreachable = msgspec.structs.replace(settings, kafka_bootstrap="127.0.0.1:1")
    async with AsyncTestClient(app=create_registry(unreachable)) as client:
        assert (await client.get("/health/live")).status_code == 200
        response = await client.get("/health/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"] == {"database": "ok"}
    assert body["reported"]["broker"] != "ok"


async def _poll_reported_broker(client: AsyncTestClient, wanted: str) -> object:  # type: ignore[type-arg]
    for _ in range(100):
        body = (await client.get("/health/ready")).json()
        if body["reported"]["broker"] == wanted:
            return body
        await asyncio.sleep(0.1)
    return body


async def test_a_broker_that_refuses_idempotent_producers_is_named_in_readiness(settings: Settings) -> None:
    await _migrate(settings.database_url)
    strict = msgspec.structs.replace(settings, kafka_enable_idempotence=Idempotence.ON)
    async with AsyncTestClient(app=create_registry(strict)) as client:
        for _ in range(50):
            body = (await client.get("/health/ready")).json()
            if "IDEMPOTENCE" in body["reported"]["broker"]:
                break
            await asyncio.sleep(0.1)
    assert body["status"] == "ready"
    assert "TINHSO_KAFKA_ENABLE_IDEMPOTENCE=off" in body["reported"]["broker"]


async def test_a_query_before_the_read_models_exist_is_a_503_to_retry_not_a_500(settings: Settings) -> None:
    # With no broker the projections never start, so their tables do not exist yet: the state
    # of every service in the moment between opening its port and its runners' first step.
    await _migrate(settings.database_url)
    unreachable = msgspec.structs.replace(settings, kafka_bootstrap="127.0.0.1:1")
    async with service_client(create_registry(unreachable), settings) as client:
        response = await client.get("/units/by-code", params={"codes": "06"})
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "1"
    assert response.json()["code"] == "not_ready"

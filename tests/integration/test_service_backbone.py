"""A service's backbone seen from outside: commands over HTTP, /admin, and its metrics."""

from __future__ import annotations

import asyncio

import asyncpg
import msgspec

from libs.common.settings import ServiceRole, Settings
from tests.support.counter_projection import wait_until_applied
from tests.support.counter_service import counter_service
from tests.support.principals import service_client
from tests.support.telemetry import Telemetry


async def test_admin_endpoints_and_metrics_show_relay_and_projection_progress(
    settings: Settings, store_pool: asyncpg.Pool, telemetry: Telemetry
) -> None:
    app, _ = counter_service(settings)
    async with service_client(app, settings) as client:
        for n in range(12):
            response = await client.post(f"/counters/c-{n % 3}/increment", json={"by": n})
            assert response.status_code == 201, response.text
        await wait_until_applied(store_pool, 12)
        async with asyncio.timeout(15):  # the relay saves its progress, the runner sees high-water marks
            while True:
                relay = (await client.get("/admin/relay")).json()
                projections = (await client.get("/admin/projections")).json()
                parts = projections[0]["partitions"] if projections else []
                if relay["published"] == 12 and parts and all(p["lag_events"] == 0 for p in parts):
                    break
                await asyncio.sleep(0.05)
        lag_points = telemetry.metric_points("tinhso.projection.lag.events")
        published_points = telemetry.metric_points("tinhso.relay.published")

    assert relay["active"] is True
    assert relay["published"] == 12
    assert relay["pending"] == 0
    [projection] = projections
    assert projection["name"] == "test_totals"
    assert projection["applied"] == 12
    assert projection["running"] is True
    assert sum(p["applied_offset"] + 1 for p in projection["partitions"]) == 12
    assert all(p["lag_events"] == 0 for p in projection["partitions"])
    assert any(attrs.get("projection") == "test_totals" for attrs, _ in lag_points)
    assert ({"service": "test"}, 12) in published_points


async def test_an_idempotency_key_replays_the_first_answer_over_http(
    settings: Settings, store_pool: asyncpg.Pool
) -> None:
    app, _ = counter_service(settings)
    headers = {"idempotency-key": "k-1"}
    async with service_client(app, settings) as client:
        first = await client.post("/counters/c/increment", json={"by": 2}, headers=headers)
        again = await client.post("/counters/c/increment", json={"by": 2}, headers=headers)
        other = await client.post("/counters/c/increment", json={"by": 3}, headers=headers)
        bad = await client.post("/counters/c/increment", json={"by": "two"})
        bad_header = await client.post("/counters/c/increment", json={"by": 1}, headers={"x-correlation-id": "nope"})
    assert first.status_code == again.status_code == 201
    assert again.json()["event_ids"] == first.json()["event_ids"]
    assert again.json()["replayed"] is True
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_request"
    assert bad_header.status_code == 400
    assert bad_header.json()["code"] == "invalid_header"
    async with store_pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM test.events") == 1


async def test_an_api_process_takes_commands_and_its_backbone_process_projects_them(
    settings: Settings, store_pool: asyncpg.Pool
) -> None:
    api_app, api = counter_service(msgspec.structs.replace(settings, service_role=ServiceRole.API))
    worker_app, worker = counter_service(msgspec.structs.replace(settings, service_role=ServiceRole.BACKBONE))
    async with service_client(worker_app, settings) as backbone, service_client(api_app, settings) as client:
        for n in range(5):
            response = await client.post(f"/counters/c-{n % 2}/increment", json={"by": 1})
            assert response.status_code == 201, response.text
        await wait_until_applied(store_pool, 5)
        sent = await client.get("/admin/relay", follow_redirects=False)
        relay = (await backbone.get("/admin/relay")).json()
        not_served = await backbone.post("/counters/c-0/increment", json={"by": 1})

    # The API process started neither a relay nor a runner: the backbone process did the work.
    assert api.backbone is not None
    assert api.backbone.relay is None
    assert api.backbone.runners == []
    assert worker.backbone is not None
    assert worker.backbone.relay is not None
    assert sent.status_code == 307
    assert sent.headers["location"] == f"http://testserver.local:{80 + settings.backbone_port_offset}/admin/relay"
    assert sent.json()["code"] == "elsewhere"
    assert relay["published"] == 5
    assert not_served.status_code == 404  # the backbone process serves health and /admin only

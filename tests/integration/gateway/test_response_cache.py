"""The response cache through the real platform (ADR 0048): a repeated query is served from it,
a write shows in the next read even when its event reaches the gateway late, a write made
elsewhere drops it by its event, and one reader's answer never reaches a reader who may not
see it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import msgspec
import pytest

from libs.common.settings import Settings
from tests.integration.gateway.api_fixtures import INDICATOR, REPORT_VALUE, build_province, register_unit
from tests.integration.gateway.api_platform import Platform, start_platform
from tests.support.principals import ADMIN, PrincipalAuth

TTL_SECONDS = 600.0
"""Far beyond any wait here: an answer that is fresh again was dropped, not expired."""

DASHBOARD = """
query($parent: String!, $codes: [String!]) {
  units(level: COMMUNE, parentCode: $parent, first: 50) {
    edges { node {
      code name
      radioStation { technology clusters { signal village { code } } }
      indicators(period: "2023", codes: $codes) { value }
    } }
  }
}
"""
VARIABLES = {"parent": "061", "codes": [INDICATOR]}


@pytest.fixture
async def platform(settings: Settings) -> AsyncIterator[Platform]:
    cached = msgspec.structs.replace(
        settings, gateway_response_cache_ttl_seconds=TTL_SECONDS, gateway_response_cache_settle_seconds=1.0
    )
    async for running in start_platform(cached):
        yield running


@pytest.fixture
async def settling_platform(settings: Settings) -> AsyncIterator[Platform]:
    """Every answer read in a test is read while its scope settles: none is kept."""
    settling = msgspec.structs.replace(
        settings, gateway_response_cache_ttl_seconds=TTL_SECONDS, gateway_response_cache_settle_seconds=TTL_SECONDS
    )
    async for running in start_platform(settling):
        yield running


async def served_from_cache(platform: Platform, who: str = "admin") -> dict[str, Any]:
    """The dashboard once a repeat of it is served from the cache (no internal call): the
    writes that built the province settle first."""

    async def cached() -> dict[str, Any] | None:
        await platform.graphql(DASHBOARD, VARIABLES, who=who)
        again = await platform.graphql(DASHBOARD, VARIABLES, who=who)
        return again if again["extensions"]["internalCalls"] == {} else None

    result: dict[str, Any] = await platform.eventually(cached, timeout=60.0)
    return result


def values(result: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {e["node"]["code"]: e["node"]["indicators"] for e in result["data"]["units"]["edges"]}


async def test_a_write_shows_in_the_next_read_even_when_its_event_reaches_the_gateway_after_it(
    platform: Platform,
) -> None:
    """Fails on a cache dropped only by events: the consumer is cut off from the cache here."""
    province = await build_province(platform, communes=2, villages=1)
    cached = await served_from_cache(platform)
    assert values(cached) == {c: [{"value": None}] for c in province.communes}

    invalidation, platform.consumer.invalidation = platform.consumer.invalidation, None
    try:
        value = {"indicatorCode": INDICATOR, "unitCode": province.communes[0], "period": "2023", "value": 61.5}
        await platform.data(REPORT_VALUE, {"input": value})
        after = await platform.graphql(DASHBOARD, VARIABLES)
    finally:
        platform.consumer.invalidation = invalidation

    assert values(after)[province.communes[0]] == [{"value": 61.5}]
    assert after["extensions"]["internalCalls"] != {}

    scrape = (await platform.http.get("/metrics")).text
    hits = [line for line in scrape.splitlines() if line.startswith("tinhso_gateway_cache_hits_total")]
    assert hits
    assert float(hits[0].split()[-1]) >= 1


async def test_a_write_made_elsewhere_drops_the_answer_by_its_event(platform: Platform) -> None:
    """Fails on a cache that only a write through this gateway (or its TTL) drops: the commune
    is registered straight on the registry, as through another gateway replica."""
    await build_province(platform, communes=1, villages=1)
    await served_from_cache(platform)

    body = {"code": "06199", "name": "Xã mới", "level": "commune", "valid_from": "2020-01-01", "parent_code": "061"}
    auth = PrincipalAuth(platform.settings, ADMIN, "registry")
    async with httpx.AsyncClient(base_url=platform.settings.service_url("registry"), auth=auth) as registry:
        response = await registry.post("/commands/units/register", json=body)
        assert response.status_code in {200, 201}, response.text

    async def shows_it() -> bool:
        # Until the metrics service hears of the commune too, its indicators are an error.
        result = await platform.graphql(DASHBOARD, VARIABLES)
        if result.get("data") is None:
            return False
        return "06199" in {e["node"]["code"] for e in result["data"]["units"]["edges"]}

    assert await platform.eventually(shows_it, timeout=60.0)


async def test_an_answer_is_never_served_to_a_reader_who_may_not_see_it(platform: Platform) -> None:
    """Fails on a cache keyed by the document and variables alone."""
    await build_province(platform, communes=1, villages=1)
    await served_from_cache(platform, who="admin")

    refused = await platform.graphql(DASHBOARD, VARIABLES, who="writer")  # registry:write, no read
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    # A reader with other scopes than the admin's gets an answer of its own, then its own entry.
    reader = await platform.graphql(DASHBOARD, VARIABLES, who="reader")
    assert reader["extensions"]["internalCalls"] != {}
    assert (await served_from_cache(platform, who="reader"))["data"] == reader["data"]


async def test_writes_in_another_district_leave_the_answer_served_from_the_cache(platform: Platform) -> None:
    """Villages registered in district 062 change nothing district 061's dashboard shows, so it
    stays cached: a drop by a write or an event of another district is lost work, the nested
    query's whole cost at a wall of dashboards with writes elsewhere (issue #19)."""
    await build_province(platform, communes=2, villages=1)
    await register_unit(platform, "062", "Huyện khác", "DISTRICT", "06")
    await register_unit(platform, "06200", "Xã khác", "COMMUNE", "062")
    await served_from_cache(platform)

    for n in range(3):
        await register_unit(platform, f"06200W{n}", f"Thôn {n}", "VILLAGE", "06200")

    async def heard_every_write() -> bool:
        # The consumer has read the last village's event once the directory knows it.
        return platform.consumer.directory.unit_named("06200W2") is not None

    assert await platform.eventually(heard_every_write, timeout=30.0)
    again = await platform.graphql(DASHBOARD, VARIABLES)
    assert again["extensions"]["internalCalls"] == {}


async def test_a_burst_of_one_query_while_its_scope_settles_is_read_once(settling_platform: Platform) -> None:
    """Failed before the change (each of the 20 read for itself): an answer read while its
    scope settles is not kept, and the identical queries that waited for it took nothing."""
    platform = settling_platform
    province = await build_province(platform, communes=2, villages=1)

    burst = await asyncio.gather(*(platform.graphql(DASHBOARD, VARIABLES) for _ in range(20)))

    assert all(sorted(values(result)) == sorted(province.communes) for result in burst)
    readers = [result for result in burst if result["extensions"]["internalCalls"] != {}]
    assert 1 <= len(readers) <= 5  # a query that came after the read landed reads again


async def test_a_writer_reads_its_write_while_identical_queries_share_their_reads(platform: Platform) -> None:
    """Ten readers ask the dashboard over and over, so a read of it is nearly always in flight
    when the writer asks: the writer's answer must come from a read that began after its write,
    never from one it found in flight. Fails with waiters given any landed answer."""
    province = await build_province(platform, communes=2, villages=1)
    stop = asyncio.Event()

    async def reader() -> None:
        while not stop.is_set():
            await platform.graphql(DASHBOARD, VARIABLES)

    readers = [asyncio.create_task(reader()) for _ in range(10)]
    try:
        for n in range(8):
            value = {"indicatorCode": INDICATOR, "unitCode": province.communes[0], "period": "2023", "value": n}
            await platform.data(REPORT_VALUE, {"input": value})
            after = await platform.graphql(DASHBOARD, VARIABLES)
            assert values(after)[province.communes[0]] == [{"value": n}]
    finally:
        stop.set()
        await asyncio.gather(*readers)

    scrape = (await platform.http.get("/metrics")).text
    shared = [line for line in scrape.splitlines() if line.startswith("tinhso_gateway_cache_shared_total")]
    assert float(shared[0].split()[-1]) > 0

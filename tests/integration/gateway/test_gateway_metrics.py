"""The gateway's /metrics: GraphQL operations by name and outcome, live subscribers, rate-limit
refusals, and the names docs/operations.md lists; served to a direct scraper, never through a
proxy, that is never to partners."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from pathlib import Path
from typing import Any

import pytest
from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport
from prometheus_client.parser import text_string_to_metric_families

from libs.common.prometheus_metrics import operation_label
from tests.integration.gateway.api_fixtures import register_unit
from tests.integration.gateway.api_platform import Platform, platform

__all__ = ["platform"]

OPERATIONS_DOC = Path(__file__).parents[3] / "docs" / "operations.md"


def _documented_metric_names() -> set[str]:
    text = OPERATIONS_DOC.read_text()
    excerpts = re.findall(r"<!-- metrics -->\s*```text\n(.*?)\n```", text, re.DOTALL)
    assert excerpts, "docs/operations.md has no /metrics excerpt"
    families = text_string_to_metric_families("\n".join(excerpts) + "\n")
    return {sample.name for family in families for sample in family.samples}


async def _scrape(platform: Platform, url: str = "") -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Each sample's value by name and labels; a family with no sample yet as its name alone."""
    response = await platform.http.get(f"{url}/metrics")
    assert response.status_code == 200, response.text
    found: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for family in text_string_to_metric_families(response.text):
        found.setdefault((family.name, frozenset()), 0.0)
        found.update({(sample.name, frozenset(sample.labels.items())): sample.value for sample in family.samples})
    return found


def _value(scrape: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return scrape.get((name, frozenset(labels.items())), 0.0)


async def test_a_scrape_of_the_gateway_counts_operations_and_subscribers(
    platform: Platform, caplog: pytest.LogCaptureFixture
) -> None:
    await register_unit(platform, "06", "Tỉnh Bắc Kạn", "PROVINCE", None)  # so projections report lag
    before = await _scrape(platform)
    with caplog.at_level(logging.INFO, logger="tinhso.access"):
        await platform.data("query OpsScrapeProbe { units(first: 1) { totalCount } }")
    # Its access line names the operation and the partner.
    (line,) = [r for r in caplog.records if getattr(r, "graphql_operation", None) == "OpsScrapeProbe"]
    assert (line.route, line.status, line.partner) == ("/graphql", 200, "test-admin")  # type: ignore[attr-defined]
    await platform.graphql("query OpsScrapeBroken { noSuchField }")

    transport = WebsocketsTransport(
        url=platform.ws_url,
        init_payload={"authorization": f"Bearer {platform.keys['admin']}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    async with Client(transport=transport, fetch_schema_from_transport=False) as session:

        async def listen() -> None:
            request: Any = GraphQLRequest("subscription { events { id } }")
            async for _ in session.subscribe(request):
                pass

        listening = asyncio.create_task(listen())
        try:
            await platform.eventually(lambda: _subscribed(platform))
            after = await _scrape(platform)
        finally:
            listening.cancel()
            with contextlib.suppress(BaseException):
                await listening

    def grew(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    # The label this process gives each name: past MAX_OPERATION_NAMES distinct names (other
    # tests' gateways share the process, and so the counter) a new name counts as ``other``.
    # Asserting the bare name failed when the tests before had used up the names.
    probe, broken = operation_label("OpsScrapeProbe"), operation_label("OpsScrapeBroken")
    assert grew("tinhso_graphql_operations_total", operation=probe, outcome="ok") == 1
    assert grew("tinhso_graphql_operations_total", operation=broken, outcome="error") == 1
    assert _value(after, "tinhso_live_subscribers") == 1
    graphql = {"service": "gateway", "route": "/graphql", "method": "POST"}
    assert grew("tinhso_http_requests_total", status="200", **graphql) >= 2
    assert grew("tinhso_http_request_duration_seconds_count", **graphql) >= 2
    for kind in ("partner", "anonymous"):
        assert ("tinhso_rate_limit_refusals_total", frozenset({("partner_kind", kind)})) in after

    # Every name the operations guide shows is one the platform serves (the services' names
    # from their own scrapes: here they share the test's process, not its relay figures).
    served = {name for name, _ in after}
    for service in ("registry", "broadcast", "metrics"):
        await platform.http.get(f"{platform.settings.service_url(service)}/health/ready")  # tinhso_dependency_up
        scrape = await _scrape(platform, platform.settings.service_url(service))
        served |= {name for name, _ in scrape}
        if service == "broadcast":  # its incident detector looks every fraction of a second
            assert abs(time.time() - _value(scrape, "tinhso_incident_detector_last_run_timestamp_seconds")) < 30
    assert _documented_metric_names() <= served, _documented_metric_names() - served


async def test_a_projection_caught_up_on_the_first_record_of_a_partition_reports_no_lag(platform: Platform) -> None:
    """Failed before the fix: offset 0 was read as "nothing applied", so a partition whose one
    record was applied reported a lag of 1 event for ever."""
    await register_unit(platform, "06", "Tỉnh Bắc Kạn", "PROVINCE", None)
    registry = platform.settings.service_url("registry")

    async def caught_up() -> bool:
        scrape = await _scrape(platform, registry)
        lags = [
            value
            for (name, labels), value in scrape.items()
            if name == "tinhso_projection_lag_events" and ("projection", "registry_units") in labels
        ]
        return bool(lags) and set(lags) == {0.0}

    await platform.eventually(caught_up)


async def _subscribed(platform: Platform) -> bool:
    return len(platform.consumer.hub.subscribers) == 1


async def test_the_gateway_does_not_serve_metrics_through_a_proxy(platform: Platform) -> None:
    """A request that came through an ingress or a load balancer carries a forwarding header:
    it is a partner's, and /metrics is not there for it."""
    for header in ({"x-forwarded-for": "203.0.113.7"}, {"forwarded": "for=203.0.113.7"}):
        response = await platform.http.get("/metrics", headers=header)
        assert response.status_code == 404, header
        assert "tinhso_" not in response.text
    assert (await platform.http.get("/metrics")).status_code == 200

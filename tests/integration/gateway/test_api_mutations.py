"""Mutations through /graphql: the owning service's refusals as coded GraphQL errors, retry
safety with idempotencyKey, who may call, and one trace from the partner to the service."""

from __future__ import annotations

import asyncio

from opentelemetry.trace import SpanKind

from tests.integration.gateway.api_fixtures import REGISTER_UNIT, register_unit
from tests.integration.gateway.api_platform import Platform, platform
from tests.support.telemetry import Telemetry

__all__ = ["platform"]


def unit(code: str, parent: str | None, level: str = "DISTRICT", **extra: object) -> dict[str, object]:
    return {"input": {"code": code, "name": f"Unit {code}", "level": level, "parentCode": parent,
                      "validFrom": "2020-01-01", **extra}}  # fmt: skip


async def test_the_services_refusals_come_back_with_their_codes(platform: Platform) -> None:
    await register_unit(platform, "06", "Tỉnh Bắc Kạn", "PROVINCE", None)
    unknown = await platform.error(REGISTER_UNIT, unit("061", "99"))
    assert unknown["extensions"]["code"] == "UNKNOWN_PARENT"
    assert unknown["extensions"]["service"] == "registry"
    assert "99" in unknown["message"]
    assert unknown["path"] == ["registerUnit"]
    await platform.data(REGISTER_UNIT, unit("061", "06"))
    duplicate = await platform.error(REGISTER_UNIT, unit("061", "06"))
    assert duplicate["extensions"]["code"] == "DUPLICATE_CODE"


async def test_a_partner_without_the_write_scope_is_refused_by_the_service(platform: Platform) -> None:
    refused = await platform.error(REGISTER_UNIT, unit("06", None, "PROVINCE"), who="reader")
    assert refused["extensions"]["code"] == "FORBIDDEN"
    anonymous = await platform.error(REGISTER_UNIT, unit("06", None, "PROVINCE"), who=None)
    assert anonymous["extensions"]["code"] == "UNAUTHENTICATED"


async def test_reads_need_credentials_with_the_read_scope(platform: Platform) -> None:
    anonymous = await platform.error("{ units { totalCount } }", who=None)
    assert anonymous["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await platform.data("{ units { totalCount } }", who="reader"))["units"]["totalCount"] == 0
    assert (await platform.graphql("{ platform { version } }", who=None))["data"]["platform"]["version"]
    response = await platform.http.post(
        "/graphql", json={"query": "{ units { totalCount } }"}, headers={"authorization": "Bearer tsk_bogus_x"}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_api_key"


async def test_inputs_the_schema_refuses_are_validation_errors(platform: Platform) -> None:
    period = await platform.error(
        'query($p: Period!) { indicatorValues(codes: ["x"], period: $p, level: COMMUNE) { value } }', {"p": "2023Q5"}
    )
    assert period["extensions"]["code"] == "VALIDATION"
    assert "2023Q5" in period["message"]
    page = await platform.error("{ units(first: 500) { totalCount } }")
    assert page["extensions"]["code"] == "VALIDATION"
    level = await platform.error(REGISTER_UNIT, unit("06", None, "REGION"))
    assert level["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_the_same_idempotency_key_twice_registers_the_unit_once(platform: Platform) -> None:
    first, second = await asyncio.gather(
        platform.data(REGISTER_UNIT, unit("06", None, "PROVINCE", idempotencyKey="import-2026-01-01")),
        platform.data(REGISTER_UNIT, unit("06", None, "PROVINCE", idempotencyKey="import-2026-01-01")),
    )
    assert first["registerUnit"]["id"] == second["registerUnit"]["id"]
    assert (await platform.data("{ units { totalCount } }"))["units"]["totalCount"] == 1


async def test_the_gateways_request_span_is_the_parent_of_the_services_span(
    platform: Platform, telemetry: Telemetry
) -> None:
    telemetry.spans.clear()
    trace_id = "5bf92f3577b34da6a3ce929d0e0e4736"
    response = await platform.http.post(
        "/graphql",
        json={"query": REGISTER_UNIT, "variables": unit("06", None, "PROVINCE")},
        headers={**platform.auth(), "traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"},
    )
    assert response.status_code == 200
    assert not response.json().get("errors")
    spans = [s for s in telemetry.spans.get_finished_spans() if format(s.context.trace_id, "032x") == trace_id]
    client = next(s for s in spans if s.kind == SpanKind.CLIENT and s.name == "POST registry/commands/units/register")
    server = next(s for s in spans if s.kind == SpanKind.SERVER and "/commands/units/register" in s.name)
    gateway = next(s for s in spans if s.kind == SpanKind.SERVER and "/graphql" in s.name)
    assert server.parent is not None
    assert server.parent.span_id == client.context.span_id
    ancestors = {s.context.span_id: s for s in spans}
    parent = client.parent
    while parent is not None and parent.span_id != gateway.context.span_id:
        parent = ancestors[parent.span_id].parent
    assert parent is not None, "the internal call is not under the gateway's request span"


async def test_each_operation_is_counted_in_the_gateways_metrics(platform: Platform, telemetry: Telemetry) -> None:
    def count(kind: str, outcome: str) -> float:
        points = telemetry.metric_points("tinhso.gateway.graphql.operations")
        return sum(v for attrs, v in points if attrs == {"graphql.operation.type": kind, "outcome": outcome})

    queries, failed = count("query", "ok"), count("mutation", "error")
    await platform.data("{ units { totalCount } }")
    await platform.error(REGISTER_UNIT, unit("061", "99"))
    assert count("query", "ok") == queries + 1
    assert count("mutation", "error") == failed + 1

"""One trace from an HTTP command to the projection that applied its event."""

from __future__ import annotations

import asyncio

import asyncpg
from opentelemetry.trace import SpanKind

from libs.common.principal import Principal
from libs.common.settings import Settings
from tests.support.counter_projection import totals
from tests.support.counter_service import counter_service
from tests.support.principals import service_client
from tests.support.telemetry import Telemetry


async def test_a_partners_trace_id_reaches_the_span_of_the_projection_that_applied_the_command(
    settings: Settings, store_pool: asyncpg.Pool, telemetry: Telemetry
) -> None:
    telemetry.spans.clear()
    app, _ = counter_service(settings)
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    vnpt = Principal(subject="partner:vnpt", partner="VNPT", scopes=frozenset({"admin"}))
    async with service_client(app, settings, vnpt) as client:
        response = await client.post(
            "/counters/c-1/increment",
            json={"by": 5},
            headers={"traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"},
        )
        assert response.status_code == 201, response.text
        async with asyncio.timeout(20):
            while True:
                async with store_pool.acquire() as conn:
                    exists = await conn.fetchval("SELECT to_regclass('test_totals.totals')")
                    if exists and await totals(conn) == {"c-1": (5, 1, 1)}:
                        break
                await asyncio.sleep(0.05)
        async with store_pool.acquire() as conn:
            stored = await conn.fetchrow("SELECT traceparent, partner, correlation_id FROM test.events")

    assert stored is not None
    assert stored["partner"] == "VNPT"
    assert stored["correlation_id"] is not None
    assert stored["traceparent"].split("-")[1] == trace_id
    finished = telemetry.spans.get_finished_spans()
    by_kind = {(s.kind, s.name.split(" ")[0]): s for s in finished}
    server = by_kind[(SpanKind.SERVER, "POST")]
    publish = by_kind[(SpanKind.PRODUCER, "publish")]
    apply = by_kind[(SpanKind.CONSUMER, "process")]
    for span in (server, publish, apply):
        assert span.context is not None
        assert format(span.context.trace_id, "032x") == trace_id
    assert apply.attributes is not None
    assert apply.attributes["tinhso.projection"] == "test_totals"
    # Named as the messaging semantic conventions name them: operation, then destination.
    topic = settings.topic("test")
    assert (publish.name, apply.name) == (f"publish {topic}", f"process {topic}")
    assert publish.attributes is not None
    for span, operation in ((publish, "send"), (apply, "process")):
        assert span.attributes is not None
        assert span.attributes["messaging.system"] == "kafka"
        assert span.attributes["messaging.destination.name"] == topic
        assert span.attributes["messaging.operation.type"] == operation

    # The request span is named by its route, not the raw path, and is the parent of the
    # Postgres calls the command made: the load and the append.
    assert server.name == "POST /counters/{stream_id}/increment"
    assert server.attributes is not None
    assert server.attributes["http.response.status_code"] == 201
    in_request = [s for s in finished if s.parent is not None and s.parent.span_id == server.context.span_id]
    statements = [str((s.attributes or {}).get("db.statement", "")) for s in in_request if s.kind == SpanKind.CLIENT]
    assert any("INSERT INTO test.events" in sql for sql in statements), statements
    assert any(sql.startswith("SELECT") and "FROM test.events" in sql for sql in statements), statements
    # The relay's and the runner's polling made Postgres calls too, but started no trace.
    assert not [
        s
        for s in finished
        if s.kind == SpanKind.CLIENT and s.parent is None and s.attributes and "db.system" in s.attributes
    ]


async def test_a_request_no_route_answers_is_traced_with_its_status(settings: Settings, telemetry: Telemetry) -> None:
    telemetry.spans.clear()
    app, _ = counter_service(settings)
    vnpt = Principal(subject="partner:vnpt", partner="VNPT", scopes=frozenset({"admin"}))
    async with service_client(app, settings, vnpt) as client:
        response = await client.get("/no/such/route")
    assert response.status_code == 404
    spans = [s for s in telemetry.spans.get_finished_spans() if s.kind == SpanKind.SERVER]
    [span] = spans
    assert span.name == "GET"  # no route: the method alone, whatever path a scanner tries
    assert span.attributes is not None
    assert span.attributes["url.path"] == "/no/such/route"
    assert span.attributes["http.response.status_code"] == 404

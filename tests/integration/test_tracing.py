"""One trace from an HTTP command to the projection that applied its event."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from litestar import Request, post
from litestar.params import FromPath, JSONBody
from litestar.testing import AsyncTestClient
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from libs.common.backbone import Backbone
from libs.common.eventstore.commands import CommandExecutor, CommandResult
from libs.common.http.app import build_service_app
from libs.common.http.commands import command_metadata
from libs.common.runtime import ServiceRuntime
from libs.common.settings import Settings
from libs.common.tracing import setup_tracing
from tests.support.counter import CATALOGUE, COUNTER, Increment
from tests.support.counter_projection import CounterTotals, totals

_provider: TracerProvider | None = None
_exporter = InMemorySpanExporter()


@pytest.fixture
def spans() -> InMemorySpanExporter:
    global _provider  # noqa: PLW0603 - OpenTelemetry allows one global provider per process
    if _provider is None:
        _provider = setup_tracing("test")
        _provider.add_span_processor(SimpleSpanProcessor(_exporter))
    _exporter.clear()
    return _exporter


async def test_a_partners_trace_id_reaches_the_span_of_the_projection_that_applied_the_command(
    settings: Settings, store_pool: asyncpg.Pool, spans: InMemorySpanExporter
) -> None:
    runtime = ServiceRuntime("test", settings, Backbone("test", settings, [CounterTotals()]))

    @post("/counters/{stream_id:str}/increment", operation_id="increment")
    async def increment(stream_id: FromPath[str], data: JSONBody[Increment], request: Request) -> CommandResult:  # type: ignore[type-arg]
        # The app runs on the test client's own event loop: use the runtime's pool, made there.
        executor = CommandExecutor(runtime.pool, "test", CATALOGUE)
        return await executor.execute(COUNTER, stream_id, data, metadata=command_metadata(request))

    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    app = build_service_app(runtime, [increment], title="trace test")
    async with AsyncTestClient(app=app) as client:
        response = await client.post(
            "/counters/c-1/increment",
            json={"by": 5},
            headers={"traceparent": f"00-{trace_id}-00f067aa0ba902b7-01", "x-tinhso-partner": "VNPT"},
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
    finished = spans.get_finished_spans()
    by_kind = {(s.kind, s.name.split(" ")[0]): s for s in finished}
    server = by_kind[(SpanKind.SERVER, "POST")]
    publish = by_kind[(SpanKind.PRODUCER, "publish")]
    apply = by_kind[(SpanKind.CONSUMER, "apply")]
    for span in (server, publish, apply):
        assert span.context is not None
        assert format(span.context.trace_id, "032x") == trace_id
    assert apply.attributes is not None
    assert apply.attributes["tinhso.projection"] == "test_totals"

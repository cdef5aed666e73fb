"""Postgres calls are traced inside an operation, never as traces of their own."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import SpanKind

from libs.common.tracing import NoRootDatabaseSpans

DB = {"db.system": "postgresql", "db.statement": "SELECT 1"}


def _tracer() -> tuple[trace.Tracer, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider(sampler=ParentBased(NoRootDatabaseSpans(TraceIdRatioBased(1.0))))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider.get_tracer("test"), exporter


def test_a_database_call_on_its_own_is_not_recorded() -> None:
    tracer, exporter = _tracer()
    with tracer.start_as_current_span("SELECT", kind=SpanKind.CLIENT, attributes=DB) as span:
        assert not span.is_recording()
    assert exporter.get_finished_spans() == ()


def test_a_database_call_inside_a_request_is_recorded_under_it() -> None:
    tracer, exporter = _tracer()
    with (
        tracer.start_as_current_span("POST /x", kind=SpanKind.SERVER) as request,
        tracer.start_as_current_span("SELECT", kind=SpanKind.CLIENT, attributes=DB),
    ):
        pass
    finished = {s.name: s for s in exporter.get_finished_spans()}
    assert set(finished) == {"POST /x", "SELECT"}
    parent = finished["SELECT"].parent
    assert parent is not None
    assert parent.span_id == request.get_span_context().span_id


def test_other_root_spans_follow_the_configured_ratio() -> None:
    tracer, exporter = _tracer()
    with tracer.start_as_current_span("GET /y", kind=SpanKind.CLIENT, attributes={"http.request.method": "GET"}):
        pass
    assert [s.name for s in exporter.get_finished_spans()] == ["GET /y"]

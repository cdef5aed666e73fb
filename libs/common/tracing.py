"""OpenTelemetry: one trace from a partner's request to the projection that applied its events.

The command path stores the request's ``traceparent`` on every event it appends; the relay
sends it as a Kafka header and in the envelope; the projection runner starts its apply span
as a child of it. Events appended without a trace (bulk loads, benchmarks) get no per-event
span, so tracing costs nothing on those hot paths. Spans are recorded and exported over OTLP
only when ``TINHSO_OTLP_ENDPOINT`` is set. Otherwise no span is recorded, since nothing would
read it, but trace ids are still made and carried: events keep the ``traceparent`` of the
request that caused them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from opentelemetry import context as otel_context
from opentelemetry import metrics, trace
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.trace import Link, Span, SpanKind, TraceState
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import Attributes

from contracts.envelope import Envelope

_propagator = TraceContextTextMapPropagator()


def setup_tracing(
    service: str,
    *,
    otlp_endpoint: str = "",
    sample_ratio: float = 1.0,
    metric_readers: Sequence[MetricReader] = (),
    span_processors: Sequence[SpanProcessor] = (),
) -> TracerProvider:
    """Install the process-wide tracer and meter providers (once, in a composition root).

    Spans are recorded when something receives them: the OTLP exporter, or ``span_processors``
    (tests read spans from memory). Recording a span costs tens of microseconds, about a tenth
    of a command's CPU in the service, so it is not paid for spans nobody reads.
    """
    resource = Resource.create({"service.name": f"tinhso-{service}", "service.namespace": "tinhso"})
    processors = list(span_processors)
    readers: list[MetricReader] = list(metric_readers)
    if otlp_endpoint:
        processors.append(BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{otlp_endpoint}/v1/traces")))
        readers.append(PeriodicExportingMetricReader(OTLPMetricExporter(endpoint=f"{otlp_endpoint}/v1/metrics")))
    recording = bool(processors)
    sampler = ParentBased(NoRootDatabaseSpans(TraceIdRatioBased(sample_ratio))) if recording else ALWAYS_OFF
    provider = TracerProvider(resource=resource, sampler=sampler)
    for processor in processors:
        provider.add_span_processor(processor)
    trace.set_tracer_provider(provider)
    if readers:
        # Without a reader the SDK would still build and aggregate every measurement, about 15 µs
        # per HTTP request, for nobody; the API's no-op instruments cost nothing.
        metrics.set_meter_provider(MeterProvider(resource=resource, metric_readers=readers))
    instrumentor = AsyncPGInstrumentor()  # type: ignore[no-untyped-call]
    if recording and not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument(tracer_provider=provider)
    return provider


class NoRootDatabaseSpans(Sampler):
    """Postgres calls are traced inside an operation (a request, a publish, a projection's
    batch); a call made by a background loop on its own (the relay reads every 20 ms after a
    notification) starts no trace, so it cannot flood the exporter."""

    def __init__(self, root: Sampler) -> None:
        self._root = root

    def should_sample(  # noqa: PLR0917 - the Sampler interface's signature
        self,
        parent_context: otel_context.Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        if kind is SpanKind.CLIENT and attributes and ("db.system" in attributes or "db.system.name" in attributes):
            return SamplingResult(Decision.DROP)
        return self._root.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)

    def get_description(self) -> str:
        return f"NoRootDatabaseSpans{{{self._root.get_description()}}}"


def tracer() -> trace.Tracer:
    return trace.get_tracer("tinhso")


def current_traceparent() -> str | None:
    """The W3C ``traceparent`` of the current span, as the propagator would write it, without
    the carrier dict and the ``tracestate`` it also builds (one call per command)."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{context.trace_flags:02x}"


def context_from_traceparent(traceparent: str | None) -> otel_context.Context | None:
    if not traceparent:
        return None
    return _propagator.extract({"traceparent": traceparent})


@contextmanager
def span(name: str, kind: SpanKind = SpanKind.INTERNAL, **attributes: str | int) -> Iterator[Span]:
    with tracer().start_as_current_span(name, kind=kind, attributes=attributes) as current:
        yield current


@contextmanager
def traced_publish(topic: str, envelope: Envelope) -> Iterator[None]:
    """A PRODUCER span for an event that was traced at its origin; nothing otherwise."""
    parent = context_from_traceparent(envelope.traceparent)
    if parent is None:
        yield
        return
    with tracer().start_as_current_span(
        f"publish {topic}",
        context=parent,
        kind=SpanKind.PRODUCER,
        attributes={
            "messaging.system": "kafka",
            "messaging.destination.name": topic,
            "messaging.message.id": str(envelope.event_id),
            "tinhso.event_type": envelope.type,
        },
    ):
        yield


def record_apply_span(projection: str, envelope: Envelope, start_ns: int, end_ns: int) -> None:
    """A CONSUMER span, child of the command's trace, for an event applied in a batch."""
    parent = context_from_traceparent(envelope.traceparent)
    if parent is None:
        return
    applied = tracer().start_span(
        f"apply {projection}",
        context=parent,
        kind=SpanKind.CONSUMER,
        start_time=start_ns,
        attributes={
            "messaging.system": "kafka",
            "messaging.operation.type": "process",
            "messaging.message.id": str(envelope.event_id),
            "tinhso.projection": projection,
            "tinhso.event_type": envelope.type,
        },
    )
    applied.end(end_time=end_ns)

"""OpenTelemetry: one trace from a partner's request to the projection that applied its events.

The command path stores the request's ``traceparent`` on every event it appends; the relay
sends it as a Kafka header and in the envelope; the projection runner starts its apply span
as a child of it. Events appended without a trace (bulk loads, benchmarks) get no per-event
span, so tracing costs nothing on those hot paths. Spans are recorded and exported over OTLP
only when an endpoint is configured. Otherwise no span is recorded, since nothing would read
it, but trace ids are still made and carried: events keep the ``traceparent`` of the request
that caused them, and log lines the ids of the current span.

The standard ``OTEL_*`` variables are honoured and win over the ``TINHSO_*`` ones, which stay
as fallbacks: ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``; the
SDK's exporters read it, with its headers, themselves) over ``TINHSO_OTLP_ENDPOINT``;
``OTEL_TRACES_SAMPLER`` and ``OTEL_TRACES_SAMPLER_ARG`` over ``TINHSO_TRACE_SAMPLE_RATIO``;
``OTEL_SERVICE_NAME`` and ``OTEL_RESOURCE_ATTRIBUTES`` over the resource's defaults
(``tinhso-<service>``, with ``service.version`` the package's); ``OTEL_SDK_DISABLED=true``
installs nothing, so every span and instrument is the API's no-op.

Messaging spans follow the semantic conventions: ``publish <topic>`` (PRODUCER) and
``process <topic>`` (CONSUMER), with ``messaging.system=kafka``, ``messaging.destination.name``
and ``messaging.operation.type``.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version

from opentelemetry import context as otel_context
from opentelemetry import metrics, trace
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import OTELResourceDetector, Resource
from opentelemetry.sdk.trace import SpanLimits, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    ALWAYS_ON,
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.trace import Link, NonRecordingSpan, Span, SpanContext, SpanKind, TraceFlags, TraceState
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import Attributes

from contracts.envelope import Envelope

log = logging.getLogger(__name__)

_propagator = TraceContextTextMapPropagator()


def setup_tracing(
    service: str,
    *,
    otlp_endpoint: str = "",
    sample_ratio: float = 1.0,
    metric_readers: Sequence[MetricReader] = (),
    span_processors: Sequence[SpanProcessor] = (),
) -> TracerProvider | None:
    """Install the process-wide tracer and meter providers (once, in a composition root).

    Spans are recorded when something receives them: the OTLP exporter, or ``span_processors``
    (tests read spans from memory). Recording a span costs tens of microseconds, about a tenth
    of a command's CPU in the service, so it is not paid for spans nobody reads. ``None``: the
    SDK is disabled (``OTEL_SDK_DISABLED``) and nothing was installed.
    """
    environ = os.environ
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    resource = tracing_resource(service)
    processors = list(span_processors)
    readers: list[MetricReader] = list(metric_readers)
    if environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        processors.append(BatchSpanProcessor(OTLPSpanExporter()))
        readers.append(PeriodicExportingMetricReader(OTLPMetricExporter()))
    elif otlp_endpoint:
        processors.append(BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{otlp_endpoint}/v1/traces")))
        readers.append(PeriodicExportingMetricReader(OTLPMetricExporter(endpoint=f"{otlp_endpoint}/v1/metrics")))
    recording = bool(processors)
    sampler = sampler_from(environ, sample_ratio) if recording else ALWAYS_OFF
    provider = TracerProvider(resource=resource, sampler=sampler, span_limits=_span_limits(environ))
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


BATCH_LINKS = 10_000
"""Links a span keeps (the SDK's default is 128): a batch span links every traced event it
carried, and the relay and the projection runner take up to 2,000 and 5,000 at a time."""


def _span_limits(environ: Mapping[str, str]) -> SpanLimits:
    """The SDK's limits, with room for a batch's links unless ``OTEL_SPAN_LINK_COUNT_LIMIT`` says otherwise."""
    return SpanLimits(max_links=None if environ.get("OTEL_SPAN_LINK_COUNT_LIMIT") else BATCH_LINKS)


def package_version() -> str:
    try:
        return version("tinhso")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


def tracing_resource(service: str) -> Resource:
    """The platform's defaults, under what ``OTEL_SERVICE_NAME`` and ``OTEL_RESOURCE_ATTRIBUTES`` say."""
    defaults = {
        "service.name": f"tinhso-{service}",
        "service.namespace": "tinhso",
        "service.version": package_version(),
    }
    # Resource.create would put the defaults over the variables; the variables win here.
    return Resource.create(defaults).merge(OTELResourceDetector().detect())


_ROOT_SAMPLERS = ("always_on", "always_off", "traceidratio")


def sampler_from(environ: Mapping[str, str], fallback_ratio: float) -> Sampler:
    """``OTEL_TRACES_SAMPLER`` (the specification's names) with ``OTEL_TRACES_SAMPLER_ARG``, else
    ``parentbased_traceidratio`` at ``TINHSO_TRACE_SAMPLE_RATIO``. Either way a database call
    made outside any operation starts no trace (``NoRootDatabaseSpans``)."""
    name = environ.get("OTEL_TRACES_SAMPLER", "").strip().lower()
    ratio = fallback_ratio
    if name:
        argument = environ.get("OTEL_TRACES_SAMPLER_ARG", "").strip()
        try:
            ratio = min(1.0, max(0.0, float(argument))) if argument else 1.0
        except ValueError:
            log.warning("OTEL_TRACES_SAMPLER_ARG=%r is not a number; sampling everything", argument)
            ratio = 1.0
    else:
        name = "parentbased_traceidratio"
    parent_based = name.startswith("parentbased_")
    root_name = name.removeprefix("parentbased_")
    if root_name not in _ROOT_SAMPLERS:
        log.warning("OTEL_TRACES_SAMPLER=%r is not supported here; using parentbased_always_on", name)
        parent_based, root_name = True, "always_on"
    root: Sampler = {"always_on": ALWAYS_ON, "always_off": ALWAYS_OFF}.get(root_name) or TraceIdRatioBased(ratio)
    return ParentBased(NoRootDatabaseSpans(root)) if parent_based else NoRootDatabaseSpans(root)


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


@functools.cache
def tracer() -> trace.Tracer:
    """Looked up once: ``get_tracer`` costs as much as a span. Before ``setup_tracing`` this is
    the API's proxy, which turns to the installed provider's tracer once there is one."""
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


def origin_context(traceparent: str | None) -> SpanContext | None:
    """The span context a ``traceparent`` names (the command that wrote an event), or ``None``
    when it names none. Parsed by hand: the propagator builds a whole ``Context`` per call, and
    a batch asks this once per event."""
    if not traceparent:
        return None
    parts = traceparent.split("-")
    if len(parts) < 4 or len(parts[1]) != 32 or len(parts[2]) != 16 or len(parts[3]) < 2:
        return None
    try:
        trace_id, span_id, flags = int(parts[1], 16), int(parts[2], 16), int(parts[3][:2], 16)
    except ValueError:
        return None
    if not trace_id or not span_id:
        return None
    return SpanContext(trace_id, span_id, is_remote=True, trace_flags=TraceFlags(flags))


def origin_links(envelopes: Iterable[Envelope]) -> list[Link]:
    """A link to each traced event's command: one batch span reaches every trace in it."""
    links: list[Link] = []
    for envelope in envelopes:
        context = origin_context(envelope.traceparent)
        if context is not None:
            links.append(Link(context))
    return links


def _batch_parent(links: Sequence[Link]) -> otel_context.Context:
    """The first traced event's command is the batch span's parent: a batch of one (an
    interactive command) stays one trace from the request to the projection, and every other
    event of a batch reaches it through its link."""
    return trace.set_span_in_context(NonRecordingSpan(links[0].context))


@contextmanager
def traced_publish(topic: str, envelopes: Sequence[Envelope]) -> Iterator[None]:
    """One PRODUCER span for a batch of events sent together, linked to each traced event's
    command; nothing when none of them was traced."""
    links = origin_links(envelopes)
    if not links:
        yield
        return
    with tracer().start_as_current_span(
        f"publish {topic}",
        context=_batch_parent(links),
        kind=SpanKind.PRODUCER,
        links=links,
        attributes={
            "messaging.system": "kafka",
            "messaging.destination.name": topic,
            "messaging.operation.type": "send",
            "messaging.operation.name": "publish",
            "messaging.batch.message_count": len(envelopes),
        },
    ):
        yield


def record_apply_span(projection: str, topic: str, envelopes: Sequence[Envelope], start_ns: int, end_ns: int) -> None:
    """One CONSUMER span for the events of ``topic`` applied together, linked to each traced
    event's command (the messaging conventions' batch receive); nothing when none was traced."""
    links = origin_links(envelopes)
    if not links:
        return
    applied = tracer().start_span(
        f"process {topic}",
        context=_batch_parent(links),
        kind=SpanKind.CONSUMER,
        links=links,
        start_time=start_ns,
        attributes={
            "messaging.system": "kafka",
            "messaging.destination.name": topic,
            "messaging.operation.type": "process",
            "messaging.operation.name": "process",
            "messaging.consumer.group.name": projection,
            "messaging.batch.message_count": len(envelopes),
            "tinhso.projection": projection,
        },
    )
    applied.end(end_time=end_ns)

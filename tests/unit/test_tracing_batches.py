"""Batch spans: the relay's publish and the projection's apply are one span per batch, linked to
every traced event's command, with the first one's trace as parent (so a lone command's trace
runs whole from request to projection). A span per event cost more than relaying or applying
the event (issue #19)."""

from __future__ import annotations

import datetime
import uuid

from opentelemetry.trace import SpanKind

from contracts.envelope import Envelope
from libs.common.tracing import origin_context, record_apply_span, traced_publish
from tests.support.telemetry import Telemetry

NOW = datetime.datetime(2026, 12, 7, tzinfo=datetime.UTC)


def _event(traceparent: str | None) -> Envelope:
    return Envelope(
        event_id=uuid.uuid4(),
        stream_id="s",
        stream_type="t",
        version=1,
        type="x",
        schema_version=1,
        occurred_at=NOW,
        recorded_at=NOW,
        tx_id=1,
        position=1,
        traceparent=traceparent,
    )


def _traceparent() -> tuple[str, int, int]:
    trace_id, span_id = uuid.uuid4().hex, uuid.uuid4().hex[:16]
    return f"00-{trace_id}-{span_id}-01", int(trace_id, 16), int(span_id, 16)


def test_an_applied_batch_is_one_span_linked_to_every_traced_command(telemetry: Telemetry) -> None:
    telemetry.spans.clear()
    origins = [_traceparent() for _ in range(300)]
    batch = [_event(None), *(_event(tp) for tp, _, _ in origins), _event("not-a-traceparent")]

    record_apply_span("totals", "t.events", batch, 1_000, 2_000)

    (span,) = telemetry.spans.get_finished_spans()
    assert span.kind is SpanKind.CONSUMER
    assert span.name == "process t.events"
    assert [(link.context.trace_id, link.context.span_id) for link in span.links] == [(t, s) for _, t, s in origins]
    assert span.parent is not None
    assert (span.context.trace_id, span.parent.span_id) == (origins[0][1], origins[0][2])
    assert span.attributes is not None
    assert span.attributes["messaging.batch.message_count"] == len(batch)
    assert (span.start_time, span.end_time) == (1_000, 2_000)


def test_a_published_batch_is_one_producer_span_and_none_for_untraced_events(telemetry: Telemetry) -> None:
    telemetry.spans.clear()
    with traced_publish("t.events", [_event(None), _event(None)]):
        pass
    assert telemetry.spans.get_finished_spans() == ()

    traceparent, trace_id, _ = _traceparent()
    with traced_publish("t.events", [_event(None), _event(traceparent)]):
        pass
    (span,) = telemetry.spans.get_finished_spans()
    assert span.kind is SpanKind.PRODUCER
    assert span.context.trace_id == trace_id
    assert len(span.links) == 1


def test_a_malformed_traceparent_names_no_origin() -> None:
    for bad in ("", "00-abc-def-01", f"00-{'0' * 32}-{'1' * 16}-01", f"00-{'g' * 32}-{'1' * 16}-01", "00-x"):
        assert origin_context(bad) is None, bad
    assert origin_context(f"00-{'a' * 32}-{'b' * 16}-01") is not None

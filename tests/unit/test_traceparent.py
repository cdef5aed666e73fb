"""The traceparent a command's events carry is the one the W3C propagator would send."""

from __future__ import annotations

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, Sampler
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from libs.common.tracing import current_traceparent


@pytest.mark.parametrize("sampler", [ALWAYS_ON, ALWAYS_OFF], ids=["sampled", "not-sampled"])
def test_the_current_traceparent_is_what_the_propagator_writes(sampler: Sampler) -> None:
    tracer = TracerProvider(sampler=sampler).get_tracer("test")
    with tracer.start_as_current_span("command"):
        carrier: dict[str, str] = {}
        TraceContextTextMapPropagator().inject(carrier)
        assert current_traceparent() == carrier["traceparent"]


def test_there_is_no_traceparent_outside_a_span() -> None:
    assert trace.get_current_span().get_span_context().is_valid is False
    assert current_traceparent() is None

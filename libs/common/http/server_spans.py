"""One OpenTelemetry SERVER span per HTTP request, its Prometheus figures and its access-log line.

Why not the OpenTelemetry ASGI instrumentation (what Litestar's ``OpenTelemetryPlugin`` wraps):
it costs more per request than Litestar's own routing and handling, SDK or not (figures in ADR
0012). The platform uses little of what it does, and this keeps that: the span is a child of
the caller's ``traceparent``, is current while the app runs (so a command's events carry it),
is named by the route template rather than the raw path
(``POST /streams/{stream_id}/increment``; a request no route matched is named by its method
alone, as the semantic conventions say, so a scanner cannot flood a tracing backend with
names), and carries the stable HTTP semantic-convention attributes.

The same place counts the request in ``tinhso_http_requests_total`` and
``tinhso_http_request_duration_seconds`` by route template (``unmatched`` when no route
matched, for the same reason) and writes the access-log line (``libs.common.access_log``)
while the span is still current, so the line carries the request's trace id.

WebSocket connections get no span: one that lasts hours says nothing a subscription's own
logs do not.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from opentelemetry import context as otel_context
from opentelemetry import metrics, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from prometheus_client import Counter, Histogram

from libs.common.access_log import close_notes, open_notes, write_access_line
from libs.common.prometheus_metrics import HTTP_DURATION, HTTP_REQUESTS, UNMATCHED_ROUTE, method_label

_propagator = TraceContextTextMapPropagator()
_TRACE_HEADERS = (b"traceparent", b"tracestate")


class ServerSpans:
    def __init__(self, app: ASGIApp, service: str, *, access_log: bool = True) -> None:
        self.app = app
        self.service = service
        self.access_log = access_log
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        # Proxies until the process installs its providers (setup_tracing), then the real ones.
        self._tracer = trace.get_tracer("tinhso.http")
        self._duration = metrics.get_meter("tinhso.http").create_histogram(
            "http.server.request.duration", unit="s", description="Duration of HTTP server requests."
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method: str = scope["method"]
        parent = _caller_context(scope["headers"])
        span = self._tracer.start_span(
            method,
            context=parent,
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method, "url.path": scope["path"], "url.scheme": scope["scheme"]},
        )
        status = 0

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        token = otel_context.attach(trace.set_span_in_context(span, parent))
        notes = open_notes()
        try:
            await self.app(scope, receive, send_and_note_status)
        except BaseException as exc:
            # Litestar answers every exception itself; one that escapes is a failure to answer.
            span.record_exception(exc)
            status = status or 500
            raise
        finally:
            elapsed = time.perf_counter() - started
            route: str | None = scope.get("path_template")
            noted = close_notes(notes)
            if self.access_log:
                write_access_line(
                    method=method,
                    path=scope["path"],
                    route=route or UNMATCHED_ROUTE,
                    status=status,
                    duration_ms=elapsed * 1000,
                    notes=noted,
                )
            otel_context.detach(token)
            labels: dict[str, Any] = {"http.request.method": method, "http.response.status_code": status}
            if route:
                labels["http.route"] = route
                span.update_name(f"{method} {route}")
            if span.is_recording():
                span.set_attributes(labels)
                if status >= 500:
                    span.set_status(Status(StatusCode.ERROR))
            span.end()
            self._duration.record(elapsed, labels)
            counted, timed = self._series(route or UNMATCHED_ROUTE, method, status)
            counted.inc()
            timed.observe(elapsed)

    def _series(self, route: str, method: str, status: int) -> tuple[Counter, Histogram]:
        """The request's counter and histogram children, kept per labels: looking them up in
        the instruments takes a lock and builds a key each time. The keys are bounded: route
        templates, known methods, status codes."""
        key = (route, method, status)
        series = self._children.get(key)
        if series is None:
            label = method_label(method)
            series = (
                HTTP_REQUESTS.labels(self.service, route, label, str(status)),
                HTTP_DURATION.labels(self.service, route, label),
            )
            if method == label:  # another method is one a client made up: not kept
                self._children[key] = series
        return series


def _caller_context(headers: Iterable[tuple[bytes, bytes]]) -> otel_context.Context | None:
    carrier = {name.decode("latin-1"): value.decode("latin-1") for name, value in headers if name in _TRACE_HEADERS}
    return _propagator.extract(carrier) if carrier else None


def trace_requests(app: Litestar, service: str, *, access_log: bool = True) -> Litestar:
    """Wrap the app's request handling, outside routing and error handling, so every request
    is measured, including the ones answered 404 or 500."""
    app.asgi_handler = ServerSpans(app.asgi_handler, service, access_log=access_log)
    return app

"""What every process serves at ``/metrics`` (Prometheus text format), under fixed names.

The names are an interface: the dashboards and alert rules under ``infra/`` query them, and
``docs/operations.md`` says what each one means. They are prometheus-client instruments, not
OpenTelemetry's exporter (ADR 0028): the names and labels are exactly these, with no scope
labels or unit suffixes added, and a request pays for a counter and a histogram, not an SDK.

Counters that code increments (requests, GraphQL operations, rate-limit refusals) are module
instruments, since Prometheus keeps one series per name and labels for the whole process.
Everything else is read when Prometheus scrapes, from what the processes already keep (the
relay's and the runners' status, the pools, the gateway's hub): ``track`` registers a running
process part, and the one collector reports every part registered, so nothing is measured on a
hot path and two services in one process (the tests) still make one valid exposition.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterable, Iterator
from typing import Protocol

from prometheus_client import REGISTRY, Counter, Histogram, disable_created_metrics
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

# A `_created` series per counter doubles what is scraped and no dashboard here reads it.
disable_created_metrics()  # type: ignore[no-untyped-call]  # the library leaves it unannotated

HTTP_REQUESTS = Counter(
    "tinhso_http_requests",
    "HTTP requests answered, by route template (`unmatched` when no route matched) and status.",
    ["service", "route", "method", "status"],
)
HTTP_DURATION = Histogram(
    "tinhso_http_request_duration_seconds",
    "Time to answer an HTTP request, from its first byte in to the end of its answer.",
    ["service", "route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
GRAPHQL_OPERATIONS = Counter(
    "tinhso_graphql_operations",
    "GraphQL operations the gateway ran, by operation name and outcome (ok or error).",
    ["operation", "outcome"],
)
RATE_LIMIT_REFUSALS = Counter(
    "tinhso_rate_limit_refusals",
    "Requests the gateway refused with 429, by caller kind (partner or anonymous).",
    ["partner_kind"],
)
for _kind in ("partner", "anonymous"):
    RATE_LIMIT_REFUSALS.labels(_kind)  # at 0 from the start, so rate() sees the first refusal

UNMATCHED_ROUTE = "unmatched"
"""The route label of a request no route matched: raw paths would let a scanner make series."""
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_label(method: str) -> str:
    """A request's method as a label value: any other word a client sends counts as ``other``."""
    return method if method in HTTP_METHODS else "other"


MAX_OPERATION_NAMES = 500
_OPERATION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}")
_operation_names: set[str] = set()
_operation_names_lock = threading.Lock()


def operation_label(name: str | None) -> str:
    """A GraphQL operation's name as a label value. Callers choose names, so the number of
    values is bounded: past ``MAX_OPERATION_NAMES`` distinct names, new ones count as ``other``."""
    if not name:
        return "anonymous"
    if not _OPERATION_NAME.fullmatch(name):
        return "other"
    if name in _operation_names:
        return name
    with _operation_names_lock:
        if len(_operation_names) >= MAX_OPERATION_NAMES:
            return "other"
        _operation_names.add(name)
    return name


class Families:
    """The gauges and counters of one scrape, each family once whatever the number of sources."""

    def __init__(self) -> None:
        self._families: dict[str, GaugeMetricFamily | CounterMetricFamily] = {}

    def gauge(self, name: str, documentation: str, labels: Iterable[str] = ()) -> GaugeMetricFamily:
        family = self._families.get(name)
        if family is None:
            family = self._families[name] = GaugeMetricFamily(name, documentation, labels=list(labels))
        assert isinstance(family, GaugeMetricFamily)
        return family

    def counter(self, name: str, documentation: str, labels: Iterable[str] = ()) -> CounterMetricFamily:
        family = self._families.get(name)
        if family is None:
            family = self._families[name] = CounterMetricFamily(name, documentation, labels=list(labels))
        assert isinstance(family, CounterMetricFamily)
        return family

    def __iter__(self) -> Iterator[Metric]:
        return iter(self._families.values())


class Source(Protocol):
    """A running part of a process that reports figures when Prometheus scrapes."""

    def report_metrics(self, families: Families) -> None: ...


_sources: weakref.WeakSet[Source] = weakref.WeakSet()


def track(source: Source) -> None:
    _sources.add(source)


def untrack(source: Source) -> None:
    _sources.discard(source)


class _ScrapeCollector(Collector):
    def collect(self) -> Iterable[Metric]:
        families = Families()
        for source in list(_sources):
            source.report_metrics(families)
        return families

    def describe(self) -> Iterable[Metric]:
        # Nothing up front: the registry would otherwise call collect() when this registers.
        return ()


REGISTRY.register(_ScrapeCollector())

"""What ``/api/v1`` answers about indicators beyond the metrics service's own shapes: the pages
of its reports (the service answers a report whole; the gateway pages it) and the answers of
the commands whose result has no read model to read back (a retired indicator leaves the
catalogue; thresholds are not listed), which state what the service accepted."""

from __future__ import annotations

import msgspec

from contracts.api.metrics import ApprovalView, CompletenessView, HistoryView, RankingView, TimelinessView, ValueView
from contracts.metrics_events import AlertLevel, Severity, ThresholdOperator


class HistoryPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[HistoryView]
    total_count: int
    has_next_page: bool
    end_cursor: str | None


class ValuePage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[ValueView]
    total_count: int
    has_next_page: bool
    end_cursor: str | None


class RankingPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[RankingView]
    total_count: int
    has_next_page: bool
    end_cursor: str | None


class CompletenessPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[CompletenessView]
    total_count: int
    has_next_page: bool
    end_cursor: str | None


class TimelinessPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[TimelinessView]
    total_count: int
    has_next_page: bool
    end_cursor: str | None


class ApprovalPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[ApprovalView]
    total_count: int
    has_next_page: bool
    end_cursor: str | None


class RetiredIndicator(msgspec.Struct, frozen=True, kw_only=True):
    """An indicator taken out of the catalogue; its code is never reused."""

    code: str
    reason: str | None
    replayed: bool
    """True when this answers an idempotency key already used: nothing was done again."""


class AlertThreshold(msgspec.Struct, frozen=True, kw_only=True):
    """An indicator's alert threshold as set: a value crossing it raises an alert."""

    indicator_code: str
    operator: ThresholdOperator
    threshold: float
    level: AlertLevel | None
    """The level of units it applies to (every level without it)."""
    severity: Severity
    replayed: bool


class RemovedAlertThreshold(msgspec.Struct, frozen=True, kw_only=True):
    indicator_code: str
    replayed: bool

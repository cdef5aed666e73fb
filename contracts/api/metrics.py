"""The metrics service's HTTP wire shapes: its command bodies and its query answers.

The service decodes the bodies and encodes the answers with these Structs; the gateway's client
encodes the bodies and decodes the answers with the same ones, so a field is declared once.
Bodies refuse unknown fields; a path parameter becomes a field of the command's input, which
the route builds (:class:`RetireIndicator`, :class:`RemoveThreshold`).
"""

from __future__ import annotations

import datetime

import msgspec

from contracts.metrics_events import AlertLevel, IndicatorDefinition, Severity, ThresholdOperator

__all__ = [
    "CompletenessView",
    "DefineIndicators",
    "HistoryView",
    "IndicatorDefinition",
    "IndicatorValueView",
    "MissingUnit",
    "PartView",
    "RankingView",
    "RemoveThreshold",
    "ReportValue",
    "RetireIndicator",
    "RetireIndicatorBody",
    "SetTarget",
    "SetThreshold",
    "ValueView",
]


class Body(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """A command's body: unknown fields refused; defaults left out, so the service's apply."""


class DefineIndicators(Body, frozen=True, kw_only=True):
    indicators: list[IndicatorDefinition]


class RetireIndicatorBody(Body, frozen=True, kw_only=True):
    reason: str | None = None


class RetireIndicator(Body, frozen=True, kw_only=True):
    """The retire command's input: the path's code and the body's reason."""

    code: str
    reason: str | None = None


class ReportValue(Body, frozen=True, kw_only=True):
    indicator_code: str
    unit_code: str
    period: str
    value: float
    source: str | None = None
    """Defaults to the reporting partner."""
    comment: str | None = None


class SetTarget(Body, frozen=True, kw_only=True):
    indicator_code: str
    unit_code: str
    year: int
    target: float


class SetThreshold(Body, frozen=True, kw_only=True):
    indicator_code: str
    operator: ThresholdOperator
    threshold: float
    level: AlertLevel | None = None
    severity: Severity = "warning"


class RemoveThreshold(Body, frozen=True, kw_only=True):
    """The remove-threshold command's input: the path's code (the route has no body)."""

    indicator_code: str


class IndicatorValueView(msgspec.Struct, frozen=True, kw_only=True):
    """What every reader of a value needs: a query's answer and the value-changed event both
    carry these fields (the gateway reads either as this)."""

    indicator_code: str
    unit_id: str
    unit_code: str
    period: str
    value: float | None
    target: float | None = None
    source: str = "reported"
    as_of: datetime.datetime


class PartView(msgspec.Struct, frozen=True, kw_only=True):
    indicator_code: str
    weight: float
    value: float | None
    contribution: float
    missing: bool


class ValueView(IndicatorValueView, frozen=True, kw_only=True):
    """A value as the queries answer it: the unit's name and level, why it is null, where it
    comes from, its progress to target and, for a composite index, its parts."""

    unit_name: str
    unit_level: str
    reason: str | None
    origin: str
    progress: float | None
    breakdown: list[PartView] | None = None


class RankingView(msgspec.Struct, frozen=True, kw_only=True):
    rank: int
    score: float | None
    value: ValueView


class MissingUnit(msgspec.Struct, frozen=True, kw_only=True):
    """A unit that has not reported an indicator for a period."""

    unit_id: str
    unit_code: str
    unit_name: str


class CompletenessView(msgspec.Struct, frozen=True, kw_only=True):
    indicator_code: str
    period: str
    expected: int
    reported: int
    missing: list[MissingUnit]


class HistoryView(msgspec.Struct, frozen=True, kw_only=True):
    version: int
    value: float
    previous_value: float | None
    source: str
    comment: str | None
    actor: str | None
    partner: str | None
    recorded_at: datetime.datetime

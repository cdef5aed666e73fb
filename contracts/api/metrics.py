"""The metrics service's HTTP wire shapes: its command bodies and its query answers.

The service decodes the bodies and encodes the answers with these Structs; the gateway's client
encodes the bodies and decodes the answers with the same ones, so a field is declared once.
Bodies refuse unknown fields; a path parameter becomes a field of the command's input, which
the route builds (:class:`RetireIndicator`, :class:`RemoveThreshold`).
"""

from __future__ import annotations

import datetime
from typing import Literal

import msgspec

from contracts.metrics_events import (
    AlertLevel,
    ApprovalLevel,
    ApprovalStatus,
    IndicatorDefinition,
    Severity,
    ThresholdOperator,
)

__all__ = [
    "ApprovalStepView",
    "ApprovalView",
    "ApproveData",
    "CompletenessView",
    "DefineIndicators",
    "HistoryView",
    "IndicatorDefinition",
    "IndicatorValueView",
    "MissingUnit",
    "PartView",
    "RankingView",
    "RemoveThreshold",
    "ReopenData",
    "ReportValue",
    "RetireIndicator",
    "RetireIndicatorBody",
    "SetTarget",
    "SetThreshold",
    "SubmitData",
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


class SubmitData(Body, frozen=True, kw_only=True):
    """A unit's values of an indicator set for a period, submitted for approval (ADR 0055)."""

    indicator_set: str
    """The catalogue's group of the indicators: ``telecom``, ``egov``..."""
    unit_code: str
    period: str


class ApproveData(Body, frozen=True, kw_only=True):
    """Submitted values approved at ``level``: the unit's district first, then the province,
    whose approval locks them."""

    indicator_set: str
    unit_code: str
    period: str
    level: ApprovalLevel


class ReopenData(Body, frozen=True, kw_only=True):
    """An approval undone, with the reason: its values are open to reports again."""

    indicator_set: str
    unit_code: str
    period: str
    reason: str


ApprovalStepName = Literal["submitted", "district_approved", "province_approved", "locked", "reopened"]


class ApprovalStepView(msgspec.Struct, frozen=True, kw_only=True):
    """One step of an approval: what, who and when (and why, for a reopening)."""

    step: ApprovalStepName
    by: str | None
    """The caller's subject; ``None`` for the lock, which follows the province's approval."""
    at: datetime.datetime
    reason: str | None = None


class ApprovalView(msgspec.Struct, frozen=True, kw_only=True):
    """Where a unit's values of an indicator set for a period stand in their approval."""

    indicator_set: str
    unit_id: str
    unit_code: str
    unit_name: str
    period: str
    status: ApprovalStatus
    """open (reports accepted), submitted, district_approved, locked (reports refused)."""
    steps: list[ApprovalStepView]
    """Every step taken, oldest first."""


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


class LateUnit(msgspec.Struct, frozen=True, kw_only=True):
    """A unit whose first report for a period came after the deadline."""

    unit_id: str
    unit_code: str
    unit_name: str
    first_reported_at: datetime.datetime
    days_late: int
    """Whole days after the deadline day, in the province's calendar (1: the day after)."""


class TimelinessView(msgspec.Struct, frozen=True, kw_only=True):
    """A reported indicator's reports for a period against its deadline."""

    indicator_code: str
    period: str
    deadline: datetime.date
    """The last day a report is on time: the period's last day plus the indicator's deadline."""
    expected: int
    on_time: int
    late: list[LateUnit]
    missing: list[MissingUnit]
    """Units with no report yet (late too, once the deadline has passed)."""
    timeliness_rate: float | None
    """On-time reports as a percentage of the expected ones (``None`` when none are expected)."""
    completeness_rate: float | None
    """Reports received, on time or not, as a percentage of the expected ones."""


class HistoryView(msgspec.Struct, frozen=True, kw_only=True):
    version: int
    value: float
    previous_value: float | None
    source: str
    comment: str | None
    actor: str | None
    partner: str | None
    recorded_at: datetime.datetime

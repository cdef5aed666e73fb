"""Reported values and targets as aggregates (pure decide/evolve), and the alert threshold a
report is checked against (its own aggregate: ``thresholds.py``).

A reported value lives in the stream ``value:<code>:<unit_id>:<period>``: the first report,
then corrections, each keeping the value it replaced. The command also states that the value
changed and whether it crossed the indicator's threshold, in the same append, so the IOC hears
of every change exactly once and nothing is half-applied.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
from dataclasses import dataclass

from contracts.base import Event
from contracts.metrics_events import (
    AlertLevel,
    IndicatorDefinition,
    IndicatorTargetSet,
    IndicatorThresholdBreached,
    IndicatorThresholdCleared,
    IndicatorValueChanged,
    IndicatorValueCorrected,
    IndicatorValueReported,
    Severity,
    ThresholdOperator,
)
from libs.common.errors import InvalidInputError
from libs.common.eventstore.decider import Decider
from libs.common.text import clean_text
from services.metrics.domain.catalogue import bounds
from services.metrics.domain.periods import Period


def value_stream(code: str, unit_id: str, period: Period) -> str:
    return f"value:{code}:{unit_id}:{period}"


def target_stream(code: str, unit_id: str, year: int) -> str:
    return f"target:{code}:{unit_id}:{year}"


@dataclass(frozen=True, slots=True)
class UnitRef:
    unit_id: str
    code: str
    level: str


@dataclass(frozen=True, slots=True)
class Threshold:
    operator: ThresholdOperator
    threshold: float
    level: AlertLevel | None
    severity: Severity

    def breached_by(self, value: float | None) -> bool:
        if value is None:
            return False
        return {
            "lt": value < self.threshold,
            "le": value <= self.threshold,
            "gt": value > self.threshold,
            "ge": value >= self.threshold,
        }[self.operator]

    def applies_to(self, level: str) -> bool:
        return self.level is None or self.level == level


def check_value(definition: IndicatorDefinition, value: float, what: str = "value") -> None:
    if not math.isfinite(value):
        raise InvalidInputError(f"the {what} must be a finite number", code="invalid_value")
    low, high = bounds(definition)
    if (low is not None and value < low) or (high is not None and value > high):
        span = f"{'-inf' if low is None else f'{low:g}'}..{'inf' if high is None else f'{high:g}'}"
        raise InvalidInputError(
            f"{definition.code} is measured in {definition.unit!r}: the {what} {value:g} is outside {span}",
            code="value_out_of_range",
            details={"indicator": definition.code, what: value, "minimum": low, "maximum": high},
        )


def threshold_events(  # noqa: PLR0917 - the fields of the alert
    threshold: Threshold | None,
    code: str,
    unit: UnitRef,
    period: str,
    previous: float | None,
    current: float | None,
    as_of: datetime.datetime,
) -> list[Event]:
    """A breach when the value crosses into the alert zone, a clearance when it leaves it."""
    if threshold is None or not threshold.applies_to(unit.level):
        return []
    was, now = threshold.breached_by(previous), threshold.breached_by(current)
    if now and not was and current is not None:
        return [
            IndicatorThresholdBreached(
                indicator_code=code, unit_id=unit.unit_id, unit_code=unit.code, period=period, value=current,
                operator=threshold.operator, threshold=threshold.threshold, severity=threshold.severity, as_of=as_of,
            )
        ]  # fmt: skip
    if was and not now:
        return [
            IndicatorThresholdCleared(
                indicator_code=code, unit_id=unit.unit_id, unit_code=unit.code, period=period, value=current,
                operator=threshold.operator, threshold=threshold.threshold, as_of=as_of,
            )
        ]  # fmt: skip
    return []


# --- reported values ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReportValue:
    definition: IndicatorDefinition
    unit: UnitRef
    period: Period
    value: float
    source: str
    comment: str | None
    target: float | None
    threshold: Threshold | None
    now: datetime.datetime


@dataclass
class ReportedValue:
    value: float | None = None
    source: str | None = None
    comment: str | None = None


def decide_report(command: ReportValue, state: ReportedValue) -> list[Event]:
    d = command.definition
    if d.method != "reported":
        raise InvalidInputError(
            f"{d.code} is {d.method}, not reported by partners", code="not_reported", details={"indicator": d.code}
        )
    if not command.source.strip() or len(command.source) > 300:
        raise InvalidInputError("source is 1..300 characters", code="invalid_source")
    if command.comment is not None and len(command.comment) > 2000:
        raise InvalidInputError("comment is at most 2000 characters", code="invalid_comment")
    # NFC and no hidden characters: the source and comment reach partners' dashboards as stored.
    source = clean_text(command.source, field="source", max_length=300) or command.source
    command = dataclasses.replace(command, source=source, comment=clean_text(command.comment, field="comment"))
    check_value(d, command.value)
    unit, period = command.unit, str(command.period)
    if (state.value, state.source, state.comment) == (command.value, command.source, command.comment):
        return []  # the same report again: nothing new
    events: list[Event]
    if state.value is None:
        events = [
            IndicatorValueReported(
                indicator_code=d.code, unit_id=unit.unit_id, unit_code=unit.code, period=period,
                value=command.value, source=command.source, comment=command.comment,
            )
        ]  # fmt: skip
    else:
        events = [
            IndicatorValueCorrected(
                indicator_code=d.code, unit_id=unit.unit_id, unit_code=unit.code, period=period,
                value=command.value, previous_value=state.value, source=command.source, comment=command.comment,
            )
        ]  # fmt: skip
    if state.value != command.value:
        events.append(
            IndicatorValueChanged(
                indicator_code=d.code, unit_id=unit.unit_id, unit_code=unit.code, unit_level=unit.level,
                period=period, value=command.value, previous_value=state.value, target=command.target,
                origin="reported", source=command.source, as_of=command.now,
            )
        )  # fmt: skip
        events += threshold_events(command.threshold, d.code, unit, period, state.value, command.value, command.now)
    return events


def evolve_report(state: ReportedValue, event: Event) -> ReportedValue:
    if isinstance(event, IndicatorValueReported | IndicatorValueCorrected):
        return ReportedValue(event.value, event.source, event.comment)
    return state


REPORT: Decider[ReportValue, ReportedValue] = Decider("indicator_value", ReportedValue, evolve_report, decide_report)


# --- targets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetTarget:
    definition: IndicatorDefinition
    unit: UnitRef
    year: int
    target: float


def decide_target(command: SetTarget, state: float | None) -> list[Event]:
    check_value(command.definition, command.target, "target")
    if state == command.target:
        return []
    return [
        IndicatorTargetSet(
            indicator_code=command.definition.code, unit_id=command.unit.unit_id, unit_code=command.unit.code,
            year=command.year, target=command.target, previous_target=state,
        )
    ]  # fmt: skip


def evolve_target(state: float | None, event: Event) -> float | None:
    return event.target if isinstance(event, IndicatorTargetSet) else state


TARGET: Decider[SetTarget, float | None] = Decider("indicator_target", lambda: None, evolve_target, decide_target)

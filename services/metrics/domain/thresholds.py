"""An indicator's alert threshold as an aggregate: pure decide/evolve.

One threshold per indicator, in the stream ``thresholds:<code>``; a report that crosses it
raises or clears the alert (``values.threshold_events``).
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.base import Event
from contracts.metrics_events import AlertThresholdRemoved, AlertThresholdSet, IndicatorDefinition
from libs.common.errors import NotFoundError
from libs.common.eventstore.decider import Decider
from services.metrics.domain.values import Threshold, check_value


def threshold_stream(code: str) -> str:
    return f"thresholds:{code}"


@dataclass(frozen=True)
class SetThreshold:
    definition: IndicatorDefinition
    threshold: Threshold | None
    """``None`` removes it."""


def decide_threshold(command: SetThreshold, state: Threshold | None) -> list[Event]:
    code = command.definition.code
    t = command.threshold
    if t is None:
        if state is None:
            raise NotFoundError(f"{code} has no alert threshold", code="no_threshold")
        return [AlertThresholdRemoved(indicator_code=code)]
    check_value(command.definition, t.threshold, "threshold")
    if state == t:
        return []
    return [
        AlertThresholdSet(
            indicator_code=code, operator=t.operator, threshold=t.threshold, level=t.level, severity=t.severity
        )
    ]


def evolve_threshold(state: Threshold | None, event: Event) -> Threshold | None:
    if isinstance(event, AlertThresholdSet):
        return Threshold(event.operator, event.threshold, event.level, event.severity)
    if isinstance(event, AlertThresholdRemoved):
        return None
    return state


THRESHOLD: Decider[SetThreshold, Threshold | None] = Decider(
    "alert_threshold", lambda: None, evolve_threshold, decide_threshold
)

"""What evaluating an indicator for a unit answers: its value, where it comes from and, for a
composite index, its weighted parts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from services.metrics.adapters.indicator_data import UnitRow


@dataclass(frozen=True, slots=True)
class Part:
    code: str
    weight: float
    value: float | None
    contribution: float
    missing: bool


@dataclass(slots=True)
class Value:
    code: str
    unit: UnitRow
    period: str
    value: float | None
    reason: str | None
    origin: str
    """reported, rollup, computed, formula or composite."""
    source: str
    as_of: datetime.datetime
    target: float | None = None
    progress: float | None = None
    """100 * value / target, in percent."""
    breakdown: list[Part] = field(default_factory=list)


@dataclass(slots=True)
class Found:
    value: float | None
    reason: str | None
    origin: str
    source: str
    as_of: datetime.datetime | None = None
    breakdown: list[Part] = field(default_factory=list)

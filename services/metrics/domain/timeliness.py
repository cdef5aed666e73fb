"""Timeliness: whether a unit's report for a period came by its deadline (DHIS2's "reported on
time" beside "reported"), in the province's calendar."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Generic, TypeVar

from contracts.province import PROVINCE_TZ
from services.metrics.domain.periods import Period

U = TypeVar("U")


def deadline(period: Period, days: int) -> datetime.date:
    """The last day a report for ``period`` is on time."""
    return period.end + datetime.timedelta(days=days)


def days_late(first_reported_at: datetime.datetime, due: datetime.date) -> int:
    """Whole days after ``due`` (0 or less: on time), by the province's date of the report."""
    return (first_reported_at.astimezone(PROVINCE_TZ).date() - due).days


@dataclass(frozen=True)
class Late(Generic[U]):
    unit: U
    first_reported_at: datetime.datetime
    days_late: int


@dataclass(frozen=True)
class Timeliness(Generic[U]):
    due: datetime.date
    expected: int
    on_time: list[U]
    late: list[Late[U]]
    missing: list[U]

    @property
    def timeliness_rate(self) -> float | None:
        return 100 * len(self.on_time) / self.expected if self.expected else None

    @property
    def completeness_rate(self) -> float | None:
        return 100 * (len(self.on_time) + len(self.late)) / self.expected if self.expected else None


def classify(units: list[U], first: dict[U, datetime.datetime], due: datetime.date) -> Timeliness[U]:
    """Each expected unit: on time, late (with how late) or missing."""
    on_time: list[U] = []
    late: list[Late[U]] = []
    missing: list[U] = []
    for unit in units:
        at = first.get(unit)
        if at is None:
            missing.append(unit)
        elif (behind := days_late(at, due)) > 0:
            late.append(Late(unit, at, behind))
        else:
            on_time.append(unit)
    return Timeliness(due, len(units), on_time, late, missing)

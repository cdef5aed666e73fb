"""Reporting periods: a year ("2023"), a quarter ("2023Q3") or a month ("2023-10").

A period is a closed range of days. Flows add up from months to quarters to years; stocks take
the value of the latest sub-period; both need the sub-periods of a period, in order.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Literal

from libs.common.errors import InvalidInputError

Granularity = Literal["year", "quarter", "month"]

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
FIRST_YEAR, LAST_YEAR = 1990, 2100


@dataclass(frozen=True, slots=True, order=True)
class Period:
    year: int
    granularity: Granularity
    index: int
    """1..4 for a quarter, 1..12 for a month, 1 for a year."""

    @staticmethod
    def parse(text: str) -> Period:
        text = text.strip()
        if m := _YEAR.match(text):
            period = Period(int(m[1]), "year", 1)
        elif m := _QUARTER.match(text):
            period = Period(int(m[1]), "quarter", int(m[2]))
        elif m := _MONTH.match(text):
            period = Period(int(m[1]), "month", int(m[2]))
        else:
            raise InvalidInputError(
                f"period {text!r} is not a year (2023), a quarter (2023Q3) or a month (2023-10)",
                code="invalid_period",
                details={"period": text},
            )
        if not FIRST_YEAR <= period.year <= LAST_YEAR:
            raise InvalidInputError(
                f"period {text!r} is outside {FIRST_YEAR}..{LAST_YEAR}", code="invalid_period", details={"period": text}
            )
        return period

    def __str__(self) -> str:
        if self.granularity == "year":
            return f"{self.year}"
        if self.granularity == "quarter":
            return f"{self.year}Q{self.index}"
        return f"{self.year}-{self.index:02d}"

    @property
    def months(self) -> range:
        """The months (1..12) this period covers."""
        if self.granularity == "year":
            return range(1, 13)
        if self.granularity == "quarter":
            return range(3 * self.index - 2, 3 * self.index + 1)
        return range(self.index, self.index + 1)

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, self.months[0], 1)

    @property
    def end(self) -> datetime.date:
        last = self.months[-1]
        if last == 12:
            return datetime.date(self.year, 12, 31)
        return datetime.date(self.year, last + 1, 1) - datetime.timedelta(days=1)

    def children(self) -> list[Period]:
        """The next finer periods, in order: a year's quarters, a quarter's months."""
        if self.granularity == "year":
            return [Period(self.year, "quarter", q) for q in range(1, 5)]
        if self.granularity == "quarter":
            return [Period(self.year, "month", m) for m in self.months]
        return []

    def descendants(self) -> list[Period]:
        """Every finer period inside this one (a year: 4 quarters and 12 months)."""
        out: list[Period] = []
        for child in self.children():
            out.append(child)
            out.extend(child.descendants())
        return out

    def year_period(self) -> Period:
        return Period(self.year, "year", 1)

"""Reporting periods ("2023", "2023Q3", "2023-10") and the province's clock.

A period is a whole number of the province's calendar days, so figures kept per local day add
up exactly to any period. Viet Nam keeps UTC+07:00 all year (no daylight saving), so a fixed
offset is the Asia/Ho_Chi_Minh zone exactly, with no dependency on the host's tz database.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Literal

import msgspec

from contracts.province import PROVINCE_TZ
from libs.common.errors import InvalidInputError

_PATTERN = re.compile(r"^(\d{4})(?:Q([1-4])|-(0[1-9]|1[0-2]))?$")

PeriodKind = Literal["year", "quarter", "month"]


class Period(msgspec.Struct, frozen=True, kw_only=True):
    """An inclusive range of local calendar days: a year, a quarter or a month."""

    kind: PeriodKind
    first_day: datetime.date
    last_day: datetime.date

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PATTERN.match(text.strip())
        if match is None or not 1900 <= int(match.group(1)) <= 2999:
            raise InvalidInputError(
                f"period {text!r} is not a year (2023), a quarter (2023Q3) or a month (2023-10)",
                code="invalid_period",
                details={"period": text},
            )
        year = int(match.group(1))
        if match.group(2):
            quarter = int(match.group(2))
            first = datetime.date(year, 3 * quarter - 2, 1)
            return cls(kind="quarter", first_day=first, last_day=_month_end(year, 3 * quarter))
        if match.group(3):
            month = int(match.group(3))
            return cls(kind="month", first_day=datetime.date(year, month, 1), last_day=_month_end(year, month))
        return cls(kind="year", first_day=datetime.date(year, 1, 1), last_day=datetime.date(year, 12, 31))

    def __str__(self) -> str:
        year = self.first_day.year
        if self.kind == "year":
            return str(year)
        if self.kind == "quarter":
            return f"{year}Q{(self.first_day.month + 2) // 3}"
        return f"{year}-{self.first_day.month:02d}"

    @property
    def starts_at(self) -> datetime.datetime:
        """The first instant of the period, as an aware datetime."""
        return local_midnight(self.first_day)

    @property
    def ends_at(self) -> datetime.datetime:
        """The first instant after the period."""
        return local_midnight(self.last_day + datetime.timedelta(days=1))

    @property
    def seconds(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds())

    def contains(self, day: datetime.date) -> bool:
        return self.first_day <= day <= self.last_day


def _month_end(year: int, month: int) -> datetime.date:
    first_next = datetime.date(year + month // 12, month % 12 + 1, 1)
    return first_next - datetime.timedelta(days=1)


def local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), PROVINCE_TZ)


def local_day(at: datetime.datetime) -> datetime.date:
    return at.astimezone(PROVINCE_TZ).date()


def province_today() -> datetime.date:
    return datetime.datetime.now(PROVINCE_TZ).date()


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def split_by_day(
    start: datetime.datetime, end: datetime.datetime
) -> Iterator[tuple[datetime.date, datetime.datetime, datetime.datetime]]:
    """The pieces of [start, end) on each local calendar day: (day, piece start, piece end).

    Periods are whole days, so a session split at local midnight is split at every period
    boundary too.
    """
    cursor = start
    while cursor < end:
        day = local_day(cursor)
        boundary = local_midnight(day + datetime.timedelta(days=1))
        piece_end = min(end, boundary)
        yield day, cursor, piece_end
        cursor = piece_end


def format_duration(seconds: int) -> str:
    """Hours and minutes as the reports write them: ``1,345 h 22 min``, ``279 h 00 min``.

    Seconds are dropped (not rounded): a total is never shown larger than what was recorded.
    """
    minutes = seconds // 60
    return f"{minutes // 60:,} h {minutes % 60:02d} min"

"""Periods, the province's days and the reports' duration format."""

from __future__ import annotations

import datetime

import pytest

from contracts.province import PROVINCE_TZ
from libs.common.errors import InvalidInputError
from services.broadcast.domain.period import Period, format_duration, split_by_day


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2023", "2023-01-01", "2023-12-31"),
        ("2023Q3", "2023-07-01", "2023-09-30"),
        ("2024Q1", "2024-01-01", "2024-03-31"),
        ("2023-10", "2023-10-01", "2023-10-31"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("2023-12", "2023-12-01", "2023-12-31"),
    ],
)
def test_a_period_is_a_range_of_local_days(text: str, first: str, last: str) -> None:
    period = Period.parse(text)
    assert (period.first_day.isoformat(), period.last_day.isoformat()) == (first, last)
    assert str(period) == text


@pytest.mark.parametrize("text", ["", "23", "2023Q5", "2023-13", "2023-1", "2023q3", "2023-10-01", "abcd"])
def test_anything_else_is_refused_with_a_code(text: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        Period.parse(text)
    assert refused.value.code == "invalid_period"


def test_a_period_starts_at_local_midnight() -> None:
    period = Period.parse("2022")
    assert period.starts_at == datetime.datetime(2021, 12, 31, 17, tzinfo=datetime.UTC)
    assert period.ends_at == datetime.datetime(2022, 12, 31, 17, tzinfo=datetime.UTC)


def test_a_session_is_split_at_each_local_midnight() -> None:
    start = datetime.datetime(2022, 12, 31, 23, tzinfo=PROVINCE_TZ)
    end = datetime.datetime(2023, 1, 2, 0, 30, tzinfo=PROVINCE_TZ)
    pieces = [(day.isoformat(), int((b - a).total_seconds())) for day, a, b in split_by_day(start, end)]
    assert pieces == [("2022-12-31", 3600), ("2023-01-01", 86400), ("2023-01-02", 1800)]


def test_a_utc_time_lands_on_the_province_day() -> None:
    start = datetime.datetime(2022, 6, 30, 17, 30, tzinfo=datetime.UTC)  # 00:30 on 1 July locally
    [(day, _, _)] = list(split_by_day(start, start + datetime.timedelta(minutes=10)))
    assert day == datetime.date(2022, 7, 1)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(4_843_320, "1,345 h 22 min"), (1_004_400, "279 h 00 min"), (373_560, "103 h 46 min"), (59, "0 h 00 min")],
)
def test_durations_read_as_the_reports_write_them(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text

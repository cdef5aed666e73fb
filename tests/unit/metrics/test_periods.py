"""Reporting periods: parsing, ranges and sub-periods."""

from __future__ import annotations

import datetime

import pytest

from libs.common.errors import InvalidInputError
from services.metrics.domain.periods import Period


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2023", datetime.date(2023, 1, 1), datetime.date(2023, 12, 31)),
        ("2023Q3", datetime.date(2023, 7, 1), datetime.date(2023, 9, 30)),
        ("2024-02", datetime.date(2024, 2, 1), datetime.date(2024, 2, 29)),
        ("2023-12", datetime.date(2023, 12, 1), datetime.date(2023, 12, 31)),
    ],
)
def test_a_period_parses_and_covers_its_days(text: str, start: datetime.date, end: datetime.date) -> None:
    period = Period.parse(text)
    assert (period.start, period.end, str(period)) == (start, end, text)


@pytest.mark.parametrize("text", ["2023Q5", "2023-13", "2023-1", "23", "2023q1", "", "2023-00", "1800"])
def test_a_period_that_does_not_parse_is_refused(text: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        Period.parse(text)
    assert raised.value.code == "invalid_period"


def test_a_year_holds_quarters_which_hold_months() -> None:
    year = Period.parse("2023")
    assert [str(p) for p in year.children()] == ["2023Q1", "2023Q2", "2023Q3", "2023Q4"]
    assert [str(p) for p in Period.parse("2023Q2").children()] == ["2023-04", "2023-05", "2023-06"]
    assert len(year.descendants()) == 16
    assert Period.parse("2023-05").children() == []

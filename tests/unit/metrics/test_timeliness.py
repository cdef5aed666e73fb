"""Timeliness against a deadline (``services/metrics/domain/timeliness.py``): on time, late by
whole days of the province's calendar, missing; the rates beside completeness; and the
catalogue's rules for a deadline."""

from __future__ import annotations

import datetime

import msgspec
import pytest

from libs.common.errors import InvalidInputError
from services.metrics.domain.catalogue import check_shape
from services.metrics.domain.periods import Period
from services.metrics.domain.timeliness import classify, days_late, deadline
from services.metrics.seed.indicators import province_indicators

UTC = datetime.UTC


def test_the_deadline_is_days_after_the_periods_last_day() -> None:
    assert deadline(Period.parse("2023Q3"), 15) == datetime.date(2023, 10, 15)
    assert deadline(Period.parse("2024-02"), 0) == datetime.date(2024, 2, 29)


def test_lateness_is_counted_in_the_provinces_days() -> None:
    due = datetime.date(2023, 10, 15)
    # 17:30 UTC on the 15th is 00:30 on the 16th in the province: one day late.
    assert days_late(datetime.datetime(2023, 10, 15, 17, 30, tzinfo=UTC), due) == 1
    assert days_late(datetime.datetime(2023, 10, 15, 16, 59, tzinfo=UTC), due) == 0
    assert days_late(datetime.datetime(2023, 10, 1, tzinfo=UTC), due) < 0


def test_units_are_on_time_late_or_missing_and_the_rates_follow() -> None:
    due = datetime.date(2023, 10, 15)
    first = {
        "a": datetime.datetime(2023, 10, 2, tzinfo=UTC),
        "b": datetime.datetime(2023, 10, 20, 3, tzinfo=UTC),
    }
    found = classify(["a", "b", "c", "d"], first, due)
    assert (found.on_time, found.missing) == (["a"], ["c", "d"])
    assert [(x.unit, x.days_late) for x in found.late] == [("b", 5)]
    assert (found.timeliness_rate, found.completeness_rate) == (25.0, 50.0)
    assert classify([], {}, due).timeliness_rate is None


def test_only_reported_indicators_have_a_deadline_within_a_year() -> None:
    shipped = {d.code: d for d in province_indicators()}
    computed = msgspec.structs.replace(shipped["radio.stations"], reporting_deadline_days=10)
    with pytest.raises(InvalidInputError, match="only reported indicators"):
        check_shape(computed)
    too_far = msgspec.structs.replace(shipped["telecom.fibre_km"], reporting_deadline_days=400)
    with pytest.raises(InvalidInputError, match=r"0\.\.366 days"):
        check_shape(too_far)
    assert all(d.reporting_deadline_days is not None for d in shipped.values() if d.method == "reported")

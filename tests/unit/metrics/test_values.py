"""Reported values, targets and thresholds as pure decisions."""

from __future__ import annotations

import datetime

import pytest

from contracts.metrics_events import (
    IndicatorThresholdBreached,
    IndicatorThresholdCleared,
    IndicatorValueChanged,
    IndicatorValueCorrected,
    IndicatorValueReported,
)
from libs.common.errors import InvalidInputError
from services.metrics.domain import values
from services.metrics.domain.periods import Period
from services.metrics.seed.indicators import REPORTED

BANK = next(d for d in REPORTED if d.code == "citizens.bank_account_15plus")
UNIT = values.UnitRef("u-06", "06", "province")
NOW = datetime.datetime(2023, 1, 5, tzinfo=datetime.UTC)
LOW = values.Threshold("lt", 50.0, None, "warning")


def _report(value: float, threshold: values.Threshold | None = None) -> values.ReportValue:
    return values.ReportValue(BANK, UNIT, Period.parse("2022"), value, "NHNN", None, 50.0, threshold, NOW)


def test_a_first_report_is_announced_with_its_target() -> None:
    reported, changed = values.decide_report(_report(50.72), values.ReportedValue())
    assert isinstance(reported, IndicatorValueReported)
    assert isinstance(changed, IndicatorValueChanged)
    assert (changed.value, changed.target, changed.previous_value, changed.origin) == (50.72, 50.0, None, "reported")


def test_a_correction_keeps_the_previous_value_and_the_same_report_again_is_nothing() -> None:
    state = values.REPORT.fold(values.decide_report(_report(49.0), values.ReportedValue()))
    corrected = values.decide_report(_report(50.72), state)
    assert isinstance(corrected[0], IndicatorValueCorrected)
    assert corrected[0].previous_value == 49.0
    assert values.decide_report(_report(49.0), state) == []


@pytest.mark.parametrize("value", [130.0, -1.0, float("nan"), float("inf")])
def test_a_percentage_outside_0_to_100_is_refused(value: float) -> None:
    with pytest.raises(InvalidInputError):
        values.decide_report(_report(value), values.ReportedValue())


def test_crossing_a_threshold_raises_then_clears_an_alert() -> None:
    state = values.REPORT.fold(values.decide_report(_report(60.0, LOW), values.ReportedValue()))
    dropped = values.decide_report(_report(40.0, LOW), state)
    assert isinstance(dropped[-1], IndicatorThresholdBreached)
    assert dropped[-1].unit_code == "06"
    state = values.REPORT.fold([*values.decide_report(_report(60.0), values.ReportedValue()), *dropped])
    assert isinstance(values.decide_report(_report(45.0, LOW), state)[-1], IndicatorValueChanged)  # still low
    assert isinstance(values.decide_report(_report(55.0, LOW), state)[-1], IndicatorThresholdCleared)


def test_a_target_out_of_range_is_refused_and_the_same_target_again_is_nothing() -> None:
    with pytest.raises(InvalidInputError):
        values.decide_target(values.SetTarget(BANK, UNIT, 2022, 130.0), None)
    assert values.decide_target(values.SetTarget(BANK, UNIT, 2022, 50.0), 50.0) == []

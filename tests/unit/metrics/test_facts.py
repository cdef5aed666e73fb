"""Pure pieces of the facts projection."""

from __future__ import annotations

import datetime

from contracts.province import PROVINCE_TZ
from services.metrics.entrypoints.facts_projection import hours_by_day, local_day


def test_a_session_over_the_province_midnight_counts_on_both_days() -> None:
    start = datetime.datetime(2022, 12, 31, 22, 0, tzinfo=PROVINCE_TZ)
    end = datetime.datetime(2023, 1, 1, 1, 30, tzinfo=PROVINCE_TZ)
    assert hours_by_day(start, end) == [(datetime.date(2022, 12, 31), 2.0), (datetime.date(2023, 1, 1), 1.5)]


def test_days_are_the_province_days_whatever_the_offset_of_the_instant() -> None:
    utc = datetime.datetime(2022, 12, 31, 18, 30, tzinfo=datetime.UTC)  # 01:30 on 1 January in Bắc Kạn
    assert local_day(utc) == datetime.date(2023, 1, 1)
    assert hours_by_day(utc, utc) == []

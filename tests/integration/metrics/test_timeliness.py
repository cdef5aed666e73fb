"""Timeliness through the metrics service (issue #22): reports first recorded after the
indicator's deadline are late, units with no report are missing, and the rates sit beside
completeness; an indicator without a deadline is refused with a code."""

from __future__ import annotations

import datetime

from contracts.province import PROVINCE_TZ
from services.metrics.seed.indicators import REPORTING_DEADLINE_DAYS
from tests.integration.metrics.conftest import Metrics
from tests.integration.metrics.test_values_http import _structure

FIBRE = "telecom.fibre_km"


async def test_reports_are_on_time_late_or_missing_against_the_deadline(metrics: Metrics) -> None:
    await _structure(metrics)
    await metrics.caught_up()  # the service knows the communes before they report
    this_year = str(datetime.datetime.now(PROVINCE_TZ).year)  # its deadline is still ahead
    await metrics.command(
        "values/report", {"indicator_code": FIBRE, "unit_code": "01864", "period": "2022", "value": 3}
    )
    # A quarter's report counts for its year; a correction does not move the first report.
    report = {"indicator_code": FIBRE, "unit_code": "01867", "period": f"{this_year}Q1", "value": 4}
    await metrics.command("values/report", report)
    await metrics.command("values/report", {**report, "value": 5})
    await metrics.caught_up()

    [past] = await metrics.get("/timeliness", codes=FIBRE, period="2022", level="commune")
    assert past["deadline"] == (datetime.date(2022, 12, 31) + datetime.timedelta(REPORTING_DEADLINE_DAYS)).isoformat()
    assert (past["expected"], past["on_time"]) == (3, 0)
    assert [u["unit_code"] for u in past["late"]] == ["01864"]
    assert past["late"][0]["days_late"] > 0
    assert sorted(u["unit_code"] for u in past["missing"]) == ["01867", "01900"]
    assert round(past["completeness_rate"], 2) == round(100 / 3, 2)
    assert past["timeliness_rate"] == 0.0

    [current] = await metrics.get("/timeliness", codes=FIBRE, period=this_year, level="commune", parent_code="061")
    assert (current["expected"], current["on_time"], current["late"]) == (2, 1, [])
    assert [u["unit_code"] for u in current["missing"]] == ["01864"]
    assert current["timeliness_rate"] == 50.0

    refused = await metrics.get("/timeliness", expect=400, codes="radio.stations", period="2022", level="commune")
    assert refused["code"] == "no_deadline"

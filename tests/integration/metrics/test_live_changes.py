"""Computed values follow registry events live: a new event changes the value within a second,
the change is announced once, a threshold crossing raises (and clears) an alert, and rankings
share ranks on ties."""

from __future__ import annotations

import datetime
import time
from typing import Any

import asyncpg
import msgspec

from tests.integration.metrics.conftest import Metrics
from tests.integration.metrics.test_values_http import _station, _structure


def _today() -> datetime.date:
    """Today in the province, read when a test runs (not at collection, which may be the day before)."""
    return datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=7))).date()


async def _announced(conn: asyncpg.Connection, type_: str, code: str, unit_code: str) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT data FROM metrics.events WHERE type = $1 AND data->>'indicator_code' = $2
           AND data->>'unit_code' = $3 AND data->>'period' = $4 ORDER BY position""",
        type_, code, unit_code, str(_today().year),
    )  # fmt: skip
    return [msgspec.json.decode(r["data"]) for r in rows]


async def test_a_new_station_changes_the_computed_value_within_a_second_and_is_announced_once(
    metrics: Metrics,
) -> None:
    await _structure(metrics)
    await _station(metrics, "01864", "IP", "2021-03-01")
    await metrics.caught_up()
    conn = await asyncpg.connect(metrics.database_url)
    try:
        before = await _announced(conn, "metrics.indicator_value_changed", "radio.communes.ip", "06")
        assert [a["value"] for a in before] == [1.0]

        started = time.monotonic()
        await _station(metrics, "01900", "IP", _today().isoformat())

        async def changed() -> bool:
            found = await metrics.value("radio.communes.ip", "06", str(_today().year))
            return bool(found["value"] == 2.0)

        await metrics.eventually(changed, timeout=5)
        elapsed = time.monotonic() - started
        print(f"registry command to computed value: {elapsed * 1000:.0f} ms")  # shown with -s
        assert elapsed < 1.0, f"took {elapsed:.2f} s"
        await metrics.caught_up()
        after = await _announced(conn, "metrics.indicator_value_changed", "radio.communes.ip", "06")
        assert [(a["value"], a["previous_value"]) for a in after] == [(1.0, None), (2.0, 1.0)]
        share = await _announced(conn, "metrics.indicator_value_changed", "radio.communes.ip_share", "062")
        assert [a["value"] for a in share] == [100.0]
        assert share[0]["origin"] == "computed"
        assert share[0]["unit_level"] == "district"
    finally:
        await conn.close()


async def test_a_threshold_crossing_raises_an_alert_with_the_unit_and_its_recovery_clears_it(metrics: Metrics) -> None:
    await _structure(metrics)
    stations = {c: await _station(metrics, c, "FM", "2021-03-01") for c in ("01864", "01867")}
    await metrics.caught_up()  # both working before the threshold exists: no alert yet
    await metrics.command(
        "thresholds/set",
        {"indicator_code": "radio.communes.working_share", "operator": "lt", "threshold": 90, "level": "district"},
    )
    await metrics.caught_up()
    down = {"status": "DOWN", "effective_on": _today().isoformat()}
    await metrics.register(f"radio-stations/{stations['01867']}/change-status", down)
    await metrics.caught_up()
    conn = await asyncpg.connect(metrics.database_url)
    try:
        [breach] = await _announced(conn, "metrics.indicator_threshold_breached", "radio.communes.working_share", "061")
        assert (breach["value"], breach["threshold"], breach["severity"]) == (50.0, 90.0, "warning")
        assert (
            await _announced(conn, "metrics.indicator_threshold_breached", "radio.communes.working_share", "06") == []
        )
        up = {"status": "OPERATIONAL", "effective_on": _today().isoformat()}
        await metrics.register(f"radio-stations/{stations['01867']}/change-status", up)
        await metrics.caught_up()
        [cleared] = await _announced(conn, "metrics.indicator_threshold_cleared", "radio.communes.working_share", "061")
        assert cleared["value"] == 100.0
    finally:
        await conn.close()


async def test_equal_scores_share_a_rank_and_are_listed_by_code(metrics: Metrics) -> None:
    await _structure(metrics)
    for commune in ("01864", "01867", "01900"):
        await _station(metrics, commune, "IP", "2021-03-01")
    await metrics.caught_up()
    ranking = await metrics.get("/ranking", index_code="radio.communes.ip_share", period="2022", level="district")
    assert [(r["rank"], r["value"]["unit_code"], r["score"]) for r in ranking] == [(1, "061", 100.0), (1, "062", 100.0)]
    ranking = await metrics.get("/ranking", index_code="admin.villages", period="2022", level="commune")
    assert [(r["rank"], r["value"]["unit_code"]) for r in ranking] == [(1, "01864"), (2, "01867"), (2, "01900")]


async def _changes(conn: asyncpg.Connection, code: str, unit_code: str, period: str) -> list[tuple[Any, ...]]:
    rows = await conn.fetch(
        """SELECT data FROM metrics.events WHERE type = 'metrics.indicator_value_changed'
           AND data->>'indicator_code' = $1 AND data->>'unit_code' = $2 AND data->>'period' = $3 ORDER BY position""",
        code, unit_code, period,
    )  # fmt: skip
    found = [msgspec.json.decode(r["data"]) for r in rows]
    return [(f["value"], f["previous_value"], f["origin"]) for f in found]


async def test_a_report_announces_itself_once_and_what_follows_from_it_above_and_in_coarser_periods(
    metrics: Metrics,
) -> None:
    await _structure(metrics)
    await metrics.caught_up()
    rate = "egov.online_services_rate"
    body = {"indicator_code": rate, "unit_code": "01864", "period": "2023-01"}
    await metrics.command("values/report", {**body, "value": 80})
    await metrics.caught_up()
    await metrics.command("values/report", {**body, "value": 90})
    await metrics.caught_up()
    conn = await asyncpg.connect(metrics.database_url)
    try:
        assert await _changes(conn, rate, "01864", "2023-01") == [(80.0, None, "reported"), (90.0, 80.0, "reported")]
        assert await _changes(conn, rate, "01864", "2023") == [(80.0, None, "computed"), (90.0, 80.0, "computed")]
        assert await _changes(conn, rate, "061", "2023Q1") == [(80.0, None, "computed"), (90.0, 80.0, "computed")]
        assert await _changes(conn, rate, "06", "2023") == [(80.0, None, "computed"), (90.0, 80.0, "computed")]
        dti = await _changes(conn, "index.dti", "061", "2023")
        assert [(round(v, 6), p if p is None else round(p, 6)) for v, p, _ in dti] == [(12.0, None), (13.5, 12.0)]
        assert await _changes(conn, rate, "062", "2023") == []  # not reported there, nothing follows
    finally:
        await conn.close()

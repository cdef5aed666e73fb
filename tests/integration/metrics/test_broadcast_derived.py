"""Indicators computed from the broadcast service's events (written through its commands):
clusters online, relay airtime split at the province's midnight, outreach sessions, and a commune alert when
its clusters online drop below 90 %."""

from __future__ import annotations

import datetime
from typing import Any

import asyncpg
import msgspec

from tests.integration.metrics.conftest import Metrics
from tests.integration.metrics.test_values_http import _station, _structure

TZ = datetime.timezone(datetime.timedelta(hours=7))


async def test_clusters_online_and_airtime_follow_broadcast_events_and_raise_a_commune_alert(
    metrics: Metrics,
) -> None:
    await _structure(metrics)
    station = await _station(metrics, "01864", "IP", "2021-03-01")
    clusters = []
    for _ in range(4):
        body = {"station_id": station, "installed_on": "2021-03-01"}
        clusters.append((await metrics.register("speaker-clusters/register", body))["ids"][0])
    await metrics.command(
        "thresholds/set",
        {"indicator_code": "radio.clusters.online_share", "operator": "lt", "threshold": 90, "level": "commune"},
    )
    await metrics.caught_up()

    async def post(path: str, body: dict[str, Any]) -> bool:
        # Refused until the broadcast service's own projection of the registry has the station.
        response = await metrics.broadcast.post(f"/commands/{path}", json=body)
        return response.status_code == 201

    sessions = {"sessions": [
        {"station_id": station, "source": "VOV1", "started_at": "2022-12-31T22:00:00+07:00",
         "ended_at": "2023-01-01T01:30:00+07:00"},
        {"station_id": station, "source": "VTV1", "started_at": "2023-02-01T06:00:00+07:00",
         "ended_at": "2023-02-01T07:00:00+07:00"},
    ]}  # fmt: skip
    await metrics.eventually(lambda: post("relay-sessions/record", sessions))
    lost = datetime.datetime.now(TZ).isoformat()
    report = {"reports": [{"cluster_id": clusters[0], "kind": "NO_SIGNAL", "observed_at": lost}]}
    await metrics.eventually(lambda: post("signal/report", report))
    for held_on in ("2022-05-02", "2022-06-10"):
        assert await post("outreach/sessions/record", {"unit_code": "01867", "held_on": held_on})
    await metrics.caught_up()

    assert (await metrics.value("broadcast.outreach_sessions", "061", "2022"))["value"] == 2.0
    assert (await metrics.value("broadcast.outreach_sessions", "01867", "2022Q2"))["value"] == 2.0
    assert (await metrics.value("broadcast.relay_hours", "01864", "2022"))["value"] == 2.0
    assert (await metrics.value("broadcast.relay_hours", "06", "2023"))["value"] == 2.5
    assert (await metrics.value("broadcast.relay_hours", "061", "2023-01"))["value"] == 1.5
    year = str(datetime.datetime.now(TZ).date().year)  # the current year, read when the test runs
    online = await metrics.value("radio.clusters.online_share", "01864", year)
    assert online["value"] == 75.0
    conn = await asyncpg.connect(metrics.database_url)
    try:
        [breach] = await conn.fetch(
            """SELECT data FROM metrics.events WHERE type = 'metrics.indicator_threshold_breached'
               AND data->>'indicator_code' = 'radio.clusters.online_share'"""
        )
    finally:
        await conn.close()
    alert = msgspec.json.decode(breach["data"])
    assert (alert["unit_code"], alert["value"], alert["period"]) == ("01864", 75.0, year)

    restored = datetime.datetime.now(TZ).isoformat()
    report = {"reports": [{"cluster_id": clusters[0], "kind": "RESTORED", "observed_at": restored}]}
    assert await post("signal/report", report)
    await metrics.caught_up()
    assert (await metrics.value("radio.clusters.online_share", "01864", year))["value"] == 100.0

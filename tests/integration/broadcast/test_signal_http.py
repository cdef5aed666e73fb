"""Signal health through the HTTP API: state changes are events at once, a silent or downed
cluster opens exactly one incident after the threshold and closes it on restore, old reports
never flip the state back, bad reports are refused whole."""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

import asyncpg

from libs.common.db import create_pool
from libs.common.principal import Principal
from libs.common.projections.rebuild import rebuild
from services.broadcast.entrypoints.signal_projection import SignalProjection
from tests.integration.broadcast.conftest import Platform, Province

VNPT = Principal(subject="vnpt:monitoring", partner="VNPT", scopes=frozenset({"broadcast:write"}), organisation="VNPT")


def now(offset_seconds: float = 0.0) -> str:
    return (datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=offset_seconds)).isoformat()


def report(cluster: str, kind: str, at: str) -> dict[str, str]:
    return {"cluster_id": cluster, "kind": kind, "observed_at": at}


async def events_of(platform: Platform, cluster: str) -> list[str]:
    conn = await asyncpg.connect(platform.database_url)
    try:
        rows = await conn.fetch(
            "SELECT type FROM broadcast.events WHERE stream_id = $1 ORDER BY version", f"cluster_signal-{cluster}"
        )
    finally:
        await conn.close()
    return [r["type"].removeprefix("broadcast.") for r in rows]


async def state(platform: Platform, cluster: str) -> dict[str, Any]:
    [found] = await platform.query("signal/clusters", {"cluster_ids": [cluster]})
    result: dict[str, Any] = found
    return result


async def test_a_no_signal_report_is_a_lost_event_at_once_and_an_incident_after_the_threshold(
    platform: Platform, province: Province
) -> None:
    await platform.command("signal/configure", {"silence_threshold_seconds": 2})
    cluster, other = province.clusters
    answer = await platform.command(
        "signal/report", {"reports": [report(cluster, "HEARTBEAT", now(-5)), report(cluster, "NO_SIGNAL", now(-1))]}
    )
    assert answer["ids"] == [cluster]  # the clusters whose state changed
    assert await events_of(platform, cluster) == ["cluster_signal_lost"]
    assert (await state(platform, cluster))["status"] == "DOWN"

    async def incident_open() -> bool:
        return (await state(platform, cluster))["open_incident_id"] is not None

    await platform.eventually(incident_open, timeout=10)
    await asyncio.sleep(2.5)  # more detector rounds: still one incident
    assert await events_of(platform, cluster) == ["cluster_signal_lost", "signal_incident_opened"]

    await platform.command("signal/report", {"reports": [report(cluster, "RESTORED", now())]})
    assert await events_of(platform, cluster) == [
        "cluster_signal_lost",
        "signal_incident_opened",
        "cluster_signal_restored",
        "signal_incident_closed",
    ]
    await platform.caught_up()
    [incident] = await platform.get("/signal/incidents", unit_code="00001")
    assert incident["cluster_id"] == cluster
    assert incident["closed_at"] is not None
    # The other cluster never reported: no incident for it.
    assert (await state(platform, other))["status"] == "UNKNOWN"

    health = await platform.get("/signal/health", unit_code="061", period=str(datetime.date.today().year))
    assert health["incidents_opened"] == health["incidents_closed"] == 1
    assert health["downtime_seconds"] >= 2
    pool = await create_pool(platform.database_url, service="test-rebuild", max_size=2)
    try:
        topics = {"broadcast": platform.settings.topic("broadcast")}
        progress = await rebuild(SignalProjection(), pool, topics=topics, partitions=platform.settings.kafka_partitions)
    finally:
        await pool.close()
    assert progress.done == 4
    assert await platform.get("/signal/incidents", unit_code="00001") == [incident]
    again = await platform.get("/signal/health", unit_code="061", period=str(datetime.date.today().year))
    assert {k: v for k, v in again.items() if k != "stations"} == {
        **{k: v for k, v in health.items() if k != "stations"},
        "availability_percent": again["availability_percent"],  # the current year grows with the clock
    }


async def test_a_silent_cluster_opens_one_incident_and_closes_it_when_heard_again(
    platform: Platform, province: Province
) -> None:
    await platform.command("signal/configure", {"silence_threshold_seconds": 1})
    cluster = province.clusters[1]
    await platform.command("signal/report", {"reports": [report(cluster, "HEARTBEAT", now())]})

    async def silent() -> bool:
        return "signal_incident_opened" in await events_of(platform, cluster)

    await platform.eventually(silent, timeout=10)
    await asyncio.sleep(1.5)
    assert await events_of(platform, cluster) == ["cluster_signal_lost", "signal_incident_opened"]
    assert (await state(platform, cluster))["down_cause"] == "SILENT"
    await platform.command("signal/report", {"reports": [report(cluster, "HEARTBEAT", now())]})
    assert (await events_of(platform, cluster))[-2:] == ["cluster_signal_restored", "signal_incident_closed"]
    await platform.command("signal/configure", {"silence_threshold_seconds": 3600})


async def test_an_older_report_is_accepted_but_does_not_flip_the_state(platform: Platform, province: Province) -> None:
    await platform.command("signal/configure", {"silence_threshold_seconds": 3600})
    cluster = province.clusters[0]
    # An operator's monitoring system (no unit of its own) reports with broadcast:write.
    await platform.command("signal/report", {"reports": [report(cluster, "HEARTBEAT", now(-10))]}, principal=VNPT)
    late = await platform.command(
        "signal/report", {"reports": [report(cluster, "NO_SIGNAL", now(-60))]}, principal=VNPT
    )
    assert late["ids"] == []  # no cluster's state changed
    assert (await state(platform, cluster))["status"] == "UP"
    assert (await state(platform, cluster))["out_of_order"] == 1
    assert await events_of(platform, cluster) == []


async def test_a_batch_naming_an_unknown_or_decommissioned_cluster_is_refused_whole(
    platform: Platform, province: Province
) -> None:
    await platform.command("signal/configure", {"silence_threshold_seconds": 3600})
    good, retired = province.clusters
    unknown = await platform.command(
        "signal/report",
        {"reports": [report(good, "NO_SIGNAL", now()), report("nope", "HEARTBEAT", now())]},
        expect=404,
    )
    assert unknown["code"] == "unknown_cluster"
    await platform.registry_command(f"speaker-clusters/{retired}/decommission", {"effective_on": "2022-06-01"})
    await platform.caught_up()
    refused = await platform.command(
        "signal/report",
        {"reports": [report(good, "NO_SIGNAL", now()), report(retired, "HEARTBEAT", now())]},
        expect=409,
    )
    assert refused["code"] == "cluster_decommissioned"
    assert (await state(platform, good))["status"] == "UNKNOWN"  # nothing half-applied
    bad_kind = await platform.command("signal/report", {"reports": [report(good, "LOUD", now())]}, expect=400)
    assert bad_kind["code"] == "invalid_request"
    bad_threshold = await platform.command("signal/configure", {"silence_threshold_seconds": 0}, expect=400)
    assert bad_threshold["code"] == "invalid_threshold"

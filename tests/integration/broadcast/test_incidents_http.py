"""Incidents handled through the broadcast service's HTTP API (real database and broker): a silent
cluster's incident acknowledged, assigned, annotated and resolved with who and when; who may
take which step; MTTR by assignee and cause; every incident of a unit reachable page by page;
and the alert for incidents nobody acknowledged, raised once across restarts."""

from __future__ import annotations

import asyncio
import datetime
import uuid
from typing import Any

import asyncpg
import msgspec

from libs.common.principal import Principal
from services.broadcast.app import create_app as create_broadcast
from services.broadcast.entrypoints.overdue_watch import INTERVAL
from tests.integration.broadcast.conftest import Platform, Province
from tests.support.principals import service_client

WRITE = frozenset({"broadcast:write", "read"})
DISTRICT = Principal(subject="ttvh:061", partner="TTVH-061", scopes=WRITE, unit_code="061")
OTHER_DISTRICT = Principal(subject="ttvh:062", partner="TTVH-062", scopes=WRITE, unit_code="062")
VNPT = Principal(subject="vnpt:noc", partner="VNPT", scopes=WRITE, organisation="VNPT")
VIETTEL = Principal(subject="viettel:noc", partner="VIETTEL", scopes=WRITE, organisation="VIETTEL")


def now(offset_seconds: float = 0.0) -> str:
    return (datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=offset_seconds)).isoformat()


async def open_incident(platform: Platform, cluster: str) -> str:
    """A cluster reports no signal; the detector opens its incident a second later."""
    await platform.command("signal/configure", {"silence_threshold_seconds": 1})
    await platform.command(
        "signal/report", {"reports": [{"cluster_id": cluster, "kind": "NO_SIGNAL", "observed_at": now()}]}
    )

    async def opened() -> str | None:
        [found] = await platform.query("signal/clusters", {"cluster_ids": [cluster]})
        incident: str | None = found["open_incident_id"]
        return incident

    incident_id: str = await platform.eventually(opened, timeout=15)
    await platform.command("signal/configure", {"silence_threshold_seconds": 3600})
    return incident_id


async def step(  # noqa: PLR0917 - a test's shorthand, read as a sentence
    platform: Platform,
    incident_id: str,
    action: str,
    body: dict[str, Any],
    expect: int = 201,
    principal: Principal | None = None,
) -> dict[str, Any]:
    return await platform.command(f"incidents/{incident_id}/{action}", body, expect=expect, principal=principal)


async def read(platform: Platform, incident_id: str) -> dict[str, Any]:
    [found] = await platform.query("incidents", {"incident_ids": [incident_id]})
    result: dict[str, Any] = found
    return result


async def stream_types(platform: Platform, incident_id: str) -> list[str]:
    conn = await asyncpg.connect(platform.database_url)
    try:
        rows = await conn.fetch(
            "SELECT type FROM broadcast.events WHERE stream_id = $1 ORDER BY version", f"incident-{incident_id}"
        )
    finally:
        await conn.close()
    return [r["type"].removeprefix("broadcast.") for r in rows]


async def register_operators(platform: Platform) -> None:
    for code, name in (("VNPT", "VNPT Bắc Kạn"), ("VIETTEL", "Viettel Bắc Kạn")):
        await platform.registry_command("organisations/register", {"code": code, "name": name, "kind": "telecom"})
    await platform.caught_up()


async def test_a_silent_clusters_incident_is_acknowledged_assigned_annotated_and_resolved_with_who_and_when(
    platform: Platform, province: Province
) -> None:
    incident_id = await open_incident(platform, province.clusters[0])
    answer = await step(platform, incident_id, "acknowledge", {"note": "đang kiểm tra"}, principal=DISTRICT)
    assert answer["ids"] == [incident_id]
    await step(platform, incident_id, "assign", {"assignee_kind": "unit", "assignee_code": "00001"}, principal=DISTRICT)
    await step(platform, incident_id, "notes", {"note": "dây loa bị đứt"}, principal=DISTRICT)
    await step(
        platform, incident_id, "resolve", {"cause": "transmission_fault", "note": "đã nối lại"}, principal=DISTRICT
    )
    assert await stream_types(platform, incident_id) == [
        "incident_acknowledged",
        "incident_note_added",
        "incident_assigned",
        "incident_note_added",
        "incident_resolved",
    ]
    await platform.caught_up()
    incident = await read(platform, incident_id)
    assert incident["acknowledged_by"] == "ttvh:061"
    assert (incident["assignee_kind"], incident["assignee_code"]) == ("unit", "00001")
    assert incident["resolution_cause"] == "transmission_fault"
    assert incident["resolved_by"] == "ttvh:061"
    assert incident["acknowledged_at"] <= incident["assigned_at"] <= incident["resolved_at"]
    assert [n["note"] for n in incident["notes"]] == ["đang kiểm tra", "dây loa bị đứt"]
    resolved = await platform.get("/incidents", unit_code="061", status="resolved")
    assert [i["incident_id"] for i in resolved["incidents"]] == [incident_id]
    assert (await platform.get("/incidents", unit_code="061", status="unresolved"))["total_count"] == 0

    year = str(datetime.date.today().year)
    by_assignee = await platform.get("/incidents/mttr", unit_code="06", period=year, by="assignee")
    [group] = by_assignee["groups"]
    assert (group["key"], group["resolved"]) == ("unit:00001", 1)
    opened = datetime.datetime.fromisoformat(incident["opened_at"])
    took = (datetime.datetime.fromisoformat(incident["resolved_at"]) - opened).total_seconds()
    assert abs(group["mttr_seconds"] - took) < 0.2
    by_cause = await platform.get("/incidents/mttr", unit_code="062", period=year, by="cause")
    assert by_cause["groups"] == []  # the incident is in another district
    by_cause = await platform.get("/incidents/mttr", unit_code="061", period=year, by="cause")
    assert [(g["key"], g["resolved"]) for g in by_cause["groups"]] == [("transmission_fault", 1)]


async def test_who_may_handle_an_incident_and_the_coded_refusals(platform: Platform, province: Province) -> None:
    await register_operators(platform)
    incident_id = await open_incident(platform, province.clusters[0])

    outside = await step(platform, incident_id, "acknowledge", {}, expect=403, principal=OTHER_DISTRICT)
    assert outside["code"] == "outside_own_unit"
    not_yours = await step(platform, incident_id, "acknowledge", {}, expect=403, principal=VNPT)
    assert not_yours["code"] == "incident_not_assigned_to_you"
    no_assigning = await step(
        platform, incident_id, "assign", {"assignee_kind": "operator", "assignee_code": "VNPT"}, 403, VNPT
    )
    assert no_assigning["code"] == "operator_cannot_assign"
    for body, status, code in (
        ({"assignee_kind": "operator", "assignee_code": "MOBIFONE"}, 404, "unknown_assignee"),
        ({"assignee_kind": "unit", "assignee_code": "99999"}, 404, "unknown_assignee"),
        ({"assignee_kind": "unit", "assignee_code": "06"}, 400, "invalid_assignee"),
        ({"assignee_kind": "unit", "assignee_code": "00003"}, 403, "outside_own_unit"),  # another district's commune
        ({"assignee_kind": "someone", "assignee_code": "VNPT"}, 400, "invalid_request"),
    ):
        refused = await step(platform, incident_id, "assign", body, status, DISTRICT)
        assert refused["code"] == code, body
    unknown = await step(platform, str(uuid.uuid4()), "acknowledge", {}, expect=404, principal=DISTRICT)
    assert unknown["code"] == "unknown_incident"
    bad_cause = await step(platform, incident_id, "resolve", {"cause": "gremlins"}, expect=400)
    assert bad_cause["code"] == "invalid_request"

    # Assigned to VNPT: VNPT handles it, Viettel still may not.
    await step(
        platform, incident_id, "assign", {"assignee_kind": "operator", "assignee_code": "VNPT"}, principal=DISTRICT
    )
    await step(platform, incident_id, "acknowledge", {}, principal=VNPT)
    other_operator = await step(platform, incident_id, "notes", {"note": "x"}, expect=403, principal=VIETTEL)
    assert other_operator["code"] == "incident_not_assigned_to_you"
    key = {"idempotency-key": f"resolve-{incident_id}"}
    first = await platform.broadcast.post(
        f"/commands/incidents/{incident_id}/resolve", json={"cause": "network_outage"}, headers=key,
        auth=platform.auth(VNPT),
    )  # fmt: skip
    again = await platform.broadcast.post(
        f"/commands/incidents/{incident_id}/resolve", json={"cause": "network_outage"}, headers=key,
        auth=platform.auth(VNPT),
    )  # fmt: skip
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == {**first.json(), "replayed": True}
    twice = await step(platform, incident_id, "resolve", {"cause": "other"}, expect=409, principal=VNPT)
    assert twice["code"] == "incident_already_resolved"
    assert (await stream_types(platform, incident_id)).count("incident_resolved") == 1


async def test_every_incident_of_a_unit_is_reachable_page_by_page_past_five_thousand(
    platform: Platform, province: Province
) -> None:
    """Failed before the fix: the service answered at most the oldest 5,000 of a unit's incidents."""
    incident_id = await open_incident(platform, province.clusters[0])
    await platform.caught_up()
    station = province.stations["00001"]
    base = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    conn = await asyncpg.connect(platform.database_url)
    try:
        await conn.copy_records_to_table(
            "incidents",
            schema_name="broadcast_signal",
            columns=["incident_id", "cluster_id", "station_id", "unit_code", "down_since", "opened_at", "closed_at",
                     "threshold_seconds", "cause"],
            records=[
                (f"old-{n:05}", province.clusters[1], station, "00001", base + datetime.timedelta(hours=n),
                 base + datetime.timedelta(hours=n, minutes=5), base + datetime.timedelta(hours=n, minutes=50), 300,
                 "SILENT")
                for n in range(5_100)
            ],
        )  # fmt: skip
    finally:
        await conn.close()
    seen: list[str] = []
    cursor = None
    while True:
        page = await platform.get("/incidents", unit_code="061", limit=500, cursor=cursor)
        assert page["total_count"] == 5_101
        seen += [i["incident_id"] for i in page["incidents"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 5_101
    assert seen[-1] == incident_id  # the newest, past the old cap
    opened = await platform.get("/incidents", unit_code="061", status="open")
    assert [i["incident_id"] for i in opened["incidents"]] == [incident_id]
    bad = await platform.get("/incidents", expect=400, unit_code="061", cursor="not-a-cursor")
    assert bad["code"] == "invalid_cursor"


async def test_an_incident_nobody_acknowledged_raises_one_alert_across_restarts(
    platform: Platform, province: Province
) -> None:
    """The platform's own service waits the default 30 minutes; a service restarted with a
    deadline already past raises the alert for the incident that fell due meanwhile (nothing
    lost), and a second restart does not raise it again."""
    incident_id = await open_incident(platform, province.clusters[0])
    acknowledged = await open_incident(platform, province.clusters[1])
    await step(platform, acknowledged, "acknowledge", {})
    assert await stream_types(platform, incident_id) == []
    impatient = msgspec.structs.replace(platform.settings, incident_ack_deadline_minutes=0.001)

    async def raised() -> bool:
        return await stream_types(platform, incident_id) == ["incident_escalated"]

    async with service_client(create_broadcast(impatient), impatient):
        await platform.eventually(raised, timeout=15)
    async with service_client(create_broadcast(impatient), impatient):
        await asyncio.sleep(2 * INTERVAL + 0.5)  # two rounds of the restarted watch: nothing new to await
    assert await raised()
    assert await stream_types(platform, acknowledged) == ["incident_acknowledged"]
    await platform.caught_up()
    incident = await read(platform, incident_id)
    assert incident["acknowledgement_overdue_at"] is not None
    # Acknowledging it afterwards is still possible: the alert is a signal, not a state.
    await step(platform, incident_id, "acknowledge", {}, principal=DISTRICT)

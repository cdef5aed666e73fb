"""Issue #22's first "Done when", through the gateway only (GraphQL and ``/api/v1``, the
services, PostgreSQL and the broker all real): one bulletin from the provincial
source-information system is received, approved by Ba Bể's centre head, distributed with
emergency priority to the district's stations, aired by each (pre-empting the slot on air in
its schedule), its results reported back to the sender; and an incident on a silent cluster
of the district is assigned to its commune and resolved with a cause."""

from __future__ import annotations

import datetime
from typing import Any

from contracts.province import PROVINCE_TZ
from services.gateway.security.partners import Partner
from tests.integration.gateway.api_fixtures import build_province
from tests.integration.gateway.api_platform import Platform, platform
from tests.integration.gateway.broadcast_support import stations_known_to_broadcast
from tests.integration.gateway.incidents_support import silent_incidents
from tests.integration.gateway.source_link_support import SOURCE_SYSTEM, add_partner, bulletin, send_bulletin

__all__ = ["platform"]

HEAD = Partner(
    name="ttvh-ba-be-head", scopes=frozenset({"read", "broadcast:write", "broadcast:approve"}), unit_code="061"
)
"""Ba Bể's culture and media centre, its head's key: approves the district's programmes."""

ADD_SLOT = "mutation($i: AddScheduleSlotInput!) { addScheduleSlot(input: $i) { slots { slotId } } }"
APPROVE = "mutation($i: ApproveProgrammeInput!) { approveProgramme(input: $i) { approval priority } }"
SCHEDULE = """query($station: ID!, $period: Period!) {
  stationSchedule(stationId: $station, period: $period) { interruptions { bulletinKind bulletinId slotId } } }"""
ASSIGN = "mutation($i: AssignIncidentInput!) { assignIncident(input: $i) { assigneeKind assigneeCode } }"
RESOLVE = "mutation($i: ResolveIncidentInput!) { resolveIncident(input: $i) { resolutionCause resolvedAt } }"
RESOLVED = """query { signalIncidents(unitCode: "061", status: RESOLVED) {
  totalCount edges { node { id assigneeCode resolutionCause } } } }"""


def _raw(global_id: str) -> str:
    return global_id.split(":", 1)[1]


async def _rest(platform: Platform, who: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await platform.http.post(f"/api/v1/{path}", json=body, headers=platform.auth(who))
    assert response.status_code == 201, f"{path}: {response.status_code} {response.text}"
    answer: dict[str, Any] = response.json()
    return answer


async def test_a_bulletin_from_the_provincial_system_airs_pre_empting_schedules_and_comes_back(
    platform: Platform,
) -> None:
    await add_partner(platform, "source", SOURCE_SYSTEM)
    await add_partner(platform, "head", HEAD)
    province = await build_province(platform, communes=2, villages=1)
    await stations_known_to_broadcast(platform, province)
    stations = [province.stations[c] for c in province.communes]
    today = datetime.datetime.now(PROVINCE_TZ).date()
    for station in stations:  # a relay slot on air all day, every week
        since = (today - datetime.timedelta(days=7)).isoformat()
        slot = {"stationId": station, "weekday": today.isoweekday(), "starts": "00:00", "ends": "24:00",
                "kind": "RELAY", "source": "VOV1", "validFrom": since}  # fmt: skip
        await platform.data(ADD_SLOT, {"i": slot})

    # Received from the provincial system: a programme of emergency priority, waiting for approval.
    received = await send_bulletin(platform, "source", bulletin("BT-BAO-09", air_date=today.isoformat()))
    assert received.status_code == 201, received.text
    [programme_id] = received.json()["ids"]
    early = await platform.http.post(
        f"/api/v1/programmes/{programme_id}/send",
        json={"station_ids": [_raw(s) for s in stations], "due_at": datetime.datetime.now(datetime.UTC).isoformat()},
        headers=platform.auth("head"),
    )
    assert (early.status_code, early.json()["code"]) == (409, "programme_not_approved"), early.text
    approved = await platform.data(APPROVE, {"i": {"programmeId": f"Programme:{programme_id}"}}, who="head")
    assert approved["approveProgramme"] == {"approval": "APPROVED", "priority": "EMERGENCY"}

    # Distributed to the district's stations, received and aired by each.
    due = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=30)).isoformat()
    await _rest(
        platform, "head", f"programmes/{programme_id}/send", {"station_ids": [_raw(s) for s in stations], "due_at": due}
    )
    for station in stations:
        await _rest(platform, "head", f"deliveries/{programme_id}/{_raw(station)}/receive", {})
        await _rest(platform, "head", f"deliveries/{programme_id}/{_raw(station)}/air", {})

    # Each station's schedule records the interruption by this bulletin.
    async def interrupted() -> list[list[dict[str, Any]]] | None:
        found = [
            (await platform.data(SCHEDULE, {"station": s, "period": today.strftime("%Y-%m")}))["stationSchedule"][
                "interruptions"
            ]
            for s in stations
        ]
        return found if all(found) else None

    for interruptions in await platform.eventually(interrupted):
        assert [(i["bulletinKind"], i["bulletinId"]) for i in interruptions] == [("DELIVERY", programme_id)]

    # The results come back to the sender: delivered, received and aired at every station.
    async def reported() -> list[dict[str, Any]] | None:
        page = await platform.http.get(
            "/api/v1/source-bulletins/results", params={"since": 0}, headers=platform.auth("source")
        )
        assert page.status_code == 200, page.text
        results: list[dict[str, Any]] = page.json()["results"]
        return results if sum(r["status"] == "aired" for r in results) == len(stations) else None

    results = await platform.eventually(reported)
    assert {r["bulletin_id"] for r in results} == {"BT-BAO-09"}
    assert sorted((r["station_id"], r["status"]) for r in results) == sorted(
        (_raw(s), status) for s in stations for status in ("delivered", "received", "aired")
    )

    # A cluster of the district goes silent: its incident is assigned to its commune and resolved.
    commune = province.communes[0]
    incidents = await silent_incidents(platform, province.clusters[commune][:1], commune)
    [incident_id] = incidents.values()
    assign = {"incidentId": incident_id, "assigneeKind": "UNIT", "assigneeCode": commune}
    assert (await platform.data(ASSIGN, {"i": assign}, who="head"))["assignIncident"] == {
        "assigneeKind": "UNIT",
        "assigneeCode": commune,
    }
    resolve = {"incidentId": incident_id, "cause": "POWER_OUTAGE", "note": "mất điện lưới"}
    resolved = (await platform.data(RESOLVE, {"i": resolve}, who="head"))["resolveIncident"]
    assert resolved["resolutionCause"] == "POWER_OUTAGE"
    listed = (await platform.data(RESOLVED))["signalIncidents"]
    assert [(e["node"]["id"], e["node"]["assigneeCode"]) for e in listed["edges"]] == [(incident_id, commune)]

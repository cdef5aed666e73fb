"""Broadcast lists through the gateway over the unit tree of a day (``asOf`` / ``as_of``): after
the 2025-07-01 reorganisation dissolves Ba Bể (061) and moves one of its communes under the
province, a 2024 report for Ba Bể still finds both communes' rows (incidents and airtime, against
the schedule too), in GraphQL and REST; the province's programmes on the day of the
reorganisation leave out Ba Bể's; and an alert's stations and an outreach summary's days are
connections paged by the service."""

from __future__ import annotations

from typing import Any

from tests.integration.gateway.api_fixtures import RECORD_RELAY, build_province
from tests.integration.gateway.api_platform import Platform, platform
from tests.integration.gateway.broadcast_support import stations_known_to_broadcast
from tests.integration.gateway.incidents_support import silent_incidents
from tests.integration.gateway.test_api_alerts import ISSUE, flood_warning

__all__ = ["platform"]

THEN = "2024-06-30"
REPARENT = "mutation($input: ReparentUnitInput!) { reparentUnit(input: $input) { code } }"
DISSOLVE = "mutation($input: DissolveUnitInput!) { dissolveUnit(input: $input) { code } }"
OUTREACH = "mutation($i: RecordOutreachSessionInput!) { recordOutreachSession(input: $i) { id } }"
PROGRAMME = "mutation($i: RecordProgrammeInput!) { recordProgramme(input: $i) { id } }"
LISTS = """query($asOf: Date) {
  relaySessions(unitCode: "061", asOf: $asOf) { totalCount edges { node { station { id } } } }
  outreachRecords(unitCode: "061", asOf: $asOf) { totalCount }
  outreach(unitCode: "061", period: "2024", asOf: $asOf) { sessions dayCounts { totalCount } }
  signalHealth(unitCode: "061", period: "2024", asOf: $asOf) { stations { station { id } } }
  emergencyAlerts(unitCode: "061", asOf: $asOf) { totalCount }
  signalIncidents(unitCode: "061", asOf: $asOf) { totalCount }
  airtimeOfUnit(unitCode: "061", period: "2024", asOf: $asOf) { totalSeconds children { unitCode } }
  scheduleAdherence(unitCode: "061", period: "2024", asOf: $asOf) { airedMinutes }
  programmeSummary(unitCode: "06", period: "2024", asOf: $asOf) { programmes unit { code } }
  programmes(producerCode: "06", asOf: $asOf) { totalCount }
}"""

ON_THE_DAY = """{
  programmeSummary(unitCode: "06", period: "2024", asOf: "2025-07-01") { programmes }
  programmes(producerCode: "06", asOf: "2025-07-01") { totalCount }
  airtimeOfUnit(unitCode: "06", period: "2024", asOf: "2025-07-01") { children { unitCode } }
}"""
"""The province on the day of the reorganisation: Ba Bể is dissolved, its moved commune is the province's."""


def counts(data: dict[str, Any]) -> dict[str, object]:
    return {
        "relays": sorted(e["node"]["station"]["id"] for e in data["relaySessions"]["edges"]),
        "records": data["outreachRecords"]["totalCount"],
        "sessions": data["outreach"]["sessions"],
        "days": data["outreach"]["dayCounts"]["totalCount"],
        "health": sorted(s["station"]["id"] for s in data["signalHealth"]["stations"]),
        "alerts": data["emergencyAlerts"]["totalCount"],
        "incidents": data["signalIncidents"]["totalCount"],
        "airtime": data["airtimeOfUnit"]["totalSeconds"],
        "aired": data["scheduleAdherence"]["airedMinutes"],
        "children": [c["unitCode"] for c in data["airtimeOfUnit"]["children"]],
        "summed": (data["programmeSummary"]["programmes"], data["programmeSummary"]["unit"]["code"]),
        "programmes": data["programmes"]["totalCount"],
    }


def programme(producer: str) -> dict[str, object]:
    return {"title": f"Bản tin {producer}", "producerCode": producer, "airDate": "2024-03-05", "newsItems": 2,
            "articles": 1, "durationSeconds": 900}  # fmt: skip


async def test_a_2024_report_for_a_dissolved_district_finds_the_communes_it_had_then(platform: Platform) -> None:
    province = await build_province(platform, communes=2, villages=1)
    await stations_known_to_broadcast(platform, province)
    kept, moved = province.communes
    for commune in province.communes:
        station = province.stations[commune]
        relay = {"stationId": station, "source": "VOV1", "startedAt": "2024-03-05T05:00:00+07:00",
                 "endedAt": "2024-03-05T06:00:00+07:00"}  # fmt: skip
        await platform.data(RECORD_RELAY, {"input": relay})
        await platform.data(OUTREACH, {"i": {"unitCode": commune, "heldOn": "2024-04-01"}})
    await platform.data(ISSUE, {"i": {**flood_warning(), "unitCode": moved}})
    await silent_incidents(platform, province.clusters[moved][:1], moved)
    for producer in ("061", "06"):
        await platform.data(PROGRAMME, {"i": programme(producer)})
    await platform.data(REPARENT, {"input": {"code": moved, "parentCode": "06", "effectiveDate": "2025-07-01"}})
    await platform.data(DISSOLVE, {"input": {"code": "061", "effectiveDate": "2025-07-01"}})

    async def reorganised() -> dict[str, object] | None:
        today = counts(await platform.data(LISTS, {}))
        # Airtime and programmes come from projections of their own: wait for them too.
        applied = today["airtime"] == 3600 and today["programmes"] == 2
        return today if today["health"] == [province.stations[kept]] and applied else None

    both = sorted(province.stations.values())
    assert await platform.eventually(reorganised) == {
        "relays": [province.stations[kept]],
        "records": 1,
        "sessions": 1,
        "days": 1,
        "health": [province.stations[kept]],
        "alerts": 0,
        "incidents": 0,
        "airtime": 3600,
        "aired": 60,
        "children": [kept],
        "summed": (2, "06"),
        "programmes": 2,
    }
    assert counts(await platform.data(LISTS, {"asOf": THEN})) == {
        "relays": both,
        "records": 2,
        "sessions": 2,
        "days": 2,
        "health": both,
        "alerts": 1,
        "incidents": 1,
        "airtime": 7200,
        "aired": 120,
        "children": [kept, moved],
        "summed": (2, "06"),
        "programmes": 2,
    }
    on_the_day = await platform.data(ON_THE_DAY)
    assert (on_the_day["programmeSummary"]["programmes"], on_the_day["programmes"]["totalCount"]) == (1, 1)
    assert [c["unitCode"] for c in on_the_day["airtimeOfUnit"]["children"]] == [moved]

    reader = platform.auth("reader")
    then = {"unit_code": "061", "as_of": THEN}
    routes = {
        "relay-sessions": then,
        "outreach/days": {**then, "period": "2024"},
        "signal/health": {**then, "period": "2024"},
        "alerts": then,
        "signal/incidents": then,
        "airtime/units/061": {"period": "2024", "as_of": THEN},
        "broadcast-schedules/adherence": {**then, "period": "2024"},
        "programmes/summary": {"unit_code": "06", "period": "2024", "as_of": "2025-07-01"},
        "programmes": {"producer_code": "06", "as_of": "2025-07-01"},
    }
    rest = {path: await platform.http.get(f"/api/v1/{path}", params=q, headers=reader) for path, q in routes.items()}
    assert all(r.status_code == 200 for r in rest.values()), {p: r.text for p, r in rest.items()}
    assert len(rest["relay-sessions"].json()["sessions"]) == 2
    assert rest["outreach/days"].json()["total_count"] == 2
    assert sorted(s["station_id"] for s in rest["signal/health"].json()["stations"]) == sorted(
        province.stations[c].split(":", 1)[1] for c in province.communes
    )
    assert rest["alerts"].json()["total_count"] == 1
    assert rest["signal/incidents"].json()["total_count"] == 1
    assert rest["airtime/units/061"].json()["total_seconds"] == 7200
    assert rest["broadcast-schedules/adherence"].json()["aired_minutes"] == 120
    assert rest["programmes/summary"].json()["programmes"] == 1
    assert rest["programmes"].json()["total_count"] == 1

    before = await platform.graphql('{ relaySessions(unitCode: "061", asOf: "2019-12-31") { totalCount } }')
    assert before["errors"][0]["extensions"]["code"] == "UNKNOWN_UNIT", before
    bad = await platform.http.get("/api/v1/relay-sessions", params={"as_of": "2024-13-01"}, headers=reader)
    assert bad.status_code == 400, bad.text


RECIPIENTS = """query($first: Int, $after: String) {
  emergencyAlerts(unitCode: "061") { edges { node {
    stations { station { id } }
    recipients(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { unitCode station { id } } } } } } } }"""
DAYS = """query($after: String) { outreach(unitCode: "061", period: "2024") {
  days { onDate } dayCounts(first: 2, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { unitCode onDate sessions } } } } }"""


async def test_an_alerts_recipients_and_the_outreach_days_are_connections_paged_by_the_service(
    platform: Platform,
) -> None:
    province = await build_province(platform, communes=3, villages=1)
    await stations_known_to_broadcast(platform, province)
    issued = (await platform.data(ISSUE, {"i": flood_warning()}))["issueEmergencyAlert"]
    for commune, day in zip(province.communes, ("2024-04-01", "2024-04-01", "2024-04-02"), strict=True):
        await platform.data(OUTREACH, {"i": {"unitCode": commune, "heldOn": day}})

    [alert] = (await platform.data(RECIPIENTS, {"first": 2}))["emergencyAlerts"]["edges"]
    first = alert["node"]["recipients"]
    assert (first["totalCount"], first["pageInfo"]["hasNextPage"], len(first["edges"])) == (3, True, 2)
    [again] = (await platform.data(RECIPIENTS, {"first": 2, "after": first["pageInfo"]["endCursor"]}))[
        "emergencyAlerts"
    ]["edges"]
    rest = again["node"]["recipients"]
    assert (rest["totalCount"], rest["pageInfo"]["hasNextPage"], len(rest["edges"])) == (3, False, 1)
    paged = [e["node"]["station"]["id"] for e in first["edges"] + rest["edges"]]
    assert sorted(paged) == sorted(s["station"]["id"] for s in alert["node"]["stations"])
    assert [e["node"]["unitCode"] for e in first["edges"] + rest["edges"]] == sorted(province.communes)

    alert_id = issued["id"].split(":", 1)[1]
    reader = platform.auth("reader")
    by_rest = await platform.http.get(f"/api/v1/alerts/{alert_id}/stations", params={"first": 2}, headers=reader)
    assert by_rest.status_code == 200, by_rest.text
    assert (by_rest.json()["total_count"], len(by_rest.json()["stations"])) == (3, 2)
    unknown = await platform.http.get("/api/v1/alerts/no-such-alert/stations", headers=reader)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_alert")

    async def summed() -> dict[str, Any] | None:
        summary = (await platform.data(DAYS, {}))["outreach"]
        return summary if summary["dayCounts"]["totalCount"] == 3 else None

    summary = await platform.eventually(summed)
    page = summary["dayCounts"]
    assert [e["node"]["onDate"] for e in page["edges"]] == ["2024-04-01", "2024-04-01"]
    assert page["pageInfo"]["hasNextPage"] is True
    last = (await platform.data(DAYS, {"after": page["pageInfo"]["endCursor"]}))["outreach"]["dayCounts"]
    assert [(e["node"]["onDate"], e["node"]["sessions"]) for e in last["edges"]] == [("2024-04-02", 1)]
    assert last["pageInfo"]["hasNextPage"] is False
    assert [d["onDate"] for d in summary["days"]] == ["2024-04-01", "2024-04-01", "2024-04-02"]


MERGE = "mutation($i: MergeUnitsInput!) { mergeUnits(input: $i) { code } }"
REUSED = """query($asOf: Date) {
  airtimeOfUnit(unitCode: "06100", period: "2024", asOf: $asOf) { name totalSeconds }
  programmeSummary(unitCode: "06100", period: "2024", asOf: $asOf) { unit { name } }
  signalHealth(unitCode: "06100", period: "2024", asOf: $asOf) { unit { name } }
}"""


async def test_a_code_reused_by_a_merger_names_the_unit_that_held_it_on_the_day_asked(platform: Platform) -> None:
    """The two communes merge into a successor that keeps the first one's code (06100): as of a
    day of 2024, the code is the old commune, with its station's airtime and as the summary's
    ``unit``; without ``asOf``, the successor, which has no station. This test failed before the
    summary's and the signal health's ``unit`` were looked up on ``asOf``: they named the
    successor whatever the day."""
    province = await build_province(platform, communes=2, villages=1)
    await stations_known_to_broadcast(platform, province)
    first = province.communes[0]
    relay = {"stationId": province.stations[first], "source": "VOV1", "startedAt": "2024-03-05T05:00:00+07:00",
             "endedAt": "2024-03-05T06:00:00+07:00"}  # fmt: skip
    await platform.data(RECORD_RELAY, {"input": relay})
    successor = {"code": first, "name": "Xã Hợp Nhất", "level": "COMMUNE", "parentCode": "061",
                 "validFrom": "2025-07-01"}  # fmt: skip
    await platform.data(
        MERGE, {"i": {"sourceCodes": province.communes, "successor": successor, "effectiveDate": "2025-07-01"}}
    )

    async def merged() -> dict[str, Any] | None:
        today = await platform.data(REUSED, {})
        return today if today["airtimeOfUnit"]["name"] == "Xã Hợp Nhất" else None

    today = await platform.eventually(merged)
    assert (today["airtimeOfUnit"]["totalSeconds"], today["programmeSummary"]["unit"]["name"]) == (0, "Xã Hợp Nhất")
    assert today["signalHealth"]["unit"] == {"name": "Xã Hợp Nhất"}

    async def then() -> dict[str, Any] | None:
        found = await platform.data(REUSED, {"asOf": THEN})
        return found if found["airtimeOfUnit"]["totalSeconds"] else None

    found = await platform.eventually(then)
    assert found["airtimeOfUnit"] == {"name": "Xã 0", "totalSeconds": 3600}
    assert found["programmeSummary"]["unit"] == {"name": "Xã 0"}
    assert found["signalHealth"]["unit"] == {"name": "Xã 0"}

"""A district's relay log and outreach through the gateway only: sessions logged, listed for the
district and cancelled; an information session and a loudspeaker-vehicle trip recorded, listed
and summed for the period, in GraphQL and REST."""

from __future__ import annotations

from tests.integration.gateway.api_fixtures import RECORD_RELAY, build_province
from tests.integration.gateway.api_platform import Platform, platform
from tests.integration.gateway.broadcast_support import stations_known_to_broadcast

__all__ = ["platform"]

SESSIONS = """query($station: ID, $first: Int) {
  relaySessions(unitCode: "061", stationId: $station, from: "2025-03-01", to: "2025-03-31", first: $first) {
    totalCount pageInfo { hasNextPage } edges { node { id source startedAt cancelled station { id } } } } }"""
CANCEL = "mutation($i: CancelRelaySessionInput!) { cancelRelaySession(input: $i) { id cancelled } }"
SESSION = """mutation($i: RecordOutreachSessionInput!) {
  recordOutreachSession(input: $i) { id kind onDate topic audience unit { code } } }"""
TRIP = "mutation($i: RecordVehicleTripInput!) { recordVehicleTrip(input: $i) { id kind route distanceKm } }"
RECORDS = """query($kind: OutreachKind) {
  outreachRecords(unitCode: "061", kind: $kind, from: "2025-03-01") { totalCount edges { node { id kind } } } }"""
SUMMARY = """{ outreach(unitCode: "061", period: "2025Q1") {
  period sessions vehicleTrips days { unitCode onDate sessions vehicleTrips } } }"""


async def test_relay_sessions_are_listed_for_the_district_and_one_is_cancelled(platform: Platform) -> None:
    province = await build_province(platform, communes=2, villages=1)
    await stations_known_to_broadcast(platform, province)
    first, second = (province.stations[c] for c in province.communes)
    for station, day in ((first, "05"), (second, "06"), (first, "07")):
        relay = {"stationId": station, "source": "VOV1", "startedAt": f"2025-03-{day}T05:00:00+07:00",
                 "endedAt": f"2025-03-{day}T06:00:00+07:00"}  # fmt: skip
        await platform.data(RECORD_RELAY, {"input": relay})

    async def listed() -> dict[str, object] | None:
        page = (await platform.data(SESSIONS, {"first": 2}))["relaySessions"]
        return page if page["totalCount"] == 3 else None

    page = await platform.eventually(listed)
    assert page["pageInfo"]["hasNextPage"] is True
    oldest = page["edges"][0]["node"]
    assert (oldest["source"], oldest["startedAt"], oldest["station"]) == (
        "VOV1", "2025-03-04T22:00:00+00:00", {"id": first}
    )  # fmt: skip
    one_station = (await platform.data(SESSIONS, {"station": second}))["relaySessions"]
    assert one_station["totalCount"] == 1

    cancelled = await platform.data(CANCEL, {"i": {"sessionId": oldest["id"], "reason": "Ghi nhầm"}})
    assert cancelled["cancelRelaySession"] == {"id": oldest["id"], "cancelled": True}
    airtime = """{ airtimeOfUnit(unitCode: "061", period: "2025Q1") {
      totalSeconds sources { source seconds } children { unitCode totalSeconds } } }"""

    async def two_hours_left() -> dict[str, object] | None:
        figures = (await platform.data(airtime))["airtimeOfUnit"]
        return figures if figures["totalSeconds"] == 7200 else None

    figures = await platform.eventually(two_hours_left)
    assert figures["sources"] == [{"source": "VOV1", "seconds": 7200}]
    assert sorted(c["totalSeconds"] for c in figures["children"]) == [3600, 3600]
    by_rest = await platform.http.get(
        "/api/v1/airtime/units/061", params={"period": "2025Q1"}, headers=platform.auth("reader")
    )
    assert (by_rest.status_code, by_rest.json()["total_seconds"]) == (200, 7200), by_rest.text
    rest = await platform.http.get(
        "/api/v1/relay-sessions",
        params={"unit_code": "061", "from_date": "2025-03-01", "to_date": "2025-03-31"},
        headers=platform.auth("reader"),
    )
    assert rest.status_code == 200, rest.text
    assert [s["cancelled"] for s in rest.json()["sessions"]] == [True, False, False]
    refused = await platform.http.post(
        f"/api/v1/relay-sessions/{oldest['id'].split(':', 1)[1]}/cancel",
        json={"reason": "x"},
        headers=platform.auth("reader"),
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")


async def test_outreach_is_recorded_listed_and_summed_for_the_district(platform: Platform) -> None:
    province = await build_province(platform, communes=1, villages=1)
    await stations_known_to_broadcast(platform, province)
    commune = province.communes[0]
    session = {"unitCode": commune, "heldOn": "2025-03-10", "topic": "Chuyển đổi số", "audience": 120}
    held = (await platform.data(SESSION, {"i": session}))["recordOutreachSession"]
    assert (held["kind"], held["topic"], held["audience"], held["unit"]) == (
        "SESSION", "Chuyển đổi số", 120, {"code": commune}
    )  # fmt: skip
    trip = {"unitCode": commune, "madeOn": "2025-03-11", "route": "Nam Mẫu - Bành Trạch", "distanceKm": 18.5}
    made = (await platform.data(TRIP, {"i": trip}))["recordVehicleTrip"]
    assert (made["kind"], made["distanceKm"]) == ("VEHICLE_TRIP", 18.5)

    every = (await platform.data(RECORDS, {}))["outreachRecords"]
    assert every["totalCount"] == 2
    assert [e["node"]["id"] for e in every["edges"]] == [held["id"], made["id"]]
    trips = (await platform.data(RECORDS, {"kind": "VEHICLE_TRIP"}))["outreachRecords"]
    assert [e["node"]["id"] for e in trips["edges"]] == [made["id"]]
    summary = (await platform.data(SUMMARY))["outreach"]
    assert (summary["period"], summary["sessions"], summary["vehicleTrips"]) == ("2025Q1", 1, 1)
    assert summary["days"] == [
        {"unitCode": commune, "onDate": "2025-03-10", "sessions": 1, "vehicleTrips": 0},
        {"unitCode": commune, "onDate": "2025-03-11", "sessions": 0, "vehicleTrips": 1},
    ]

    body = {"unit_code": commune, "held_on": "2025-03-12", "audience": 40}
    headers = {**platform.auth(), "idempotency-key": "session-12"}
    first = await platform.http.post("/api/v1/outreach/sessions", json=body, headers=headers)
    again = await platform.http.post("/api/v1/outreach/sessions", json=body, headers=headers)
    assert first.status_code == again.status_code == 201, first.text
    assert again.json()["ids"] == first.json()["ids"]

    async def summed() -> bool:
        report = await platform.http.get(
            "/api/v1/outreach", params={"unit_code": "061", "period": "2025"}, headers=platform.auth("reader")
        )
        return bool(report.json()["sessions"] == 2)

    await platform.eventually(summed)
    unknown = {"unit_code": "999", "made_on": "2025-03-12"}
    outside = await platform.http.post("/api/v1/outreach/vehicle-trips", json=unknown, headers=platform.auth())
    assert (outside.status_code, outside.json()["code"]) == (404, "unknown_unit")

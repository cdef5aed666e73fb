"""A district centre's year through the gateway only (issue #18, "Done when").

Ba Bể's centre (a partner bound to district ``061``) produces a programme each quarter and
sends it to the stations of its three communes, which receive and air it; logs a year of weekly
relays of every station in one bulk request; holds an outreach session; and issues an
emergency alert that every station acknowledges. Nothing is written but through ``/graphql``
and ``/api/v1``. Then the same totals are read back through GraphQL and through REST: the
broadcast lists (programmes, deliveries, relay sessions, outreach, the alert) and the metrics
the platform computes from those events (programmes produced, relay hours, outreach sessions).
"""

from __future__ import annotations

import datetime
from typing import Any

from libs.common.db import create_pool
from services.gateway.security.partner_store import PartnerStore
from services.gateway.security.partners import Partner
from tests.integration.gateway.api_fixtures import REGISTER_STATION, register_unit
from tests.integration.gateway.api_platform import Platform, platform

__all__ = ["platform"]

YEAR = 2025
DISTRICT = "061"
COMMUNES = ("06100", "06101", "06102")
QUARTERS = (1, 4, 7, 10)
CENTRE = Partner(
    name="year-ba-be",
    # broadcast:approve: the centre's head approves its programmes as it records them (ADR 0052).
    scopes=frozenset({"read", "broadcast:write", "broadcast:approve", "alerts:issue", "metrics:write"}),
    unit_code=DISTRICT,
)
ICT = datetime.timezone(datetime.timedelta(hours=7))

RECORD_PROGRAMME = "mutation($input: RecordProgrammeInput!) { recordProgramme(input: $input) { id } }"
SEND_PROGRAMME = "mutation($input: SendProgrammeInput!) { sendProgramme(input: $input) { id } }"
RECEIVE = "mutation($input: ReceiveDeliveryInput!) { receiveDelivery(input: $input) { status } }"
AIR = "mutation($input: AirDeliveryInput!) { airDelivery(input: $input) { status timeliness } }"
OUTREACH = "mutation($input: RecordOutreachSessionInput!) { recordOutreachSession(input: $input) { unitCode } }"
ISSUE_ALERT = "mutation($input: IssueEmergencyAlertInput!) { issueEmergencyAlert(input: $input) { id stationCount } }"
ACKNOWLEDGE = """
mutation($input: AcknowledgeEmergencyAlertInput!) { acknowledgeEmergencyAlert(input: $input) { acknowledgedCount } }
"""

TOTALS = """
query($from: Date!, $to: Date!, $alert: ID!, $period: Period!) {
  programmes(producerCode: "061", from: $from, to: $to) { totalCount }
  deliveries(unitCode: "061", from: $from, to: $to) { totalCount edges { node { status } } }
  relaySessions(unitCode: "061", from: $from, to: $to) { totalCount }
  outreach(unitCode: "061", period: $period) { sessions }
  emergencyAlert(id: $alert) { stationCount acknowledgedCount awaitingCount }
  indicatorValues(
    codes: ["broadcast.programmes", "broadcast.relay_hours", "broadcast.outreach_sessions"]
    period: $period
    parentCode: "061"
  ) { value indicator { code } }
}
"""
INDICATORS = ("broadcast.programmes", "broadcast.relay_hours", "broadcast.outreach_sessions")


def at(day: datetime.date, hour: int) -> str:
    return datetime.datetime.combine(day, datetime.time(hour), ICT).isoformat()


async def centre_key(platform: Platform) -> str:
    pool = await create_pool(platform.settings.database_url, service="test", max_size=1)
    try:
        return await PartnerStore(pool).create(CENTRE)
    finally:
        await pool.close()


async def build_district(platform: Platform) -> dict[str, str]:
    """The province, Ba Bể and its three communes, each with an IP station (the admin, through
    /graphql); the stations' ids by commune."""
    await register_unit(platform, "06", "Tỉnh Bắc Kạn", "PROVINCE", None)
    await register_unit(platform, DISTRICT, "Huyện Ba Bể", "DISTRICT", "06")
    stations: dict[str, str] = {}
    for i, commune in enumerate(COMMUNES):
        await register_unit(platform, commune, f"Xã Ba Bể {i}", "COMMUNE", DISTRICT)
        station = {"unitCode": commune, "technology": "IP", "installedOn": "2024-01-01"}
        stations[commune] = (await platform.data(REGISTER_STATION, {"input": station}))["registerRadioStation"]["id"]
    return stations


async def the_year(platform: Platform, stations: dict[str, str]) -> str:
    """Everything the centre does in the year, through the gateway as the centre; the alert's id."""
    ids = list(stations.values())
    for quarter in QUARTERS:
        air_date = datetime.date(YEAR, quarter, 15)
        programme = {
            "title": f"Bản tin quý {quarter // 3 + 1}",
            "producerCode": DISTRICT,
            "airDate": air_date.isoformat(),
            "newsItems": 6,
            "articles": 2,
            "durationSeconds": 1800,
            "idempotencyKey": f"year-programme-{quarter}",
        }
        programme_id = (await platform.data(RECORD_PROGRAMME, {"input": programme}, who="centre"))["recordProgramme"][
            "id"
        ]
        send = {"programmeId": programme_id, "stationIds": ids, "dueAt": at(air_date, 18), "sentAt": at(air_date, 8)}
        await platform.data(SEND_PROGRAMME, {"input": send}, who="centre")
        for station in ids:
            step = {"programmeId": programme_id, "stationId": station}
            await platform.data(RECEIVE, {"input": step | {"at": at(air_date, 9)}}, who="centre")
            aired = await platform.data(AIR, {"input": step | {"at": at(air_date, 17)}}, who="centre")
            assert aired["airDelivery"]["status"] == "aired", aired

    session = {"unitCode": COMMUNES[0], "heldOn": f"{YEAR}-05-19", "topic": "Chuyển đổi số", "audience": 80}
    await platform.data(OUTREACH, {"input": session}, who="centre")

    alert = {
        "unitCode": DISTRICT,
        "category": "DISASTER",
        "priority": "CRITICAL",
        "title": "Cảnh báo lũ quét",
        "message": "Mưa lớn, nguy cơ lũ quét tại các xã ven sông Năng.",
        "expiresAt": at(datetime.date.today() + datetime.timedelta(days=1), 12),
    }
    issued = (await platform.data(ISSUE_ALERT, {"input": alert}, who="centre"))["issueEmergencyAlert"]
    assert issued["stationCount"] == len(ids), issued
    for station in ids:
        await platform.data(ACKNOWLEDGE, {"input": {"alertId": issued["id"], "stationId": station}}, who="centre")
    # The year's relays last: their projection takes a moment, and the alert's read-back waits
    # for the same read model.
    relays = [
        {
            "station_id": station.split(":", 1)[-1],
            "source": "VOV1",
            "started_at": at(day, 5),
            "ended_at": at(day, 6),
            "key": f"year-{station[-8:]}-{day.isoformat()}",
        }
        for station in ids
        for day in relay_days(YEAR)
    ]
    response = await platform.http.post("/api/v1/bulk/relay-sessions", json=relays, headers=platform.auth("centre"))
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == len(relays), response.text[:500]

    return str(issued["id"])


def relay_days(year: int) -> list[datetime.date]:
    """A relay each week of the year: enough to be a year in one request, few enough that the
    metrics computed from it settle within the test's time."""
    first = datetime.date(year, 1, 6)
    return [first + datetime.timedelta(weeks=n) for n in range(52)]


async def test_a_district_centres_year_reads_back_the_same_totals_in_graphql_and_rest(platform: Platform) -> None:
    platform.keys["centre"] = await centre_key(platform)
    stations = await build_district(platform)
    alert = await the_year(platform, stations)
    relays = len(stations) * len(relay_days(YEAR))
    expected = {
        "programmes": len(QUARTERS),
        "deliveries": len(QUARTERS) * len(stations),
        "relays": relays,
        "outreach": 1,
        "acknowledged": len(stations),
        "broadcast.programmes": float(len(QUARTERS)),
        "broadcast.relay_hours": float(relays),
        "broadcast.outreach_sessions": 1.0,
    }
    variables = {"from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31", "alert": alert, "period": str(YEAR)}

    async def graphql_totals() -> dict[str, Any] | None:
        data = await platform.data(TOTALS, variables, who="centre")
        totals = {
            "programmes": data["programmes"]["totalCount"],
            "deliveries": data["deliveries"]["totalCount"],
            "relays": data["relaySessions"]["totalCount"],
            "outreach": data["outreach"]["sessions"],
            "acknowledged": data["emergencyAlert"]["acknowledgedCount"],
            **{v["indicator"]["code"]: v["value"] for v in data["indicatorValues"]},
        }
        seen["graphql"] = totals
        return totals if totals == expected else None

    async def rest_totals() -> dict[str, Any] | None:
        def get(path: str, **params: Any) -> Any:
            return platform.http.get("/api/v1" + path, params=params, headers=platform.auth("centre"))

        days = {"from_date": f"{YEAR}-01-01", "to_date": f"{YEAR}-12-31"}
        programmes = (await get("/programmes", producer_code=DISTRICT, **days)).json()
        deliveries = (await get("/deliveries", unit_code=DISTRICT, **days)).json()
        sessions = (await get("/relay-sessions", unit_code=DISTRICT, **days)).json()
        outreach = (await get("/outreach", unit_code=DISTRICT, period=str(YEAR))).json()
        acknowledged = (await get(f"/alerts/{alert.split(':', 1)[-1]}")).json()
        values = (
            await get(
                "/indicator-values", codes=",".join(INDICATORS), period=str(YEAR), level="district", parent_code="06"
            )
        ).json()
        totals = {
            "programmes": programmes["total_count"],
            "deliveries": deliveries["total_count"],
            "relays": sessions["total_count"],
            "outreach": outreach["sessions"],
            "acknowledged": acknowledged["acknowledged"],
            **{v["indicator_code"]: v["value"] for v in values if v["unit_code"] == DISTRICT},
        }
        seen["rest"] = totals
        return totals if totals == expected else None

    seen: dict[str, dict[str, Any]] = {}
    try:
        assert await platform.eventually(graphql_totals, timeout=60) == expected
        assert await platform.eventually(rest_totals, timeout=30) == expected
    except TimeoutError:
        raise AssertionError(f"expected {expected}, last read {seen}") from None

"""A programme's distribution through the gateway only: recorded, corrected, sent to a district's
stations; one station receives and airs it on time, another never receives it; the district
lists its deliveries, and the problems (the missing one) on their own, in GraphQL and REST."""

from __future__ import annotations

import datetime
from typing import Any

from tests.integration.gateway.api_fixtures import build_province
from tests.integration.gateway.api_platform import Platform, platform
from tests.integration.gateway.broadcast_support import stations_known_to_broadcast

__all__ = ["platform"]

RECORD = "mutation($i: RecordProgrammeInput!) { recordProgramme(input: $i) { id } }"
CORRECT = "mutation($i: CorrectProgrammeInput!) { correctProgramme(input: $i) { id title corrections } }"
SEND = """mutation($i: SendProgrammeInput!) {
  sendProgramme(input: $i) { id deliveries { status timeliness station { id } } } }"""
STEP = """mutation($i: {input}!) {{
  {name}(input: $i) {{ status timeliness unitCode receivedAt airedAt station {{ id }} programme {{ title }} }} }}"""
DELIVERIES = """query($problems: Boolean!, $first: Int, $after: String) {
  deliveries(unitCode: "061", problemsOnly: $problems, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { status timeliness station { id } } } } }"""


def hours(offset: float) -> str:
    return (datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=offset)).isoformat()


async def test_a_programme_sent_to_two_stations_is_aired_at_one_and_missing_at_the_other(platform: Platform) -> None:
    province = await build_province(platform, communes=2, villages=1)
    await stations_known_to_broadcast(platform, province)
    aired_at, silent = (province.stations[c] for c in province.communes)
    programme = {"title": "Bản tin Ba Bể", "producerCode": "061", "airDate": "2026-12-06", "newsItems": 6,
                 "articles": 2, "durationSeconds": 900}  # fmt: skip
    programme_id = (await platform.data(RECORD, {"i": programme}))["recordProgramme"]["id"]

    correction = {"programmeId": programme_id, "reason": "Sai tên xã", "title": "Bản tin Ba Bể (sửa)"}
    corrected = (await platform.data(CORRECT, {"i": correction}))["correctProgramme"]
    assert corrected == {"id": programme_id, "title": "Bản tin Ba Bể (sửa)", "corrections": 1}

    # Due two hours ago: the silent station's copy is missing, the other aired it on time.
    send = {"programmeId": programme_id, "stationIds": [aired_at, silent], "dueAt": hours(-2), "sentAt": hours(-5)}
    sent = (await platform.data(SEND, {"i": send}))["sendProgramme"]
    assert sorted(d["station"]["id"] for d in sent["deliveries"]) == sorted([aired_at, silent])
    assert {d["timeliness"] for d in sent["deliveries"]} == {"MISSING"}

    step = {"programmeId": programme_id, "stationId": aired_at, "at": hours(-4)}
    received = (await platform.data(STEP.format(name="receiveDelivery", input="ReceiveDeliveryInput"), {"i": step}))[
        "receiveDelivery"
    ]
    assert (received["status"], received["programme"]) == ("received", {"title": "Bản tin Ba Bể (sửa)"})
    aired = (
        await platform.data(STEP.format(name="airDelivery", input="AirDeliveryInput"), {"i": {**step, "at": hours(-3)}})
    )["airDelivery"]
    assert (aired["status"], aired["timeliness"], aired["station"]) == ("aired", "ON_TIME", {"id": aired_at})
    assert aired["unitCode"] == province.communes[0]

    every = (await platform.data(DELIVERIES, {"problems": False, "first": 1}))["deliveries"]
    assert (every["totalCount"], every["pageInfo"]["hasNextPage"]) == (2, True)
    rest = await platform.data(DELIVERIES, {"problems": False, "after": every["pageInfo"]["endCursor"]})
    assert len(rest["deliveries"]["edges"]) == 1
    shown = {e["node"]["station"]["id"]: e["node"]["timeliness"] for e in every["edges"] + rest["deliveries"]["edges"]}
    assert shown == {aired_at: "ON_TIME", silent: "MISSING"}
    problems = (await platform.data(DELIVERIES, {"problems": True}))["deliveries"]
    assert problems["totalCount"] == 1
    assert problems["edges"][0]["node"]["station"] == {"id": silent}

    listed = await platform.http.get(
        "/api/v1/deliveries", params={"unit_code": "061", "problems_only": "true"}, headers=platform.auth("reader")
    )
    assert listed.status_code == 200, listed.text
    page: dict[str, Any] = listed.json()
    assert (page["total_count"], [d["timeliness"] for d in page["deliveries"]]) == (1, ["missing"])

    summary = await platform.data(
        '{ programmeSummary(unitCode: "061", period: "2026-12") '
        "{ programmes newsItems durationSeconds unit { code } } }"
    )
    assert summary["programmeSummary"] == {"programmes": 1, "newsItems": 6, "durationSeconds": 900,
                                           "unit": {"code": "061"}}  # fmt: skip
    rest_summary = await platform.http.get(
        "/api/v1/programmes/summary", params={"unit_code": "061", "period": "2026"}, headers=platform.auth("reader")
    )
    assert (rest_summary.status_code, rest_summary.json()["programmes"]) == (200, 1), rest_summary.text

    raw = programme_id.split(":", 1)[1]
    failed = await platform.http.post(
        f"/api/v1/deliveries/{raw}/{silent.split(':', 1)[1]}/fail",
        json={"reason": "Mất điện"},
        headers={**platform.auth(), "idempotency-key": "fail-1"},
    )
    assert failed.status_code == 201, failed.text
    again = await platform.http.post(
        f"/api/v1/programmes/{raw}/correct", json={"reason": "x"}, headers=platform.auth("reader")
    )
    assert (again.status_code, again.json()["code"]) == (403, "forbidden")
    twice = await platform.http.post(
        f"/api/v1/deliveries/{raw}/{aired_at.split(':', 1)[1]}/air", json={}, headers=platform.auth()
    )
    assert twice.status_code == 409, twice.text

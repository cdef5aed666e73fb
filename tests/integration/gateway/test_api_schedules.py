"""Broadcast schedules through the gateway only: a station's weekly slot added through /graphql,
an emergency alert to its district pre-empting the slot on air (the interruption on the live
feed, in the schedule read through GraphQL and REST, and counted per unit), and the REST routes'
retries and coded refusals."""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

from contracts.province import PROVINCE_TZ
from tests.integration.gateway.api_fixtures import RECORD_RELAY, build_province
from tests.integration.gateway.api_platform import Platform, platform
from tests.integration.gateway.broadcast_support import stations_known_to_broadcast
from tests.integration.gateway.test_subscriptions_live import first, subscribed, subscriber

__all__ = ["platform"]

ADD = """mutation($i: AddScheduleSlotInput!) {
  addScheduleSlot(input: $i) { period plannedMinutes slots { slotId kind source starts ends weekday } station { id } }
}"""
ISSUE = "mutation($input: IssueEmergencyAlertInput!) { issueEmergencyAlert(input: $input) { id } }"
SESSIONS = """query($from: Date, $to: Date) {
  relaySessions(unitCode: "061", from: $from, to: $to) { edges { node { startedAt outsideSchedule } } } }"""
INTERRUPTED = """subscription {
  events(types: ["broadcast.schedule_interrupted"], unitCode: "061") { type unitCode data }
}"""


async def test_an_emergency_alert_pre_empts_a_stations_slot_read_through_graphql_rest_and_the_feed(
    platform: Platform,
) -> None:
    province = await build_province(platform, communes=1, villages=1)
    await stations_known_to_broadcast(platform, province)
    commune = province.communes[0]
    station = province.stations[commune]
    today = datetime.datetime.now(PROVINCE_TZ).date()
    slot = {"stationId": station, "weekday": today.isoweekday(), "starts": "00:00", "ends": "24:00", "kind": "RELAY",
            "source": "VOV1", "validFrom": (today - datetime.timedelta(days=7)).isoformat()}  # fmt: skip
    added = (await platform.data(ADD, {"i": slot}))["addScheduleSlot"]
    [shown] = added["slots"]
    assert (shown["kind"], shown["source"], shown["ends"], added["station"]["id"]) == (
        "RELAY",
        "VOV1",
        "24:00",
        station,
    )

    async with subscriber(platform) as session:
        interrupted = asyncio.create_task(first(session, INTERRUPTED, {}))
        await subscribed(platform, 1)
        expires = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=3)).isoformat()
        alert = {"unitCode": "061", "category": "DISASTER", "priority": "CRITICAL", "title": "Lũ quét",
                 "message": "Sơ tán khỏi ven suối.", "expiresAt": expires}  # fmt: skip
        alert_id = (await platform.data(ISSUE, {"input": alert}))["issueEmergencyAlert"]["id"]
        event = (await asyncio.wait_for(interrupted, 30))["events"]
    assert (event["unitCode"], event["data"]["slot_id"]) == (commune, shown["slotId"])
    assert (event["data"]["bulletin_kind"], event["data"]["bulletin_id"]) == ("alert", alert_id.split(":", 1)[1])

    raw = station.split(":", 1)[1]
    year = str(today.year)

    async def schedule() -> dict[str, Any] | None:
        answer = await platform.http.get(
            "/api/v1/broadcast-schedules", params={"station_id": raw, "period": year}, headers=platform.auth("reader")
        )
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found if found["interruptions"] else None

    rest = await platform.eventually(schedule)
    assert [i["slot_id"] for i in rest["interruptions"]] == [shown["slotId"]]
    adherence = await platform.data(
        f'{{ scheduleAdherence(unitCode: "061", period: "{year}") '
        "{ interruptionCount plannedMinutes children { unitCode interruptionCount } } }"
    )
    assert adherence["scheduleAdherence"]["interruptionCount"] == 1
    assert adherence["scheduleAdherence"]["children"] == [{"unitCode": commune, "interruptionCount": 1}]

    week_ago, yesterday = (today - datetime.timedelta(days=n) for n in (7, 1))
    for past in (week_ago, yesterday):  # in the slot a week ago; yesterday is another weekday
        relay = {"stationId": station, "source": "VOV1", "startedAt": f"{past.isoformat()}T05:00:00+07:00",
                 "endedAt": f"{past.isoformat()}T06:00:00+07:00"}  # fmt: skip
        await platform.data(RECORD_RELAY, {"input": relay})

    async def flagged() -> list[bool] | None:
        window = {"from": week_ago.isoformat(), "to": yesterday.isoformat()}
        edges = (await platform.data(SESSIONS, window))["relaySessions"]["edges"]
        return [e["node"]["outsideSchedule"] for e in edges] if len(edges) == 2 else None

    assert await platform.eventually(flagged) == [False, True]

    path = f"/api/v1/broadcast-schedules/{raw}"
    headers = {**platform.auth(), "idempotency-key": f"day-slot-{raw}"}
    day = {"on": today.isoformat(), "starts": "05:00", "ends": "06:00", "kind": "local", "reason": "Họp dân"}
    refused = await platform.http.post(f"{path}/day-slots", json=day, headers=headers)
    assert (refused.status_code, refused.json()["code"]) == (409, "schedule_overlap")
    cancelled = {"on": today.isoformat(), "reason": "Phát trực tiếp hội nghị"}
    cancel = await platform.http.post(f"{path}/slots/{shown['slotId']}/cancel", json=cancelled, headers=platform.auth())
    assert cancel.status_code == 201, cancel.text
    first_day_slot = await platform.http.post(f"{path}/day-slots", json=day, headers=headers)
    again = await platform.http.post(f"{path}/day-slots", json=day, headers=headers)
    assert (first_day_slot.status_code, again.status_code) == (201, 201), first_day_slot.text
    assert again.json() == {**first_day_slot.json(), "replayed": True}
    for route, body, status, code in (
        (f"{path}/slots", {"weekday": 9, "starts": "05:00", "ends": "06:00", "kind": "relay", "source": "VOV1"}, 400,
         "invalid_weekday"),
        (f"{path}/slots/no-such-slot/remove", {}, 404, "unknown_schedule_slot"),
        ("/api/v1/broadcast-schedules/no-such-station/slots", {"weekday": 1, "starts": "05:00", "ends": "06:00",
                                                              "kind": "local"}, 404, "unknown_station"),
        (f"{path}/slots", {"weekday": 1, "starts": "5h", "ends": "06:00", "kind": "local"}, 400, "invalid_time_of_day"),
    ):  # fmt: skip
        answer = await platform.http.post(route, json=body, headers=platform.auth())
        assert (answer.status_code, answer.json()["code"]) == (status, code), f"{route}: {answer.text}"
    monday = {"weekday": 1, "starts": "05:00", "ends": "06:00", "kind": "local"}
    reader = await platform.http.post(f"{path}/slots", json=monday, headers=platform.auth("reader"))
    assert (reader.status_code, reader.json()["code"]) == (403, "forbidden")

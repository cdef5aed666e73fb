"""Broadcast schedules through the broadcast service's HTTP API (real database and broker): who
may edit a station's schedule, overlaps refused, exceptions for a day, planned against aired
minutes rolled up the unit tree, relays outside the schedule flagged, and an emergency alert
pre-empting the slot on air once, however often the policy sees it."""

from __future__ import annotations

import datetime
from typing import Any

import asyncpg

from contracts.envelope import Metadata
from contracts.province import PROVINCE_TZ
from libs.common.db import create_pool
from libs.common.principal import Principal
from libs.common.projections.rebuild import rebuild
from services.broadcast.application.preemption import preempt
from services.broadcast.domain.schedules import Interrupt
from services.broadcast.entrypoints.preemption_policy import PreemptionPolicy
from tests.integration.broadcast.conftest import Platform, Province

WRITE = frozenset({"broadcast:write", "read"})
DISTRICT = Principal(subject="ttvh:061", partner="TTVH-061", scopes=WRITE, unit_code="061")
OTHER_DISTRICT = Principal(subject="ttvh:062", partner="TTVH-062", scopes=WRITE, unit_code="062")
VNPT = Principal(subject="vnpt:noc", partner="VNPT", scopes=WRITE, organisation="VNPT")
ISSUER = Principal(subject="ioc:duty-officer", scopes=frozenset({"alerts:issue", "read"}))

MORNING = {"weekday": 1, "starts": "05:00", "ends": "06:00", "kind": "relay", "source": "VOV1"}
"""Mondays, 05:00 to 06:00, VOV1: in March 2022, the 7th, 14th, 21st and 28th."""


async def add_slot(
    platform: Platform, station: str, body: dict[str, Any], expect: int = 201, principal: Principal = DISTRICT
) -> dict[str, Any]:
    return await platform.command(f"stations/{station}/schedule/slots", body, expect=expect, principal=principal)


def session(station: str, start: str, end: str) -> dict[str, str]:
    return {"station_id": station, "source": "VOV1", "started_at": start, "ended_at": end}


async def test_a_district_edits_its_stations_schedule_and_overlaps_and_outsiders_are_refused(
    platform: Platform, province: Province
) -> None:
    one = province.stations["00001"]
    first = await add_slot(platform, one, {**MORNING, "valid_from": "2022-02-28"})
    [slot_id] = first["ids"]
    evening = {"weekday": 1, "starts": "17:00", "ends": "18:00", "kind": "local", "title": "Chương trình xã"}
    await add_slot(platform, one, {**evening, "valid_from": "2022-02-28"})
    overlap = await add_slot(platform, one, {**MORNING, "starts": "05:30", "ends": "06:30"}, expect=409)
    assert (overlap["code"], overlap["details"]["overlaps"]) == ("schedule_overlap", [slot_id])
    outside = await add_slot(platform, one, {**MORNING, "weekday": 2}, expect=403, principal=OTHER_DISTRICT)
    assert outside["code"] == "outside_own_unit"
    operator = await add_slot(platform, one, {**MORNING, "weekday": 2}, expect=403, principal=VNPT)
    assert operator["code"] == "operator_cannot_edit_schedule"
    assert (await add_slot(platform, "no-such-station", MORNING, expect=404))["code"] == "unknown_station"
    assert (await add_slot(platform, one, {**MORNING, "ends": "04:00"}, expect=400))["code"] == (
        "slot_ends_before_start"
    )

    retry = {"Idempotency-Key": "slot-tuesday-1"}
    path = f"/commands/stations/{one}/schedule/slots"
    tuesday = {**MORNING, "weekday": 2, "valid_from": "2022-02-28"}
    answers = [
        await platform.broadcast.post(path, json=tuesday, headers=retry, auth=platform.auth(DISTRICT)) for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json()["ids"] == answers[1].json()["ids"]

    cancel = {"on": "2022-03-07", "reason": "Hội nghị huyện phát trực tiếp"}
    await platform.command(f"stations/{one}/schedule/slots/{slot_id}/cancel", cancel, principal=DISTRICT)
    day_slot = {"on": "2022-03-07", "starts": "05:30", "ends": "06:30", "kind": "relay", "source": "PROVINCIAL"}
    await platform.command(f"stations/{one}/schedule/day-slots", day_slot, principal=DISTRICT)
    await platform.caught_up()
    schedule = await platform.get(f"/stations/{one}/schedule", period="2022-03")
    slots = {(s["weekday"], s["on"], s["starts"]): s for s in schedule["slots"]}
    assert sorted(slots, key=str) == sorted(
        [(1, None, "05:00"), (1, None, "17:00"), (2, None, "05:00"), (None, "2022-03-07", "05:30")], key=str
    )
    assert slots[(1, None, "05:00")]["cancelled_on"] == ["2022-03-07"]
    # four Mondays of two 60-minute slots, one morning cancelled, one 60-minute day slot; five Tuesdays
    assert schedule["planned_minutes"] == 4 * 120 - 60 + 60 + 5 * 60

    await platform.command(
        f"stations/{one}/schedule/slots/{slot_id}/remove", {"valid_from": "2022-03-14"}, principal=DISTRICT
    )
    await platform.caught_up()
    after = await platform.get(f"/stations/{one}/schedule", period="2022-03")
    assert after["planned_minutes"] == schedule["planned_minutes"] - 3 * 60  # the 14th, 21st and 28th


async def test_planned_against_aired_minutes_roll_up_and_relays_outside_the_schedule_are_flagged(
    platform: Platform, province: Province
) -> None:
    one, two = province.stations["00001"], province.stations["00002"]
    await add_slot(platform, one, {**MORNING, "valid_from": "2022-02-28"})
    await platform.command(
        "relay-sessions/record",
        {
            "sessions": [
                session(one, "2022-03-07T05:00:00+07:00", "2022-03-07T06:30:00+07:00"),  # 60 of 90 in the slot
                session(one, "2022-03-08T10:00:00+07:00", "2022-03-08T11:00:00+07:00"),  # a Tuesday: outside
                session(two, "2022-03-07T10:00:00+07:00", "2022-03-07T11:00:00+07:00"),  # no schedule: no flag
            ]
        },
    )
    await platform.caught_up()
    station = await platform.get(f"/stations/{one}/schedule", period="2022-03")
    figures = ("planned_minutes", "aired_minutes", "aired_in_schedule_minutes", "sessions_outside_schedule")
    assert [station[f] for f in figures] == [240, 150, 60, 1]

    district = await platform.get("/schedule-adherence/units/061", period="2022-03")
    assert [district[f] for f in figures] == [240, 210, 60, 1]
    parts = {c["unit_code"]: [c[f] for f in figures] for c in district["children"]}
    assert parts == {"00001": [240, 150, 60, 1], "00002": [0, 60, 0, 0]}
    province_wide = await platform.get("/schedule-adherence/units/06", period="2022-03")
    assert {c["unit_code"]: c["aired_minutes"] for c in province_wide["children"]} == {"061": 210, "062": 0}

    sessions = await platform.get(f"/stations/{one}/relay-sessions", period="2022-03")
    assert [s["outside_schedule"] for s in sessions] == [False, True]
    listed = await platform.get("/relay-sessions", unit_code="061", from_date="2022-03-01", to_date="2022-03-31")
    assert sorted((s["station_id"] == one, s["outside_schedule"]) for s in listed["sessions"]) == [
        (False, False), (True, False), (True, True),
    ]  # fmt: skip


async def test_an_emergency_alert_pre_empts_the_slot_on_air_once(platform: Platform, province: Province) -> None:
    one, two = province.stations["00001"], province.stations["00002"]
    today = datetime.datetime.now(PROVINCE_TZ).date()
    all_day = {"weekday": today.isoweekday(), "starts": "00:00", "ends": "24:00", "kind": "relay", "source": "VOV1"}
    [slot_id] = (await add_slot(platform, one, {**all_day, "valid_from": (today - datetime.timedelta(7)).isoformat()}))[
        "ids"
    ]
    expires = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=2)).isoformat()
    alert = {"unit_code": "061", "category": "disaster", "priority": "critical", "title": "Lũ quét",
             "message": "Sơ tán các hộ ven sông Năng.", "expires_at": expires}  # fmt: skip
    alert_id = (await platform.command("alerts/issue", alert, principal=ISSUER))["ids"][0]

    async def interrupted() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = (await platform.get(f"/stations/{one}/schedule", period=str(today.year)))[
            "interruptions"
        ]
        return found

    [interruption] = await platform.eventually(interrupted, timeout=30)
    assert (interruption["slot_id"], interruption["bulletin_kind"], interruption["bulletin_id"]) == (
        slot_id, "alert", alert_id,
    )  # fmt: skip
    assert interruption["on"] == today.isoformat()
    assert (await platform.get(f"/stations/{two}/schedule", period=str(today.year)))["interruptions"] == []

    # The policy replays every event (a rebuild), and sees the alert once more (a redelivery):
    # the schedule takes it once.
    pool = await create_pool(platform.database_url, service="test-rebuild", max_size=2)
    try:
        policy = PreemptionPolicy()
        topics = {service: platform.settings.topic(service) for service in policy.sources}
        replayed = await rebuild(policy, pool, topics=topics, partitions=platform.settings.kafka_partitions)
    finally:
        await pool.close()
    assert replayed.done >= 2  # the alert's two dispatches
    conn = await asyncpg.connect(platform.database_url)
    try:
        again = Interrupt(at=datetime.datetime.fromisoformat(interruption["interrupted_at"]), bulletin_kind="alert",
                          bulletin_id=alert_id)  # fmt: skip
        assert await preempt(conn, one, again, Metadata(actor="test")) == "recorded_before"
        types = await conn.fetch(
            "SELECT type FROM broadcast.events WHERE stream_id = $1 ORDER BY version", f"schedule-{one}"
        )
        logged = await conn.fetch("SELECT station_id, outcome FROM broadcast_preemption.bulletins ORDER BY station_id")
    finally:
        await conn.close()
    assert [t["type"] for t in types] == ["broadcast.schedule_slot_added", "broadcast.schedule_interrupted"]
    assert sorted((r["station_id"], r["outcome"]) for r in logged) == sorted(
        [(one, "recorded_before"), (two, "outside_slots")]
    )  # what the rebuild found: the interruption recorded before it, and no slot at the other station

"""Programmes and their distribution through the HTTP API: corrections as events, deliveries
sent -> received -> aired or failed, late and missing deliveries per station, the area rule,
cursor pagination and district centres confined to their own unit."""

from __future__ import annotations

import datetime

from libs.common.principal import Principal
from tests.integration.broadcast.conftest import Platform, Province

BA_BE_CENTRE = Principal(subject="ba-be-centre", scopes=frozenset({"broadcast:write", "read"}), unit_code="061")


def programme(n: int = 1, unit_code: str = "061") -> dict[str, object]:
    return {
        "unit_code": unit_code,
        "title": f"Chương trình số {n}",
        "air_date": f"2022-03-{n:02d}",
        "duration_seconds": 1800,
        "news_items": 2,
        "articles": 1,
        "items": [
            {"kind": "news", "title": "Tin 1", "topic": "Covid-19"},
            {"kind": "news", "title": "Tin 2"},
            {"kind": "article", "title": "Bài 1"},
        ],
        "segments": ["Xây dựng Đảng"],
    }


def at(hours_from_now: float) -> str:
    return (datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=hours_from_now)).isoformat()


async def test_a_correction_replaces_the_fields_it_names(platform: Platform, province: Province) -> None:
    recorded = await platform.command("programmes/record", programme())
    [programme_id] = recorded["ids"]
    await platform.command(
        f"programmes/{programme_id}/correct",
        {"reason": "typo", "title": "Chương trình đã sửa", "duration_seconds": 1500},
    )
    empty = await platform.command(f"programmes/{programme_id}/correct", {"reason": "nothing"}, expect=400)
    assert empty["code"] == "empty_correction"
    mismatch = await platform.command(
        f"programmes/{programme_id}/correct", {"reason": "x", "news_items": 5}, expect=400
    )
    assert mismatch["code"] == "item_counts_mismatch"
    await platform.caught_up()
    page = await platform.get("/programmes", unit_code="061")
    [view] = page["programmes"]
    assert (view["title"], view["duration_seconds"], view["corrections"]) == ("Chương trình đã sửa", 1500, 1)
    summary = await platform.get("/programmes/summary", unit_code="06", period="2022")
    assert (summary["programmes"], summary["news_items"], summary["articles"], summary["duration"]) == (
        1, 2, 1, "0 h 25 min",
    )  # fmt: skip
    assert summary["segments"] == {"Xây dựng Đảng": 1}
    assert summary["topics"] == [{"topic": "Covid-19", "news_items": 1, "articles": 0}]


async def test_deliveries_move_through_their_states_and_late_or_missing_ones_show_per_station(
    platform: Platform, province: Province
) -> None:
    [programme_id] = (await platform.command("programmes/record", programme()))["ids"]
    one, two = province.stations["00001"], province.stations["00002"]
    outside = await platform.command(
        f"programmes/{programme_id}/send",
        {"station_ids": [one, province.stations["00003"]], "due_at": at(-1)},
        expect=400,
    )
    assert outside["code"] == "station_outside_programme_area"
    await platform.command(
        f"programmes/{programme_id}/send", {"station_ids": [one, two], "sent_at": at(-3), "due_at": at(-1)}
    )
    await platform.command(f"deliveries/{programme_id}/{one}/receive", {"at": at(-2)})
    not_received = await platform.command(f"deliveries/{programme_id}/{two}/air", {}, expect=409)
    assert not_received["code"] == "invalid_delivery_transition"
    no_reason = await platform.command(f"deliveries/{programme_id}/{two}/fail", {}, expect=400)
    assert no_reason["code"] == "missing_field"
    await platform.command(f"deliveries/{programme_id}/{one}/air", {"at": at(-0.5)})
    await platform.caught_up()
    [entry] = await platform.query("deliveries", {"programme_ids": [programme_id]})
    states = {d["station_id"]: (d["status"], d["timeliness"]) for d in entry["deliveries"]}
    assert states == {one: ("aired", "late"), two: ("sent", "missing")}
    problems = await platform.query("station-deliveries", {"station_ids": [two, one], "problems_only": True})
    assert [p["key"] for p in problems] == [two, one]
    assert [d["timeliness"] for d in problems[0]["deliveries"]] == ["missing"]


async def test_programmes_page_with_a_cursor(platform: Platform, province: Province) -> None:
    for n in range(1, 6):
        await platform.command("programmes/record", programme(n))
    await platform.caught_up()
    first = await platform.get("/programmes", unit_code="061", limit=2)
    second = await platform.get("/programmes", unit_code="061", limit=2, cursor=first["next_cursor"])
    third = await platform.get("/programmes", unit_code="061", limit=2, cursor=second["next_cursor"])
    titles = [p["title"] for page in (first, second, third) for p in page["programmes"]]
    assert titles == [f"Chương trình số {n}" for n in range(1, 6)]
    assert third["next_cursor"] is None
    assert [page["total_count"] for page in (first, second, third)] == [5, 5, 5]
    window = await platform.get("/programmes", from_date="2022-03-02", to_date="2022-03-03")
    assert len(window["programmes"]) == 2
    assert window["total_count"] == 2
    empty = await platform.get("/programmes", from_date="2030-01-01")
    assert (empty["programmes"], empty["total_count"]) == ([], 0)
    ids = [p["programme_id"] for p in (third["programmes"][0], first["programmes"][0])]
    by_id = await platform.broadcast.post("/queries/programmes", json={"programme_ids": [*ids, "unknown"]})
    assert by_id.status_code == 200, by_id.text
    assert [p["programme_id"] for p in by_id.json()] == ids
    bad = await platform.get("/programmes", expect=400, cursor="not-a-cursor")
    assert bad["code"] == "invalid_cursor"


async def test_a_district_centre_writes_only_for_its_own_district(platform: Platform, province: Province) -> None:
    await platform.command("programmes/record", programme(1, "061"), principal=BA_BE_CENTRE)
    refused = await platform.command("programmes/record", programme(2, "062"), principal=BA_BE_CENTRE, expect=403)
    assert refused["code"] == "outside_own_unit"
    relay = {
        "station_id": province.stations["00003"],
        "source": "VOV1",
        "started_at": "2022-03-01T05:00:00+07:00",
        "ended_at": "2022-03-01T06:00:00+07:00",
    }
    refused_relay = await platform.command(
        "relay-sessions/record", {"sessions": [relay]}, principal=BA_BE_CENTRE, expect=403
    )
    assert refused_relay["code"] == "outside_own_unit"
    reader_only = Principal(subject="reader", scopes=frozenset({"read"}))
    no_scope = await platform.command("programmes/record", programme(3), principal=reader_only, expect=403)
    assert no_scope["code"] == "forbidden"
    commune = await platform.command("programmes/record", programme(4, "00001"), expect=400)
    assert commune["code"] == "invalid_producer_unit"


async def test_outreach_sessions_and_vehicle_trips_per_unit_and_date(platform: Platform, province: Province) -> None:
    await platform.command("outreach/sessions/record", {"unit_code": "00001", "held_on": "2022-04-01", "audience": 120})
    await platform.command("outreach/sessions/record", {"unit_code": "00002", "held_on": "2022-04-01"})
    await platform.command("outreach/vehicle-trips/record", {"unit_code": "061", "made_on": "2022-04-02"})
    await platform.command("outreach/vehicle-trips/record", {"unit_code": "00003", "made_on": "2022-04-02"})
    future = await platform.command(
        "outreach/sessions/record", {"unit_code": "00001", "held_on": "2999-01-01"}, expect=400
    )
    assert future["code"] == "date_in_future"
    await platform.caught_up()
    report = await platform.get("/outreach", unit_code="061", period="2022Q2")
    assert (report["sessions"], report["vehicle_trips"]) == (2, 1)
    assert [(d["unit_code"], d["on_date"]) for d in report["days"]] == [
        ("00001", "2022-04-01"), ("00002", "2022-04-01"), ("061", "2022-04-02"),
    ]  # fmt: skip


async def test_reads_need_a_principal_that_may_read(platform: Platform, province: Province) -> None:
    anonymous = await platform.broadcast.get("/programmes", headers={"x-tinhso-principal": ""})
    assert anonymous.status_code == 401
    metrics_writer = Principal(subject="metrics-bot", scopes=frozenset({"metrics:write"}))
    refused = await platform.broadcast.get("/programmes", auth=platform.auth(metrics_writer))
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    allowed = await platform.broadcast.get("/programmes", auth=platform.auth(BA_BE_CENTRE))
    assert allowed.status_code == 200
    bad_period = await platform.get("/programmes/summary", expect=400, unit_code="061", period="2022Q5")
    assert bad_period["code"] == "invalid_period"

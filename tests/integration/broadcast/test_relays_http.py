"""Relay sessions through the HTTP API: airtime per station and per unit, split at local
midnight, overlaps and bad input refused whole, corrections by cancellation."""

from __future__ import annotations

from tests.integration.broadcast.conftest import Platform, Province


def session(station: str, start: str, end: str, source: str = "VOV1") -> dict[str, str]:
    return {"station_id": station, "source": source, "started_at": start, "ended_at": end}


async def test_a_session_across_midnight_and_a_year_end_counts_on_each_side(
    platform: Platform, province: Province
) -> None:
    station = province.stations["00001"]
    await platform.command(
        "relay-sessions/record",
        {"sessions": [session(station, "2022-12-31T23:00:00+07:00", "2023-01-01T01:30:00+07:00")]},
    )
    await platform.caught_up()
    [y2022] = await platform.query("airtime/stations", {"station_ids": [station], "period": "2022"})
    [jan] = await platform.query("airtime/stations", {"station_ids": [station], "period": "2023-01"})
    assert (y2022["total_seconds"], y2022["total"]) == (3600, "1 h 00 min")
    assert (jan["total_seconds"], jan["total"]) == (5400, "1 h 30 min")


async def test_airtime_rolls_up_from_communes_to_district_and_province(platform: Platform, province: Province) -> None:
    one, two, three = (province.stations[c] for c in ("00001", "00002", "00003"))
    await platform.command(
        "relay-sessions/record",
        {
            "sessions": [
                session(one, "2022-03-01T05:00:00+07:00", "2022-03-01T07:00:00+07:00"),
                session(two, "2022-03-01T05:00:00+07:00", "2022-03-01T06:15:00+07:00"),
                session(two, "2022-03-01T19:00:00+07:00", "2022-03-01T19:45:00+07:00", "VTV1"),
                session(three, "2022-03-02T05:00:00+07:00", "2022-03-02T06:00:00+07:00"),
            ]
        },
    )
    await platform.caught_up()
    district = await platform.get("/airtime/units/061", period="2022Q1")
    assert {s["source"]: s["duration"] for s in district["sources"]} == {"VOV1": "3 h 15 min", "VTV1": "0 h 45 min"}
    assert {c["unit_code"]: c["total_seconds"] for c in district["children"]} == {"00001": 7200, "00002": 4500 + 2700}
    province_total = await platform.get("/airtime/units/06", period="2022-03")
    assert province_total["total_seconds"] == 7200 + 7200 + 3600
    assert {c["unit_code"]: c["total_seconds"] for c in province_total["children"]} == {"061": 14400, "062": 3600}
    elsewhere = await platform.get("/airtime/units/06", period="2022-04")
    assert elsewhere["total_seconds"] == 0


async def test_an_overlapping_session_refuses_the_whole_batch(platform: Platform, province: Province) -> None:
    station = province.stations["00001"]
    await platform.command(
        "relay-sessions/record",
        {"sessions": [session(station, "2022-05-01T05:00:00+07:00", "2022-05-01T07:00:00+07:00")]},
    )
    refused = await platform.command(
        "relay-sessions/record",
        {
            "sessions": [
                session(province.stations["00002"], "2022-05-01T05:00:00+07:00", "2022-05-01T06:00:00+07:00"),
                session(station, "2022-05-01T06:59:00+07:00", "2022-05-01T08:00:00+07:00", "VTV1"),
            ]
        },
        expect=409,
    )
    assert refused["code"] == "relay_overlap"
    # Back to back is not an overlap.
    await platform.command(
        "relay-sessions/record",
        {"sessions": [session(station, "2022-05-01T07:00:00+07:00", "2022-05-01T08:00:00+07:00")]},
    )
    await platform.caught_up()
    [other] = await platform.query("airtime/stations", {"station_ids": [province.stations["00002"]], "period": "2022"})
    assert other["total_seconds"] == 0  # nothing of the refused batch was applied


async def test_bad_sessions_are_4xx_with_a_code(platform: Platform, province: Province) -> None:
    station = province.stations["00001"]
    cases = {
        "session_ends_before_start": session(station, "2022-05-01T07:00:00+07:00", "2022-05-01T05:00:00+07:00"),
        "session_too_long": session(station, "2022-05-01T05:00:00+07:00", "2022-05-02T05:00:01+07:00"),
        "naive_datetime": session(station, "2022-05-01T05:00:00", "2022-05-01T06:00:00"),
        "unknown_station": session("no-such-station", "2022-05-01T05:00:00+07:00", "2022-05-01T06:00:00+07:00"),
    }
    for code, body in cases.items():
        refused = await platform.command(
            "relay-sessions/record", {"sessions": [body]}, expect=404 if "unknown" in code else 400
        )
        assert refused["code"] == code, refused
    wrong_source = await platform.command(
        "relay-sessions/record", {"sessions": [{**cases["session_too_long"], "source": "BBC"}]}, expect=400
    )
    assert wrong_source["code"] == "invalid_request"


async def test_a_cancelled_session_no_longer_counts_and_frees_its_time(platform: Platform, province: Province) -> None:
    station = province.stations["00001"]
    recorded = await platform.command(
        "relay-sessions/record",
        {"sessions": [session(station, "2022-06-01T05:00:00+07:00", "2022-06-01T07:00:00+07:00")]},
    )
    [session_id] = recorded["ids"]
    await platform.command(f"relay-sessions/{session_id}/cancel", {"reason": "wrong station"})
    await platform.command(
        "relay-sessions/record",
        {"sessions": [session(station, "2022-06-01T06:00:00+07:00", "2022-06-01T06:30:00+07:00")]},
    )
    await platform.caught_up()
    [airtime] = await platform.query("airtime/stations", {"station_ids": [station], "period": "2022-06"})
    assert airtime["total_seconds"] == 1800

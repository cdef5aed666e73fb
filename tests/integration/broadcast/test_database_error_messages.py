"""An overlapping relay session is told in the caller's terms, never PostgreSQL's.

Failed before the fix: the 409's ``details.conflict`` was the exclusion constraint's DETAIL,
``Key (station_id, during)=(…, ["2022-05-01 …","…")) conflicts with existing key (…)``: the
table's column names, its range type and another session's times, as PostgreSQL wrote them.
"""

from __future__ import annotations

from typing import Any

from tests.integration.broadcast.conftest import Platform, Province

LEAKS = ("Key (", "conflicts with existing key", "relay_sessions_do_not_overlap", "during", "tstzrange", "[)")


def session(station: str, start: str, end: str) -> dict[str, str]:
    return {"station_id": station, "source": "VOV1", "started_at": start, "ended_at": end}


def _no_leaks(refused: dict[str, Any]) -> None:
    text = repr(refused)
    for leak in LEAKS:
        assert leak not in text, leak


async def test_an_overlap_with_a_recorded_session_names_that_session(platform: Platform, province: Province) -> None:
    station = province.stations["00001"]
    recorded = await platform.command(
        "relay-sessions/record",
        {"sessions": [session(station, "2022-05-01T05:00:00+07:00", "2022-05-01T07:00:00+07:00")]},
    )
    refused = await platform.command(
        "relay-sessions/record",
        {
            "sessions": [
                session(province.stations["00002"], "2022-05-01T05:00:00+07:00", "2022-05-01T06:00:00+07:00"),
                session(station, "2022-05-01T06:59:00+07:00", "2022-05-01T08:00:00+07:00"),
            ]
        },
        expect=409,
    )
    assert refused["code"] == "relay_overlap"
    _no_leaks(refused)
    assert refused["details"] == {"overlaps": [{"index": 1, "station_id": station, "session_id": recorded["ids"][0]}]}


async def test_two_overlapping_sessions_of_one_batch_name_each_other(platform: Platform, province: Province) -> None:
    station = province.stations["00003"]
    refused = await platform.command(
        "relay-sessions/record",
        {
            "sessions": [
                session(station, "2022-06-01T05:00:00+07:00", "2022-06-01T07:00:00+07:00"),
                session(station, "2022-06-01T06:00:00+07:00", "2022-06-01T08:00:00+07:00"),
            ]
        },
        expect=409,
    )
    _no_leaks(refused)
    assert refused["details"] == {"overlaps": [{"index": 1, "station_id": station, "other_index": 0}]}

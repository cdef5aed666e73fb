"""Two writers at once, and retries: overlap is settled by the database, concurrent signal
batches queue on the clusters' rows, and an Idempotency-Key replays the first answer."""

from __future__ import annotations

import asyncio
import datetime

import asyncpg

from tests.integration.broadcast.conftest import Platform, Province


async def test_of_two_concurrent_overlapping_sessions_exactly_one_is_recorded(
    platform: Platform, province: Province
) -> None:
    station = province.stations["00001"]

    async def write(source: str) -> int:
        body = {
            "sessions": [
                {
                    "station_id": station,
                    "source": source,
                    "started_at": "2022-07-01T05:00:00+07:00",
                    "ended_at": "2022-07-01T06:00:00+07:00",
                }
            ]
        }
        response = await platform.broadcast.post("/commands/relay-sessions/record", json=body)
        return response.status_code

    for _ in range(3):
        statuses = sorted(await asyncio.gather(write("VOV1"), write("VTV1")))
        assert statuses in ([201, 409], [409, 409])
    await platform.caught_up()
    [airtime] = await platform.query("airtime/stations", {"station_ids": [station], "period": "2022-07"})
    assert airtime["total_seconds"] == 3600


async def test_concurrent_signal_batches_on_the_same_clusters_log_each_change_once(
    platform: Platform, province: Province
) -> None:
    await platform.command("signal/configure", {"silence_threshold_seconds": 3600})
    now = datetime.datetime.now(datetime.UTC)
    reports = [
        {"cluster_id": c, "kind": "NO_SIGNAL", "observed_at": (now - datetime.timedelta(seconds=n)).isoformat()}
        for c in province.clusters
        for n in range(1, 4)
    ]
    answers = await asyncio.gather(*(platform.command("signal/report", {"reports": reports}) for _ in range(4)))
    assert sorted(c for a in answers for c in a["ids"]) == sorted(province.clusters)
    conn = await asyncpg.connect(platform.database_url)
    try:
        lost = await conn.fetchval("SELECT count(*) FROM broadcast.events WHERE type = 'broadcast.cluster_signal_lost'")
    finally:
        await conn.close()
    assert lost == len(province.clusters)


async def test_an_idempotency_key_replays_the_first_answer_with_the_same_ids(
    platform: Platform, province: Province
) -> None:
    body = {
        "unit_code": "061",
        "title": "Bản tin",
        "air_date": "2022-08-01",
        "duration_seconds": 600,
        "news_items": 1,
        "articles": 0,
    }
    headers = {"idempotency-key": "programme-2022-08-01"}
    first = await platform.broadcast.post("/commands/programmes/record", json=body, headers=headers)
    again = await platform.broadcast.post("/commands/programmes/record", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["ids"] == again.json()["ids"]
    assert again.json()["replayed"] is True
    other = await platform.broadcast.post(
        "/commands/programmes/record", json={**body, "title": "Khác"}, headers=headers
    )
    assert other.status_code == 409
    await platform.caught_up()
    page = await platform.get("/programmes", unit_code="061")
    assert [p["programme_id"] for p in page["programmes"]] == first.json()["ids"]


async def test_two_batches_touching_the_same_stations_in_opposite_orders_never_deadlock(
    platform: Platform, province: Province
) -> None:
    one, two = province.stations["00001"], province.stations["00002"]

    def slot(station: str, day: int) -> dict[str, str]:
        return {
            "station_id": station,
            "source": "VOV1",
            "started_at": f"2022-09-{day:02d}T05:00:00+07:00",
            "ended_at": f"2022-09-{day:02d}T06:00:00+07:00",
        }

    for day in range(1, 6):
        forward = platform.broadcast.post(
            "/commands/relay-sessions/record", json={"sessions": [slot(one, day), slot(two, day)]}
        )
        backward = platform.broadcast.post(
            "/commands/relay-sessions/record", json={"sessions": [slot(two, day), slot(one, day)]}
        )
        statuses = sorted(r.status_code for r in await asyncio.gather(forward, backward))
        assert statuses == [201, 409]

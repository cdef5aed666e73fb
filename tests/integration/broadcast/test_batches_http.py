"""Bulk batches of signal reports and relay sessions: each item its own result, a retry does
nothing twice, a refused item leaves no trace and does not stop the others (ADR 0040)."""

from __future__ import annotations

from typing import Any

import asyncpg

from libs.common.principal import Principal
from tests.integration.broadcast.conftest import Platform, Province

BA_BE = Principal(subject="ba-be-centre", scopes=frozenset({"broadcast:write", "read"}), unit_code="061")


def session(station: str, start: str, end: str, **extra: Any) -> dict[str, Any]:
    return {"station_id": station, "source": "VOV1", "started_at": start, "ended_at": end, **extra}


async def count(platform: Platform, sql: str) -> int:
    conn = await asyncpg.connect(platform.database_url)
    try:
        value: int = await conn.fetchval(sql)
        return value
    finally:
        await conn.close()


async def test_each_relay_session_gets_its_own_result_and_a_retry_does_nothing_twice(
    platform: Platform, province: Province
) -> None:
    one, three = province.stations["00001"], province.stations["00003"]
    items = [
        session(one, "2022-05-01T05:00:00+07:00", "2022-05-01T06:00:00+07:00"),
        session(one, "2022-05-01T05:30:00+07:00", "2022-05-01T06:30:00+07:00"),  # overlaps item 0
        session("no-such-station", "2022-05-01T05:00:00+07:00", "2022-05-01T06:00:00+07:00"),
        session(one, "2022-05-01T08:00:00+07:00", "2022-05-01T07:00:00+07:00"),  # ends before it starts
        session(three, "2022-05-01T06:00:00+07:00", "2022-05-01T07:00:00+07:00", key="pac-nam-0501"),
        session(one, "2022-05-01T06:00:00+07:00", "2022-05-01T07:00:00+07:00"),  # back to back with item 0
    ]
    first = await platform.command("batches/relay-sessions", {"items": items}, expect=200)
    statuses = [(i["index"], i["status"], i.get("code")) for i in first["items"]]
    assert statuses == [
        (0, "accepted", None),
        (1, "rejected", "relay_overlap"),
        (2, "rejected", "unknown_station"),
        (3, "rejected", "session_ends_before_start"),
        (4, "accepted", None),
        (5, "accepted", None),
    ]
    assert (first["accepted"], first["duplicate"], first["rejected"]) == (3, 0, 3)
    assert first["items"][1]["details"]["other_index"] == 0
    assert first["items"][4]["key"] == "pac-nam-0501"

    again = await platform.command("batches/relay-sessions", {"items": items}, expect=200)
    assert [i["status"] for i in again["items"]] == [
        "duplicate", "rejected", "rejected", "rejected", "duplicate", "duplicate",
    ]  # fmt: skip
    assert [i.get("ids") for i in again["items"]] == [i.get("ids") for i in first["items"]]
    recorded = "SELECT count(*) FROM broadcast.events WHERE type = 'broadcast.relay_session_recorded'"
    assert await count(platform, recorded) == 3
    assert await count(platform, "SELECT count(*) FROM broadcast.relay_index") == 3

    # An item's key used again for another item is refused, not answered with the first's result.
    reused = session(three, "2022-06-01T06:00:00+07:00", "2022-06-01T07:00:00+07:00", key="pac-nam-0501")
    answer = await platform.command("batches/relay-sessions", {"items": [reused]}, expect=200)
    assert answer["items"][0]["code"] == "idempotency_key_reused"

    # A session overlapping one recorded by an earlier batch is rejected alone.
    clash = session(one, "2022-05-01T05:59:00+07:00", "2022-05-01T06:01:00+07:00")
    answer = await platform.command("batches/relay-sessions", {"items": [clash]}, expect=200)
    assert answer["items"][0]["code"] == "relay_overlap"
    assert answer["items"][0]["details"]["session_id"] in {first["items"][0]["ids"][0], first["items"][5]["ids"][0]}


async def test_a_district_centre_cannot_report_for_another_district_but_its_own_items_go_in(
    platform: Platform, province: Province
) -> None:
    own, other = province.stations["00001"], province.stations["00003"]
    items = [
        session(other, "2022-07-01T05:00:00+07:00", "2022-07-01T06:00:00+07:00"),
        session(own, "2022-07-01T05:00:00+07:00", "2022-07-01T06:00:00+07:00"),
    ]
    answer = await platform.command("batches/relay-sessions", {"items": items}, expect=200, principal=BA_BE)
    assert [(i["status"], i.get("code")) for i in answer["items"]] == [
        ("rejected", "outside_own_unit"),
        ("accepted", None),
    ]


async def test_signal_reports_are_applied_per_item_and_duplicates_are_not_counted_twice(
    platform: Platform, province: Province
) -> None:
    a, b = province.clusters
    items = [
        {"cluster_id": a, "kind": "HEARTBEAT", "observed_at": "2026-01-05T08:00:00+07:00"},
        {"cluster_id": b, "kind": "NO_SIGNAL", "observed_at": "2026-01-05T08:00:00+07:00"},
        {"cluster_id": "no-such-cluster", "kind": "HEARTBEAT", "observed_at": "2026-01-05T08:00:00+07:00"},
        {"cluster_id": a, "kind": "HEARTBEAT", "observed_at": "2026-01-05T08:00:00"},  # no offset
        {"cluster_id": a, "kind": "HEARTBEAT", "observed_at": "2026-01-05T08:00:00+07:00"},  # item 0 again
    ]
    first = await platform.command("batches/signal-reports", {"items": items}, expect=200)
    assert [(i["status"], i.get("code")) for i in first["items"]] == [
        ("accepted", None),
        ("accepted", None),
        ("rejected", "unknown_cluster"),
        ("rejected", "naive_datetime"),
        ("duplicate", None),
    ]
    again = await platform.command("batches/signal-reports", {"items": items[:2]}, expect=200)
    assert [i["status"] for i in again["items"]] == ["duplicate", "duplicate"]
    reports = await count(platform, "SELECT sum(reports) FROM broadcast.cluster_signal")
    assert reports == 2
    [state_b] = await platform.query("signal/clusters", {"cluster_ids": [b]})
    assert state_b["status"] == "DOWN"


async def test_a_batch_sent_with_an_idempotency_key_header_is_answered_per_item(
    platform: Platform, province: Province
) -> None:
    """Failed before the fix (a 500): the header made the first batch's result the answer to a
    second, different batch sent with it, which has no per-item results."""
    station = province.stations["00002"]
    for day in ("01", "02"):
        body = {"items": [session(station, f"2022-08-{day}T05:00:00+07:00", f"2022-08-{day}T06:00:00+07:00")]}
        response = await platform.broadcast.post(
            "/commands/batches/relay-sessions", json=body, headers={"idempotency-key": "one-key-for-both"}
        )
        assert response.status_code == 200, response.text
        assert [i["status"] for i in response.json()["items"]] == ["accepted"]


async def test_a_retry_mixing_done_new_and_now_refused_reports_answers_each_as_its_first_run(
    platform: Platform, province: Province
) -> None:
    """Keys are claimed before they are looked up (ADR 0059): a report done before answers
    ``duplicate`` with its first ids even when its cluster would now be refused, a new one is
    applied once, and a key sent again with another report is refused."""
    a, b = province.clusters
    done = [
        {"cluster_id": a, "kind": "HEARTBEAT", "observed_at": "2026-02-01T08:00:00+07:00"},
        {"cluster_id": b, "kind": "HEARTBEAT", "observed_at": "2026-02-01T08:00:00+07:00", "key": "b-0201"},
    ]
    first = await platform.command("batches/signal-reports", {"items": done}, expect=200)
    assert [i["status"] for i in first["items"]] == ["accepted", "accepted"]
    before = await count(platform, "SELECT sum(reports) FROM broadcast.cluster_signal")

    conn = await asyncpg.connect(platform.database_url)
    try:
        await conn.execute("UPDATE broadcast_registry.clusters SET status = 'decommissioned' WHERE cluster_id = $1", b)
        retry = [
            *done,
            {"cluster_id": a, "kind": "HEARTBEAT", "observed_at": "2026-02-01T08:00:05+07:00"},
            {"cluster_id": b, "kind": "HEARTBEAT", "observed_at": "2026-02-01T08:00:05+07:00"},
            {"cluster_id": a, "kind": "NO_SIGNAL", "observed_at": "2026-02-01T08:00:09+07:00", "key": "b-0201"},
        ]
        again = await platform.command("batches/signal-reports", {"items": retry}, expect=200)
    finally:
        await conn.execute("UPDATE broadcast_registry.clusters SET status = 'active' WHERE cluster_id = $1", b)
        await conn.close()
    assert [(i["status"], i.get("code")) for i in again["items"]] == [
        ("duplicate", None),
        ("duplicate", None),
        ("accepted", None),
        ("rejected", "cluster_decommissioned"),
        ("rejected", "idempotency_key_reused"),
    ]
    assert [i["ids"] for i in again["items"][:2]] == [i["ids"] for i in first["items"]]
    assert await count(platform, "SELECT sum(reports) FROM broadcast.cluster_signal") == before + 1

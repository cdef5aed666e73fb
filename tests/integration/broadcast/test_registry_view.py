"""The broadcast service's read model of the registry answers the same whatever order the
registry's events arrive in (they come from different partitions)."""

from __future__ import annotations

import datetime
import itertools
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from contracts.base import Event
from contracts.envelope import Envelope
from contracts.registry_events import (
    RadioStationRegistered,
    RadioStationStatusChanged,
    SpeakerClusterDecommissioned,
    SpeakerClusterRegistered,
    UnitDissolved,
    UnitMerged,
    UnitRegistered,
    UnitReparented,
)
from libs.common.projections.projection import Applied, ensure_schema
from libs.common.reach import units_outside
from services.broadcast.adapters import registry_view
from services.broadcast.entrypoints.registry_projection import RegistryViewProjection

DAY = datetime.date(2020, 2, 1)
EVENTS: list[Event] = [
    UnitRegistered(unit_id="p", code="06", name="Tỉnh", level="province", valid_from=DAY),
    UnitRegistered(unit_id="d", code="061", name="Huyện", level="district", parent_id="p", valid_from=DAY),
    UnitRegistered(unit_id="c", code="00001", name="Xã", level="commune", parent_id="d", valid_from=DAY),
    RadioStationRegistered(station_id="s", unit_id="c", technology="IP"),
    SpeakerClusterRegistered(cluster_id="k1", station_id="s"),
    SpeakerClusterRegistered(cluster_id="k2", station_id="s"),
    SpeakerClusterDecommissioned(cluster_id="k2", station_id="s", effective_on=DAY),
]


def applied(event: Event) -> Applied:
    now = datetime.datetime.now(datetime.UTC)
    envelope = Envelope(
        event_id=uuid.uuid4(), stream_id="x", stream_type="x", version=1, type=event.type_name(),
        schema_version=event.SCHEMA_VERSION, occurred_at=now, recorded_at=now, tx_id=1, position=1,
    )  # fmt: skip
    return Applied(envelope=envelope, event=event)


@pytest.fixture
async def conn(fresh_database: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(fresh_database)
    try:
        yield connection
    finally:
        await connection.close()


async def answers(conn: asyncpg.Connection) -> tuple[object, ...]:
    district = await registry_view.unit_by_code(conn, "061")
    assert district is not None
    return (
        dict(sorted((await registry_view.clusters(conn, ["k1", "k2", "k3"])).items())),
        await registry_view.stations_in_area(conn, district.unit_id),
        await units_outside(conn, registry_view.TREE, district.unit_id, ["c", "d", "p"]),
    )


async def test_every_arrival_order_of_units_stations_and_clusters_gives_the_same_answers(
    conn: asyncpg.Connection,
) -> None:
    projection = RegistryViewProjection()
    seen = set()
    # The decommissioning follows its registration (one stream, one partition): keep that order.
    orders = [p for p in itertools.permutations(range(6)) if p.index(5) < 6][:40]
    for order in orders:
        await conn.execute("DROP SCHEMA IF EXISTS broadcast_registry CASCADE")
        await ensure_schema(conn, projection)
        async with conn.transaction():
            await projection.apply(conn, projection.name, [applied(EVENTS[i]) for i in order] + [applied(EVENTS[6])])
        seen.add(repr(await answers(conn)))
    assert len(seen) == 1
    clusters, stations, outside = await answers(conn)
    assert isinstance(clusters, dict)
    assert {k: (v.status, v.unit_code) for k, v in clusters.items()} == {
        "k1": ("active", "00001"),
        "k2": ("decommissioned", "00001"),
    }
    assert [s.station_id for s in stations] == ["s"]  # type: ignore[attr-defined]
    assert outside == ["p"]


async def test_a_decommissioned_station_is_left_out_of_an_alert_area(conn: asyncpg.Connection) -> None:
    projection = RegistryViewProjection()
    await ensure_schema(conn, projection)
    retired = RadioStationStatusChanged(
        station_id="s", status="DECOMMISSIONED", previous_status="OPERATIONAL", effective_on=DAY
    )
    async with conn.transaction():
        await projection.apply(conn, projection.name, [applied(e) for e in [*EVENTS[:4], retired]])
    district = await registry_view.unit_by_code(conn, "061")
    assert district is not None
    assert await registry_view.stations_in_area(conn, district.unit_id) == []


MOVED = datetime.date(2025, 7, 1)
REORGANISATION: list[Event] = [
    # 00001 moves under the province; 00002 merges into a new unit that reuses its code; 061 ends.
    UnitRegistered(unit_id="c2", code="00002", name="Xã Hai", level="commune", parent_id="d", valid_from=DAY),
    UnitReparented(unit_id="c", parent_id="p", previous_parent_id="d", effective_on=MOVED),
    UnitMerged(unit_id="c2", successor_id="n", effective_on=MOVED),
    UnitRegistered(unit_id="n", code="00002", name="Xã Mới", level="commune", parent_id="p", valid_from=MOVED),
    UnitDissolved(unit_id="d", effective_on=MOVED),
]


async def subtree(conn: asyncpg.Connection, code: str, day: datetime.date | None) -> list[str] | None:
    unit = await registry_view.unit_by_code(conn, code, day)
    if unit is None:
        return None
    rows = await conn.fetch(
        f"WITH RECURSIVE {registry_view.subtree_as_of('$2')} SELECT unit_id FROM subtree ORDER BY unit_id",
        unit.unit_id,
        day,
    )
    return [r["unit_id"] for r in rows]


async def test_the_tree_as_of_a_day_is_the_tree_that_day_also_after_a_move_is_delivered_again(
    conn: asyncpg.Connection,
) -> None:
    projection = RegistryViewProjection()
    await ensure_schema(conn, projection)
    events = [applied(e) for e in [*EVENTS[:3], *REORGANISATION]]
    async with conn.transaction():
        await projection.apply(conn, projection.name, events)
        # A move or an end delivered again changes nothing.
        await projection.apply(conn, projection.name, [events[4], events[5], events[7]])
    before = MOVED - datetime.timedelta(days=1)
    assert await subtree(conn, "061", before) == ["c", "c2", "d"]
    assert await subtree(conn, "06", before) == ["c", "c2", "d", "p"]
    assert await subtree(conn, "06", MOVED) == ["c", "n", "p"]
    assert await subtree(conn, "061", MOVED) is None  # ended that day
    assert await subtree(conn, "061", None) == ["c2", "d"]  # today's tree: an ended unit keeps its last parent
    holders = [await registry_view.unit_by_code(conn, "00002", d) for d in (before, MOVED, None)]
    assert [u.unit_id if u else None for u in holders] == ["c2", "n", "n"]  # a reused code, by day
    assert await subtree(conn, "061", datetime.date(2019, 1, 1)) is None

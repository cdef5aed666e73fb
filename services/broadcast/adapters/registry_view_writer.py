"""SQL that keeps the broadcast service's view of the registry (``broadcast_registry``;
``entrypoints/registry_projection.py`` says why it exists). Each event writes only its own
entity's row; relations are joined at query time (``registry_view.py``).

``units.parent_id`` is the parent today; ``unit_parents`` keeps every parent a unit had and
when, so a list asked "as of" a day walks the tree as it stood then (ADR 0045)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from contracts.registry_events import (
    OrganisationRegistered,
    RadioStationRegistered,
    RadioStationStatusChanged,
    RadioStationUpgraded,
    SpeakerClusterDecommissioned,
    SpeakerClusterRegistered,
    UnitDissolved,
    UnitMerged,
    UnitRegistered,
    UnitRenamed,
    UnitReparented,
    UnitSplit,
)
from libs.common.db import Conn
from libs.common.projections.projection import Applied


def tables_sql(schema: str) -> str:
    s = schema
    return f"""
    CREATE TABLE IF NOT EXISTS {s}.units (
        unit_id     text PRIMARY KEY,
        code        text NOT NULL,
        name        text NOT NULL,
        level       text NOT NULL,
        parent_id   text,
        valid_from  date NOT NULL,
        valid_to    date
    );
    CREATE INDEX IF NOT EXISTS units_code ON {s}.units (code);
    CREATE INDEX IF NOT EXISTS units_parent ON {s}.units (parent_id);
    CREATE TABLE IF NOT EXISTS {s}.unit_parents (
        unit_id     text NOT NULL,
        parent_id   text NOT NULL,
        valid_from  date NOT NULL,
        valid_to    date,
        PRIMARY KEY (unit_id, valid_from)
    );
    CREATE INDEX IF NOT EXISTS unit_parents_parent ON {s}.unit_parents (parent_id);
    CREATE TABLE IF NOT EXISTS {s}.stations (
        station_id  text PRIMARY KEY,
        unit_id     text NOT NULL,
        technology  text NOT NULL,
        status      text NOT NULL
    );
    CREATE INDEX IF NOT EXISTS stations_unit ON {s}.stations (unit_id);
    CREATE TABLE IF NOT EXISTS {s}.clusters (
        cluster_id  text PRIMARY KEY,
        station_id  text NOT NULL,
        village_id  text,
        status      text NOT NULL
    );
    CREATE INDEX IF NOT EXISTS clusters_station ON {s}.clusters (station_id);
    CREATE TABLE IF NOT EXISTS {s}.organisations (
        organisation_id  text PRIMARY KEY,
        code             text NOT NULL UNIQUE,
        kind             text NOT NULL
    );
    """


async def apply(conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
    s = schema
    for item in batch:
        event = item.event
        match event:
            case UnitRegistered():
                await conn.execute(
                    f"""INSERT INTO {s}.units (unit_id, code, name, level, parent_id, valid_from)
                        VALUES ($1, $2, $3, $4, $5, $6)""",
                    event.unit_id,
                    event.code,
                    event.name,
                    event.level,
                    event.parent_id,
                    event.valid_from,
                )
                if event.parent_id is not None:
                    await _parent_from(conn, s, event.unit_id, event.parent_id, event.valid_from)
            case UnitRenamed():
                await conn.execute(f"UPDATE {s}.units SET name = $2 WHERE unit_id = $1", event.unit_id, event.name)
            case UnitReparented():
                await conn.execute(
                    f"UPDATE {s}.units SET parent_id = $2 WHERE unit_id = $1", event.unit_id, event.parent_id
                )
                await _close_parent(conn, s, event.unit_id, event.effective_on)
                await _parent_from(conn, s, event.unit_id, event.parent_id, event.effective_on)
            case UnitMerged() | UnitSplit() | UnitDissolved():
                await conn.execute(
                    f"UPDATE {s}.units SET valid_to = $2 WHERE unit_id = $1", event.unit_id, event.effective_on
                )
                await _close_parent(conn, s, event.unit_id, event.effective_on)
            case RadioStationRegistered():
                await conn.execute(
                    f"INSERT INTO {s}.stations (station_id, unit_id, technology, status) "
                    "VALUES ($1, $2, $3, 'OPERATIONAL')",
                    event.station_id,
                    event.unit_id,
                    event.technology,
                )
            case RadioStationUpgraded():
                await conn.execute(
                    f"UPDATE {s}.stations SET technology = $2 WHERE station_id = $1",
                    event.station_id,
                    event.technology,
                )
            case RadioStationStatusChanged():
                await conn.execute(
                    f"UPDATE {s}.stations SET status = $2 WHERE station_id = $1", event.station_id, event.status
                )
            case SpeakerClusterRegistered():
                await conn.execute(
                    f"INSERT INTO {s}.clusters (cluster_id, station_id, village_id, status) "
                    "VALUES ($1, $2, $3, 'active')",
                    event.cluster_id,
                    event.station_id,
                    event.village_id,
                )
            case OrganisationRegistered():
                await conn.execute(
                    f"INSERT INTO {s}.organisations (organisation_id, code, kind) VALUES ($1, $2, $3) "
                    "ON CONFLICT DO NOTHING",
                    event.organisation_id,
                    event.code,
                    event.kind,
                )
            case SpeakerClusterDecommissioned():
                await conn.execute(
                    f"UPDATE {s}.clusters SET status = 'decommissioned' WHERE cluster_id = $1", event.cluster_id
                )


async def _parent_from(conn: Conn, s: str, unit_id: str, parent_id: str, on: datetime.date) -> None:
    """The unit sits under ``parent_id`` from ``on``; a second delivery of the event changes nothing."""
    await conn.execute(
        f"""INSERT INTO {s}.unit_parents (unit_id, parent_id, valid_from, valid_to) VALUES ($1, $2, $3, NULL)
            ON CONFLICT (unit_id, valid_from) DO UPDATE SET parent_id = $2, valid_to = NULL""",
        unit_id,
        parent_id,
        on,
    )


async def _close_parent(conn: Conn, s: str, unit_id: str, on: datetime.date) -> None:
    """The parent the unit had before ``on`` ends that day (a unit's events arrive in order, and
    the interval starting ``on`` itself, written by a redelivered move, stays open)."""
    await conn.execute(
        f"UPDATE {s}.unit_parents SET valid_to = $2 WHERE unit_id = $1 AND valid_to IS NULL AND valid_from < $2",
        unit_id,
        on,
    )

"""The broadcast service's own read model of the registry (schema ``broadcast_registry``).

Commands validate against it (units and their hierarchy, stations, clusters and whether they
are decommissioned) instead of calling the registry: the registry may be down or slow, and a
command path must not depend on it. It follows the registry's topic, so it lags by the
projection's latency; a command that names a station the registry just created may be refused
as unknown for that moment (the caller retries).

Events of different registry streams arrive from different partitions in any relative order
(a cluster before its station, a commune before its district), so each event writes only its
own entity's row and relations are joined at query time (``adapters.registry_view``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from contracts.catalogue import EventCatalogue
from contracts.reads import Reads, reads
from contracts.registry_events import (
    CATALOGUE,
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
from libs.common.projections.projection import Applied, Projection

_HANDLED = (
    UnitRegistered,
    UnitRenamed,
    UnitReparented,
    UnitMerged,
    UnitSplit,
    UnitDissolved,
    RadioStationRegistered,
    RadioStationUpgraded,
    RadioStationStatusChanged,
    SpeakerClusterRegistered,
    SpeakerClusterDecommissioned,
)


class RegistryViewProjection(Projection):
    name: ClassVar[str] = "broadcast_registry"
    service: ClassVar[str] = "broadcast"
    sources: ClassVar[dict[str, EventCatalogue]] = {"registry": CATALOGUE}
    handles: ClassVar[frozenset[str]] = frozenset(cls.type_name() for cls in _HANDLED)
    reads: ClassVar[Reads] = reads(
        {
            UnitRegistered: ("code", "level", "name", "parent_id", "unit_id", "valid_from"),
            UnitRenamed: ("name", "unit_id"),
            UnitReparented: ("parent_id", "unit_id"),
            UnitMerged: ("effective_on", "unit_id"),
            UnitSplit: ("effective_on", "unit_id"),
            UnitDissolved: ("effective_on", "unit_id"),
            RadioStationRegistered: ("station_id", "technology", "unit_id"),
            RadioStationUpgraded: ("station_id", "technology"),
            RadioStationStatusChanged: ("station_id", "status"),
            SpeakerClusterRegistered: ("cluster_id", "station_id", "village_id"),
            SpeakerClusterDecommissioned: ("cluster_id",),
        }
    )

    def tables_sql(self, schema: str) -> str:
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
        """

    async def apply(self, conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
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
                case UnitRenamed():
                    await conn.execute(f"UPDATE {s}.units SET name = $2 WHERE unit_id = $1", event.unit_id, event.name)
                case UnitReparented():
                    await conn.execute(
                        f"UPDATE {s}.units SET parent_id = $2 WHERE unit_id = $1", event.unit_id, event.parent_id
                    )
                case UnitMerged() | UnitSplit() | UnitDissolved():
                    await conn.execute(
                        f"UPDATE {s}.units SET valid_to = $2 WHERE unit_id = $1", event.unit_id, event.effective_on
                    )
                case RadioStationRegistered():
                    await conn.execute(
                        f"INSERT INTO {s}.stations VALUES ($1, $2, $3, 'OPERATIONAL')",
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
                        f"INSERT INTO {s}.clusters VALUES ($1, $2, $3, 'active')",
                        event.cluster_id,
                        event.station_id,
                        event.village_id,
                    )
                case SpeakerClusterDecommissioned():
                    await conn.execute(
                        f"UPDATE {s}.clusters SET status = 'decommissioned' WHERE cluster_id = $1", event.cluster_id
                    )

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
from services.broadcast.adapters import registry_view_writer


class RegistryViewProjection(Projection):
    name: ClassVar[str] = "broadcast_registry"
    service: ClassVar[str] = "broadcast"
    sources: ClassVar[dict[str, EventCatalogue]] = {"registry": CATALOGUE}
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
        return registry_view_writer.tables_sql(schema)

    async def apply(self, conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
        await registry_view_writer.apply(conn, schema, batch)

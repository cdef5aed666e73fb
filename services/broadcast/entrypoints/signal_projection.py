"""Read model of signal health (schema ``broadcast_signal``).

- ``outages``: every time a cluster went down, until it came back (``restored_at`` NULL while
  it is down), for availability;
- ``incidents``: outages longer than the threshold, opened and closed, for MTTR.
Both are keyed by the cluster's stream, which arrives in order on one partition.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from contracts.broadcast_events import (
    CATALOGUE,
    ClusterSignalLost,
    ClusterSignalRestored,
    SignalIncidentClosed,
    SignalIncidentOpened,
)
from contracts.catalogue import EventCatalogue
from contracts.reads import Reads, reads
from libs.common.db import Conn
from libs.common.projections.projection import Applied, Projection
from services.broadcast.adapters import signal_writer


class SignalProjection(Projection):
    name: ClassVar[str] = "broadcast_signal"
    service: ClassVar[str] = "broadcast"
    sources: ClassVar[dict[str, EventCatalogue]] = {"broadcast": CATALOGUE}
    reads: ClassVar[Reads] = reads(
        {
            ClusterSignalLost: ("cause", "cluster_id", "down_since", "station_id", "unit_code"),
            ClusterSignalRestored: ("cluster_id", "down_since", "restored_at"),
            SignalIncidentOpened: (
                "cause",
                "cluster_id",
                "down_since",
                "incident_id",
                "opened_at",
                "station_id",
                "threshold_seconds",
                "unit_code",
            ),
            SignalIncidentClosed: ("closed_at", "incident_id"),
        }
    )

    def tables_sql(self, schema: str) -> str:
        return signal_writer.tables_sql(schema)

    async def apply(self, conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
        await signal_writer.apply(conn, schema, batch)

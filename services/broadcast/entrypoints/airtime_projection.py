"""Read model of relay sessions and airtime (schema ``broadcast_airtime``).

- ``sessions``: every session as recorded, with ``cancelled`` once it is withdrawn;
- ``airtime_daily``: seconds on air per (station, source, local day). A session is split at
  the province's midnight, so any period (whole days) is an exact sum of days, and a session
  from 23:00 to 01:00 counts one hour on each day (and on each side of a month, quarter or
  year boundary).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from contracts.broadcast_events import CATALOGUE, RelaySessionCancelled, RelaySessionRecorded
from contracts.catalogue import EventCatalogue
from contracts.reads import Reads, reads
from libs.common.db import Conn
from libs.common.projections.projection import Applied, Projection
from services.broadcast.adapters import airtime_writer


class AirtimeProjection(Projection):
    name: ClassVar[str] = "broadcast_airtime"
    service: ClassVar[str] = "broadcast"
    sources: ClassVar[dict[str, EventCatalogue]] = {"broadcast": CATALOGUE}
    reads: ClassVar[Reads] = reads(
        {
            RelaySessionRecorded: (
                "ended_at",
                "note",
                "programme_id",
                "session_id",
                "source",
                "started_at",
                "station_id",
                "unit_code",
            ),
            RelaySessionCancelled: ("session_id",),
        }
    )

    def tables_sql(self, schema: str) -> str:
        return airtime_writer.tables_sql(schema)

    async def apply(self, conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
        await airtime_writer.apply(conn, schema, batch)

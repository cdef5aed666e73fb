"""Read model of programmes, deliveries, outreach and alerts (schema ``broadcast_operations``).

Deliveries and acknowledgements live in their own streams, which may arrive before the
programme or the alert's dispatch they belong to (other partitions): their rows are upserts
that whichever side comes first creates and the other completes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from contracts.broadcast_events import (
    ALERT_EVENTS,
    CATALOGUE,
    DELIVERY_EVENTS,
    OUTREACH_EVENTS,
    PROGRAMME_EVENTS,
)
from contracts.catalogue import EventCatalogue
from libs.common.db import Conn
from libs.common.projections.projection import Applied, Projection
from services.broadcast.adapters import operations_writer


class OperationsProjection(Projection):
    name: ClassVar[str] = "broadcast_operations"
    service: ClassVar[str] = "broadcast"
    sources: ClassVar[dict[str, EventCatalogue]] = {"broadcast": CATALOGUE}
    handles: ClassVar[frozenset[str]] = frozenset(
        cls.type_name() for cls in (*PROGRAMME_EVENTS, *DELIVERY_EVENTS, *OUTREACH_EVENTS, *ALERT_EVENTS)
    )

    def tables_sql(self, schema: str) -> str:
        return operations_writer.tables_sql(schema)

    async def apply(self, conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
        await operations_writer.apply(conn, schema, batch)

"""Read model of programmes, deliveries, outreach and alerts (schema ``broadcast_operations``).

Deliveries and acknowledgements live in their own streams, which may arrive before the
programme or the alert's dispatch they belong to (other partitions): their rows are upserts
that whichever side comes first creates and the other completes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from contracts.broadcast_events import (
    CATALOGUE,
    EmergencyAlertAcknowledged,
    EmergencyAlertCancelled,
    EmergencyAlertDispatched,
    EmergencyAlertIssued,
    LoudspeakerVehicleTripMade,
    OutreachSessionHeld,
    ProgrammeCorrected,
    ProgrammeDeliveryAired,
    ProgrammeDeliveryFailed,
    ProgrammeDeliveryReceived,
    ProgrammeDeliverySent,
    ProgrammeRecorded,
)
from contracts.catalogue import EventCatalogue
from contracts.reads import Reads, reads
from libs.common.db import Conn
from libs.common.projections.projection import Applied, Projection
from services.broadcast.adapters import operations_writer


class OperationsProjection(Projection):
    name: ClassVar[str] = "broadcast_operations"
    service: ClassVar[str] = "broadcast"
    sources: ClassVar[dict[str, EventCatalogue]] = {"broadcast": CATALOGUE}
    reads: ClassVar[Reads] = reads(
        {
            ProgrammeRecorded: (
                "air_date",
                "articles",
                "audio",
                "duration_seconds",
                "items",
                "news_items",
                "programme_id",
                "segments",
                "title",
                "unit_code",
                "unit_id",
            ),
            ProgrammeCorrected: (
                "air_date",
                "articles",
                "audio",
                "duration_seconds",
                "items",
                "news_items",
                "programme_id",
                "segments",
                "title",
            ),
            ProgrammeDeliverySent: (
                "due_at",
                "producer_unit_code",
                "programme_id",
                "sent_at",
                "station_id",
                "unit_code",
            ),
            ProgrammeDeliveryReceived: ("programme_id", "received_at", "station_id"),
            ProgrammeDeliveryAired: ("aired_at", "programme_id", "station_id"),
            ProgrammeDeliveryFailed: ("failed_at", "programme_id", "reason", "station_id"),
            OutreachSessionHeld: ("audience", "held_on", "outreach_id", "topic", "unit_code"),
            LoudspeakerVehicleTripMade: ("distance_km", "made_on", "outreach_id", "route", "unit_code"),
            EmergencyAlertIssued: (
                "alert_id",
                "category",
                "expires_at",
                "issued_at",
                "message",
                "priority",
                "station_count",
                "title",
                "unit_code",
                "unit_id",
            ),
            EmergencyAlertDispatched: ("alert_id", "station_id", "unit_code"),
            EmergencyAlertAcknowledged: ("acknowledged_at", "alert_id", "station_id", "unit_code"),
            EmergencyAlertCancelled: ("alert_id", "cancelled_at", "reason"),
        }
    )

    def tables_sql(self, schema: str) -> str:
        return operations_writer.tables_sql(schema)

    async def apply(self, conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
        await operations_writer.apply(conn, schema, batch)

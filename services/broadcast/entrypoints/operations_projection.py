"""Read model of programmes, deliveries, outreach and alerts (schema ``broadcast_operations``).

Deliveries and acknowledgements live in their own streams, which may arrive before the
programme or the alert's dispatch they belong to (other partitions): their rows are upserts
that whichever side comes first creates and the other completes.
"""

from __future__ import annotations

from contracts import broadcast_events as b
from libs.common.projections.declared import ReadFields, read_model
from services.broadcast.adapters import operations_writer

PROGRAMME = ("air_date", "articles", "audio", "duration_seconds", "items", "news_items", "programme_id", "segments")
"""What a recorded or corrected programme gives its row (a correction keeps the producer unit)."""

READS: ReadFields = {
    b.ProgrammeRecorded: (*PROGRAMME, "approval_required", "priority", "title", "unit_code", "unit_id"),
    b.ProgrammeCorrected: (*PROGRAMME, "priority", "title"),
    b.ProgrammeSubmitted: ("note", "programme_id", "submitted_at", "submitted_by"),
    b.ProgrammeApproved: ("approved_at", "approved_by", "note", "programme_id"),
    b.ProgrammeRejected: ("programme_id", "reason", "rejected_at", "rejected_by"),
    b.ProgrammeDistributed: ("distributed_at", "distributed_by", "programme_id"),
    b.ProgrammeDeliverySent: (
        "due_at",
        "priority",
        "producer_unit_code",
        "programme_id",
        "sent_at",
        "station_id",
        "unit_code",
    ),
    b.ProgrammeDeliveryReceived: ("programme_id", "received_at", "station_id"),
    b.ProgrammeDeliveryAired: ("aired_at", "programme_id", "station_id"),
    b.ProgrammeDeliveryFailed: ("failed_at", "programme_id", "reason", "station_id"),
    b.OutreachSessionHeld: ("audience", "held_on", "outreach_id", "topic", "unit_code"),
    b.LoudspeakerVehicleTripMade: ("distance_km", "made_on", "outreach_id", "route", "unit_code"),
    b.EmergencyAlertIssued: (
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
    b.EmergencyAlertDispatched: ("alert_id", "station_id", "unit_code"),
    b.EmergencyAlertAcknowledged: ("acknowledged_at", "alert_id", "station_id", "unit_code"),
    b.EmergencyAlertCancelled: ("alert_id", "cancelled_at", "reason"),
}
"""The events it applies and the fields of each it reads (checked against ``contracts``)."""

OperationsProjection = read_model(
    "broadcast_operations", READS, tables=operations_writer.tables_sql, apply=operations_writer.apply
)

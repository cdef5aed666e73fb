"""The source results (ADR 0054): each delivery event of a programme received from the
source-information system becomes one row of ``broadcast.source_results``, the feed its sender
pages through and the outbox the source webhook posts from.

Its rows live in the service's schema, not in the projection's: the checkpoint commits with
them, so each event becomes one row; a rebuild finds its rows there (keyed by the event id) and
neither renumbers the feed nor posts a result again.
"""

from __future__ import annotations

from contracts import broadcast_events as b
from libs.common.projections.declared import ReadFields, read_model
from services.broadcast.adapters import source_results

READS: ReadFields = {
    b.ProgrammeDeliverySent: ("programme_id", "sent_at", "station_id", "unit_code"),
    b.ProgrammeDeliveryReceived: ("programme_id", "received_at", "station_id", "unit_code"),
    b.ProgrammeDeliveryAired: ("aired_at", "programme_id", "station_id", "unit_code"),
    b.ProgrammeDeliveryFailed: ("failed_at", "programme_id", "reason", "station_id", "unit_code"),
}
"""The events it applies and the fields of each it reads (checked against ``contracts``)."""

SourceResultsProjection = read_model(
    "broadcast_source_results", READS, tables=source_results.tables_sql, apply=source_results.apply
)

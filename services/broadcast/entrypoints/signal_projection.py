"""Read model of signal health (schema ``broadcast_signal``).

- ``outages``: every time a cluster went down, until it came back (``restored_at`` NULL while
  it is down), for availability;
- ``incidents``: outages longer than the threshold, opened and closed, for MTTR.
Both are keyed by the cluster's stream, which arrives in order on one partition.
"""

from __future__ import annotations

from contracts import broadcast_events as b
from libs.common.projections.declared import ReadFields, read_model
from services.broadcast.adapters import signal_writer

READS: ReadFields = {
    b.ClusterSignalLost: ("cause", "cluster_id", "down_since", "station_id", "unit_code"),
    b.ClusterSignalRestored: ("cluster_id", "down_since", "restored_at"),
    b.SignalIncidentOpened: (
        "cause",
        "cluster_id",
        "down_since",
        "incident_id",
        "opened_at",
        "station_id",
        "threshold_seconds",
        "unit_code",
    ),
    b.SignalIncidentClosed: ("closed_at", "incident_id"),
}
"""The events it applies and the fields of each it reads (checked against ``contracts``)."""

SignalProjection = read_model("broadcast_signal", READS, tables=signal_writer.tables_sql, apply=signal_writer.apply)

"""Read model of incidents handled (schema ``broadcast_incidents``, ADR 0051).

- ``handling``: per incident, who acknowledged it and when, whom it is assigned to, when and by
  whom it was resolved and why, and when the operations centre was alerted that nobody had
  acknowledged it; read beside ``broadcast_signal.incidents`` (what the signal side opened);
- ``notes``: what people wrote on it, oldest first.
Keyed by the incident's handling stream, which arrives in order on one partition.
"""

from __future__ import annotations

from contracts import broadcast_events as b
from libs.common.projections.declared import ReadFields, read_model
from services.broadcast.adapters import incidents_writer

READS: ReadFields = {
    b.IncidentAcknowledged: ("acknowledged_at", "acknowledged_by", "incident_id", "unit_code"),
    b.IncidentAssigned: ("assigned_at", "assignee_code", "assignee_kind", "incident_id", "unit_code"),
    b.IncidentNoteAdded: ("incident_id", "note", "noted_at", "noted_by"),
    b.IncidentResolved: ("cause", "incident_id", "opened_at", "resolved_at", "resolved_by", "unit_code"),
    b.IncidentEscalated: ("incident_id", "raised_at", "unit_code"),
}
"""The events it applies and the fields of each it reads (checked against ``contracts``)."""

IncidentsProjection = read_model(
    "broadcast_incidents", READS, tables=incidents_writer.tables_sql, apply=incidents_writer.apply
)

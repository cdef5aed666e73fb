"""SQL that keeps the read model of incidents handled (``broadcast_incidents``;
``entrypoints/incidents_projection.py`` says what it holds)."""

from __future__ import annotations

from collections.abc import Sequence

from contracts.broadcast_events import (
    IncidentAcknowledged,
    IncidentAssigned,
    IncidentEscalated,
    IncidentNoteAdded,
    IncidentResolved,
)
from libs.common.db import Conn
from libs.common.projections.projection import Applied


def tables_sql(schema: str) -> str:
    s = schema
    return f"""
    CREATE TABLE IF NOT EXISTS {s}.handling (
        incident_id       text PRIMARY KEY,
        unit_code         text NOT NULL,
        acknowledged_at   timestamptz,
        acknowledged_by   text,
        assignee_kind     text,
        assignee_code     text,
        assigned_at       timestamptz,
        opened_at         timestamptz,
        resolved_at       timestamptz,
        resolved_by       text,
        resolution_cause  text,
        overdue_at        timestamptz
    );
    CREATE INDEX IF NOT EXISTS handling_resolved ON {s}.handling (resolved_at) WHERE resolved_at IS NOT NULL;
    CREATE TABLE IF NOT EXISTS {s}.notes (
        event_id     uuid PRIMARY KEY,
        incident_id  text        NOT NULL,
        note         text        NOT NULL,
        noted_at     timestamptz NOT NULL,
        noted_by     text        NOT NULL
    );
    CREATE INDEX IF NOT EXISTS notes_incident ON {s}.notes (incident_id, noted_at);
    """


def _upsert(schema: str, columns: Sequence[str]) -> str:
    """Insert the incident's row or set these columns on it: one incident's events arrive in
    order, and each step writes only its own columns."""
    names = ", ".join(columns)
    values = ", ".join(f"${i}" for i in range(3, len(columns) + 3))
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns)
    return (
        f"INSERT INTO {schema}.handling (incident_id, unit_code, {names}) VALUES ($1, $2, {values}) "
        f"ON CONFLICT (incident_id) DO UPDATE SET {sets}"
    )


async def apply(conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
    s = schema
    for item in batch:
        event = item.event
        match event:
            case IncidentAcknowledged():
                await conn.execute(
                    _upsert(s, ("acknowledged_at", "acknowledged_by")),
                    event.incident_id,
                    event.unit_code,
                    event.acknowledged_at,
                    event.acknowledged_by,
                )
            case IncidentAssigned():
                await conn.execute(
                    _upsert(s, ("assignee_kind", "assignee_code", "assigned_at")),
                    event.incident_id,
                    event.unit_code,
                    event.assignee_kind,
                    event.assignee_code,
                    event.assigned_at,
                )
            case IncidentResolved():
                await conn.execute(
                    _upsert(s, ("opened_at", "resolved_at", "resolved_by", "resolution_cause")),
                    event.incident_id,
                    event.unit_code,
                    event.opened_at,
                    event.resolved_at,
                    event.resolved_by,
                    event.cause,
                )
            case IncidentEscalated():
                await conn.execute(_upsert(s, ("overdue_at",)), event.incident_id, event.unit_code, event.raised_at)
            case IncidentNoteAdded():
                await conn.execute(
                    f"INSERT INTO {s}.notes (event_id, incident_id, note, noted_at, noted_by) "
                    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING",
                    item.envelope.event_id,
                    event.incident_id,
                    event.note,
                    event.noted_at,
                    event.noted_by,
                )

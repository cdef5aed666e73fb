"""The command side's index of incidents (``broadcast.incident_index``): what the signal side
opened and closed, and where people's handling stands, written in the same transaction as the
events it indexes (migration ``0003_incidents_handled``)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from contracts.broadcast_events import (
    IncidentAcknowledged,
    IncidentAssigned,
    IncidentEscalated,
    IncidentResolved,
    SignalIncidentClosed,
    SignalIncidentOpened,
)
from libs.common.db import Conn
from services.broadcast.domain.incidents import OpenedIncident

_OPENED = "incident_id, cluster_id, station_id, unit_code, opened_at"


async def opened(conn: Conn, incident_id: str) -> OpenedIncident | None:
    """The incident, its row locked until the transaction ends (a step and the overdue watch
    on one incident queue rather than both deciding on the same version)."""
    row = await conn.fetchrow(
        f"SELECT {_OPENED} FROM broadcast.incident_index WHERE incident_id = $1 FOR UPDATE", incident_id
    )
    return None if row is None else OpenedIncident(**dict(row))


async def lock_overdue(conn: Conn, opened_before: datetime.datetime, limit: int) -> list[OpenedIncident]:
    """Open incidents nobody acknowledged, opened before ``opened_before``, not yet raised;
    rows another transaction holds are left for the next round."""
    rows = await conn.fetch(
        f"""SELECT {_OPENED} FROM broadcast.incident_index
            WHERE acknowledged_at IS NULL AND resolved_at IS NULL AND closed_at IS NULL
              AND overdue_raised_at IS NULL AND opened_at <= $1
            ORDER BY opened_at, incident_id LIMIT $2 FOR UPDATE SKIP LOCKED""",
        opened_before,
        limit,
    )
    return [OpenedIncident(**dict(r)) for r in rows]


async def record(conn: Conn, events: Sequence[object]) -> None:
    """Keep the index in step with the events just appended (the signal's and the handling's)."""
    for event in events:
        match event:
            case SignalIncidentOpened():
                await conn.execute(
                    f"INSERT INTO broadcast.incident_index ({_OPENED}) VALUES ($1, $2, $3, $4, $5) "
                    "ON CONFLICT (incident_id) DO NOTHING",
                    event.incident_id,
                    event.cluster_id,
                    event.station_id,
                    event.unit_code,
                    event.opened_at,
                )
            case SignalIncidentClosed():
                await _set(conn, event.incident_id, "closed_at", event.closed_at)
            case IncidentAcknowledged():
                await _set(conn, event.incident_id, "acknowledged_at", event.acknowledged_at)
            case IncidentAssigned():
                await conn.execute(
                    "UPDATE broadcast.incident_index SET assignee_kind = $2, assignee_code = $3 WHERE incident_id = $1",
                    event.incident_id,
                    event.assignee_kind,
                    event.assignee_code,
                )
            case IncidentResolved():
                await _set(conn, event.incident_id, "resolved_at", event.resolved_at)
            case IncidentEscalated():
                await _set(conn, event.incident_id, "overdue_raised_at", event.raised_at)


async def _set(conn: Conn, incident_id: str, column: str, at: datetime.datetime) -> None:
    await conn.execute(f"UPDATE broadcast.incident_index SET {column} = $2 WHERE incident_id = $1", incident_id, at)

"""Alert queries: an alert with its stations, and the stations that had not acknowledged it
within N minutes of its issue."""

from __future__ import annotations

import datetime

from contracts.api.broadcast_views import AlertStationView, AlertView, UnacknowledgedReport
from libs.common.db import Conn

OPS = "broadcast_operations"


async def alert(conn: Conn, alert_id: str, now: datetime.datetime) -> AlertView | None:
    row = await conn.fetchrow(f"SELECT * FROM {OPS}.alerts WHERE alert_id = $1", alert_id)
    if row is None:
        return None
    stations = await _stations(conn, alert_id)
    return AlertView(
        alert_id=row["alert_id"],
        unit_code=row["unit_code"],
        category=row["category"],
        priority=row["priority"],
        title=row["title"],
        message=row["message"],
        issued_at=row["issued_at"],
        expires_at=row["expires_at"],
        expired=row["expires_at"] <= now,
        cancelled_at=row["cancelled_at"],
        station_count=row["station_count"],
        acknowledged=sum(1 for s in stations if s.acknowledged_at is not None),
        awaiting=sum(1 for s in stations if s.acknowledged_at is None),
        stations=stations,
    )


async def _stations(conn: Conn, alert_id: str) -> list[AlertStationView]:
    rows = await conn.fetch(
        f"""SELECT station_id, unit_code, acknowledged_at FROM {OPS}.alert_stations
            WHERE alert_id = $1 AND dispatched ORDER BY unit_code, station_id""",
        alert_id,
    )
    return [AlertStationView(**dict(r)) for r in rows]


async def unacknowledged(
    conn: Conn, alert_id: str, after_minutes: float, now: datetime.datetime
) -> UnacknowledgedReport | None:
    row = await conn.fetchrow(
        f"SELECT unit_code, issued_at, station_count FROM {OPS}.alerts WHERE alert_id = $1", alert_id
    )
    if row is None:
        return None
    deadline = row["issued_at"] + datetime.timedelta(minutes=after_minutes)
    stations = await _stations(conn, alert_id)
    return UnacknowledgedReport(
        alert_id=alert_id,
        unit_code=row["unit_code"],
        after_minutes=after_minutes,
        deadline=deadline,
        complete=now >= deadline,
        station_count=row["station_count"],
        not_acknowledged=[s for s in stations if s.acknowledged_at is None or s.acknowledged_at > deadline],
    )

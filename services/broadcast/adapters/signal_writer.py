"""SQL that keeps the signal read model (``broadcast_signal``; ``entrypoints/signal_projection.py``
says what it holds)."""

from __future__ import annotations

from collections.abc import Sequence

from contracts.broadcast_events import (
    ClusterSignalLost,
    ClusterSignalRestored,
    SignalIncidentClosed,
    SignalIncidentOpened,
)
from libs.common.db import Conn
from libs.common.projections.projection import Applied


def tables_sql(schema: str) -> str:
    s = schema
    return f"""
    CREATE TABLE IF NOT EXISTS {s}.outages (
        cluster_id   text        NOT NULL,
        station_id   text        NOT NULL,
        unit_code    text        NOT NULL,
        down_since   timestamptz NOT NULL,
        restored_at  timestamptz,
        cause        text        NOT NULL,
        PRIMARY KEY (cluster_id, down_since)
    );
    CREATE INDEX IF NOT EXISTS outages_station ON {s}.outages (station_id, down_since);
    CREATE TABLE IF NOT EXISTS {s}.incidents (
        incident_id        text PRIMARY KEY,
        cluster_id         text        NOT NULL,
        station_id         text        NOT NULL,
        unit_code          text        NOT NULL,
        down_since         timestamptz NOT NULL,
        opened_at          timestamptz NOT NULL,
        closed_at          timestamptz,
        threshold_seconds  integer     NOT NULL,
        cause              text        NOT NULL
    );
    CREATE INDEX IF NOT EXISTS incidents_station ON {s}.incidents (station_id, opened_at);
    CREATE INDEX IF NOT EXISTS incidents_cluster ON {s}.incidents (cluster_id, opened_at);
    """


async def apply(conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
    s = schema
    for item in batch:
        event = item.event
        match event:
            case ClusterSignalLost():
                await conn.execute(
                    f"INSERT INTO {s}.outages (cluster_id, station_id, unit_code, down_since, restored_at, cause) "
                    "VALUES ($1, $2, $3, $4, NULL, $5)",
                    event.cluster_id,
                    event.station_id,
                    event.unit_code,
                    event.down_since,
                    event.cause,
                )
            case ClusterSignalRestored():
                await conn.execute(
                    f"UPDATE {s}.outages SET restored_at = $3 WHERE cluster_id = $1 AND down_since = $2",
                    event.cluster_id,
                    event.down_since,
                    event.restored_at,
                )
            case SignalIncidentOpened():
                await conn.execute(
                    f"INSERT INTO {s}.incidents (incident_id, cluster_id, station_id, unit_code, down_since, "
                    "opened_at, closed_at, threshold_seconds, cause) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8)",
                    event.incident_id,
                    event.cluster_id,
                    event.station_id,
                    event.unit_code,
                    event.down_since,
                    event.opened_at,
                    event.threshold_seconds,
                    event.cause,
                )
            case SignalIncidentClosed():
                await conn.execute(
                    f"UPDATE {s}.incidents SET closed_at = $2 WHERE incident_id = $1",
                    event.incident_id,
                    event.closed_at,
                )

"""The command side's table of each cluster's signal state (``broadcast.cluster_signal``) and
the monitoring settings in force (``broadcast.signal_settings``).

Rows are locked ``FOR UPDATE`` in cluster-id order, so two batches naming the same clusters
queue rather than deadlock, and the state and the events it produced commit together.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import asyncpg

from libs.common.db import Conn
from services.broadcast.domain.signal import DEFAULT_THRESHOLD_SECONDS, ClusterSignal

_COLUMNS = "cluster_id, station_id, unit_code, status, last_observed_at, down_since, down_cause, incident_id, version"


def _state(row: asyncpg.Record) -> ClusterSignal:
    return ClusterSignal(**dict(row))


async def lock(conn: Conn, seeds: Sequence[ClusterSignal]) -> dict[str, ClusterSignal]:
    """The states of these clusters, created first if missing, locked until the transaction ends.

    The rows there are locked first, then the missing ones created and locked: a cluster
    reports for the first time once, and every batch after it costs one statement here. Each
    step takes its rows in cluster-id order, so batches naming the same clusters queue rather
    than deadlock; only clusters reporting for the first time in several batches at once can
    make two wait on each other, and the executor retries the one PostgreSQL rolls back."""
    states = await _locked(conn, sorted(s.cluster_id for s in seeds))
    missing = sorted((s for s in seeds if s.cluster_id not in states), key=lambda s: s.cluster_id)
    if missing:
        await conn.execute(
            """INSERT INTO broadcast.cluster_signal (cluster_id, station_id, unit_code)
               SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT (cluster_id) DO NOTHING""",
            [s.cluster_id for s in missing],
            [s.station_id for s in missing],
            [s.unit_code for s in missing],
        )
        states.update(await _locked(conn, [s.cluster_id for s in missing]))
    return states


async def _locked(conn: Conn, cluster_ids: list[str]) -> dict[str, ClusterSignal]:
    rows = await conn.fetch(
        f"""SELECT {_COLUMNS} FROM broadcast.cluster_signal WHERE cluster_id = ANY($1::text[])
            ORDER BY cluster_id FOR UPDATE""",
        cluster_ids,
    )
    return {r["cluster_id"]: _state(r) for r in rows}


async def lock_due(conn: Conn, due_before: datetime.datetime, limit: int) -> list[ClusterSignal]:
    """Clusters whose threshold has passed; rows another transaction holds are left for later."""
    rows = await conn.fetch(
        f"""SELECT {_COLUMNS} FROM broadcast.cluster_signal
            WHERE reference_at IS NOT NULL AND reference_at <= $1
            ORDER BY cluster_id LIMIT $2 FOR UPDATE SKIP LOCKED""",
        due_before,
        limit,
    )
    return [_state(r) for r in rows]


async def next_reference(conn: Conn) -> datetime.datetime | None:
    value: datetime.datetime | None = await conn.fetchval(
        "SELECT min(reference_at) FROM broadcast.cluster_signal WHERE reference_at IS NOT NULL"
    )
    return value


async def save(conn: Conn, states: Sequence[ClusterSignal], reports: dict[str, int], late: dict[str, int]) -> None:
    await conn.execute(
        """UPDATE broadcast.cluster_signal c SET
               status = u.status, last_observed_at = u.last_observed_at, down_since = u.down_since,
               down_cause = u.down_cause, incident_id = u.incident_id, reference_at = u.reference_at,
               version = u.version, reports = c.reports + u.reports, out_of_order = c.out_of_order + u.late,
               updated_at = now()
           FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::text[],
                       $7::timestamptz[], $8::int[], $9::int[], $10::int[])
                AS u(cluster_id, status, last_observed_at, down_since, down_cause, incident_id, reference_at,
                     version, reports, late)
           WHERE c.cluster_id = u.cluster_id""",
        [s.cluster_id for s in states],
        [s.status for s in states],
        [s.last_observed_at for s in states],
        [s.down_since for s in states],
        [s.down_cause for s in states],
        [s.incident_id for s in states],
        [s.reference_at for s in states],
        [s.version for s in states],
        [reports.get(s.cluster_id, 0) for s in states],
        [late.get(s.cluster_id, 0) for s in states],
    )


async def threshold_seconds(conn: Conn) -> int:
    value: int | None = await conn.fetchval("SELECT silence_threshold_seconds FROM broadcast.signal_settings")
    return DEFAULT_THRESHOLD_SECONDS if value is None else value


async def settings_version(conn: Conn) -> int:
    value: int | None = await conn.fetchval("SELECT version FROM broadcast.signal_settings FOR UPDATE")
    return value or 0


async def save_threshold(conn: Conn, seconds: int, version: int) -> None:
    await conn.execute(
        """INSERT INTO broadcast.signal_settings (id, silence_threshold_seconds, version) VALUES (1, $1, $2)
           ON CONFLICT (id) DO UPDATE SET silence_threshold_seconds = $1, version = $2""",
        seconds,
        version,
    )

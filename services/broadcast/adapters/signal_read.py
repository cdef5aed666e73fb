"""Signal health queries: the live state of many clusters, incidents, and availability and
MTTR per station for a unit and a period."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence

import msgspec

from contracts.api.broadcast_views import ClusterSignalView, HealthFigures, IncidentView, StationHealth, UnitHealth
from libs.common.db import Conn
from services.broadcast.adapters.registry_view import SUBTREE_CTE, UnitRow, subtree_as_of
from services.broadcast.adapters.registry_view import S as REGISTRY
from services.broadcast.domain.period import Period

SIG = "broadcast_signal"


async def cluster_states(conn: Conn, cluster_ids: Sequence[str]) -> list[ClusterSignalView]:
    """From the command side's state table: it is current the moment a report commits."""
    rows = await conn.fetch(
        """SELECT cluster_id, station_id, unit_code, status, last_observed_at, down_since, down_cause,
                  incident_id AS open_incident_id, reports, out_of_order
           FROM broadcast.cluster_signal WHERE cluster_id = ANY($1::text[])""",
        list(cluster_ids),
    )
    found = {r["cluster_id"]: ClusterSignalView(**dict(r)) for r in rows}
    return [
        found.get(c)
        or ClusterSignalView(
            cluster_id=c,
            station_id=None,
            unit_code=None,
            status="UNKNOWN",
            last_observed_at=None,
            down_since=None,
            down_cause=None,
            open_incident_id=None,
            reports=0,
            out_of_order=0,
        )
        for c in dict.fromkeys(cluster_ids)
    ]


async def incidents(
    conn: Conn, unit: UnitRow, period: Period | None, open_only: bool, limit: int
) -> list[IncidentView]:
    rows = await conn.fetch(
        f"""WITH RECURSIVE {SUBTREE_CTE}
            SELECT i.incident_id, i.cluster_id, i.station_id, i.unit_code, i.down_since, i.opened_at, i.closed_at,
                   i.cause, i.threshold_seconds
            FROM {SIG}.incidents i JOIN {REGISTRY}.stations s ON s.station_id = i.station_id
            WHERE s.unit_id IN (SELECT unit_id FROM subtree)
              AND ($2::timestamptz IS NULL OR (i.opened_at < $3 AND coalesce(i.closed_at, 'infinity') > $2))
              AND (NOT $4 OR i.closed_at IS NULL)
            ORDER BY i.opened_at, i.incident_id LIMIT $5""",
        unit.unit_id,
        period.starts_at if period else None,
        period.ends_at if period else None,
        open_only,
        limit,
    )
    return [IncidentView(**dict(r)) for r in rows]


def _figures(clusters: int, down: float, span: float, opened: int, repairs: list[float]) -> HealthFigures:
    capacity = clusters * span
    return HealthFigures(
        clusters=clusters,
        downtime_seconds=round(down),
        availability_percent=round(100.0 * (1 - down / capacity), 3) if capacity > 0 else None,
        incidents_opened=opened,
        incidents_closed=len(repairs),
        mttr_seconds=round(sum(repairs) / len(repairs), 1) if repairs else None,
    )


async def unit_health(
    conn: Conn, unit: UnitRow, period: Period, now: datetime.datetime, as_of: datetime.date | None = None
) -> UnitHealth:
    """``as_of``: the day whose unit tree gives the unit's stations (None: today's)."""
    start, end = period.starts_at, min(period.ends_at, max(now, period.starts_at))
    span = (end - start).total_seconds()
    stations = await conn.fetch(
        f"""WITH RECURSIVE {subtree_as_of("$2")}
            SELECT s.station_id, u.code AS unit_code,
                   (SELECT count(*) FROM {REGISTRY}.clusters c
                    WHERE c.station_id = s.station_id AND c.status = 'active') AS clusters
            FROM {REGISTRY}.stations s JOIN {REGISTRY}.units u ON u.unit_id = s.unit_id
            WHERE s.unit_id IN (SELECT unit_id FROM subtree) ORDER BY u.code, s.station_id""",
        unit.unit_id,
        as_of,
    )
    ids = [r["station_id"] for r in stations]
    downtime = await conn.fetch(
        f"""SELECT station_id,
                   sum(extract(epoch FROM least(coalesce(restored_at, $3), $3) - greatest(down_since, $2)))::float8
                   AS seconds
            FROM {SIG}.outages
            WHERE station_id = ANY($1::text[]) AND down_since < $3 AND coalesce(restored_at, 'infinity') > $2
            GROUP BY station_id""",
        ids,
        start,
        end,
    )
    down = {r["station_id"]: r["seconds"] for r in downtime}
    incident_rows = await conn.fetch(
        f"""SELECT station_id, opened_at, closed_at, extract(epoch FROM closed_at - down_since)::float8 AS repair
            FROM {SIG}.incidents WHERE station_id = ANY($1::text[])
              AND ((opened_at >= $2 AND opened_at < $3) OR (closed_at >= $2 AND closed_at < $3))""",
        ids,
        period.starts_at,
        period.ends_at,
    )
    opened: dict[str, int] = defaultdict(int)
    repairs: dict[str, list[float]] = defaultdict(list)
    for r in incident_rows:
        if period.starts_at <= r["opened_at"] < period.ends_at:
            opened[r["station_id"]] += 1
        if r["closed_at"] is not None and period.starts_at <= r["closed_at"] < period.ends_at:
            repairs[r["station_id"]].append(r["repair"])
    per_station = []
    for r in stations:
        sid = r["station_id"]
        f = _figures(r["clusters"], down.get(sid, 0.0), span, opened.get(sid, 0), repairs.get(sid, []))
        per_station.append(StationHealth(station_id=sid, unit_code=r["unit_code"], **msgspec.structs.asdict(f)))
    whole = _figures(
        sum(r["clusters"] for r in stations),
        sum(down.values()),
        span,
        sum(opened.values()),
        [x for xs in repairs.values() for x in xs],
    )
    return UnitHealth(unit_code=unit.code, period=str(period), stations=per_station, **msgspec.structs.asdict(whole))

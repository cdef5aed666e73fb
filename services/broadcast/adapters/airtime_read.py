"""Airtime queries: per station and per unit (rolled up the hierarchy), per source, per period."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence

from contracts.api.broadcast_views import (
    Airtime,
    SessionView,
    SourceAirtime,
    StationAirtime,
    UnitAirtime,
    UnitAirtimePart,
)
from libs.common.db import Conn
from services.broadcast.adapters.registry_view import S as REGISTRY
from services.broadcast.adapters.registry_view import UnitRow, parents_as_of
from services.broadcast.adapters.schedules_read import outside_schedule_sql
from services.broadcast.domain.period import Period, format_duration

A = "broadcast_airtime"


def _airtime(by_source: dict[str, tuple[int, int]]) -> Airtime:
    sources = [
        SourceAirtime(source=src, seconds=sec, duration=format_duration(sec), sessions=n)
        for src, (sec, n) in sorted(by_source.items())
    ]
    total = sum(s.seconds for s in sources)
    return Airtime(sources=sources, total_seconds=total, total=format_duration(total))


async def stations_airtime(conn: Conn, station_ids: Sequence[str], period: Period) -> list[StationAirtime]:
    rows = await conn.fetch(
        f"""SELECT station_id, source, sum(seconds)::bigint AS seconds, sum(sessions)::bigint AS sessions
            FROM {A}.airtime_daily WHERE station_id = ANY($1::text[]) AND day BETWEEN $2 AND $3
            GROUP BY station_id, source""",
        list(station_ids),
        period.first_day,
        period.last_day,
    )
    found: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for r in rows:
        found[r["station_id"]][r["source"]] = (r["seconds"], r["sessions"])
    out = []
    for station_id in dict.fromkeys(station_ids):
        a = _airtime(found.get(station_id, {}))
        out.append(
            StationAirtime(
                station_id=station_id,
                period=str(period),
                sources=a.sources,
                total_seconds=a.total_seconds,
                total=a.total,
            )
        )
    return out


async def unit_airtime(conn: Conn, unit: UnitRow, period: Period, as_of: datetime.date | None = None) -> UnitAirtime:
    """Everything on air at the stations of the unit and the units under it, with the split
    by direct child (a district's communes, a province's districts); ``as_of``: the day whose
    unit tree gives the units under it and its children (None: today's)."""
    rows = await conn.fetch(
        f"""
        WITH RECURSIVE parents AS {parents_as_of("$4")},
        tree AS (
            SELECT unit_id, unit_id AS child FROM parents WHERE parent_id = $1
            UNION
            SELECT p.unit_id, t.child FROM parents p JOIN tree t ON p.parent_id = t.unit_id
        ), placed AS (
            SELECT unit_id, child FROM tree UNION ALL SELECT $1, NULL
        )
        SELECT p.child, a.source, sum(a.seconds)::bigint AS seconds, sum(a.sessions)::bigint AS sessions
        FROM placed p
        JOIN {REGISTRY}.stations s ON s.unit_id = p.unit_id
        JOIN {A}.airtime_daily a ON a.station_id = s.station_id AND a.day BETWEEN $2 AND $3
        GROUP BY p.child, a.source
        """,
        unit.unit_id,
        period.first_day,
        period.last_day,
        as_of,
    )
    children = await conn.fetch(
        f"""SELECT u.unit_id, u.code, u.name FROM {parents_as_of("$2")} p JOIN {REGISTRY}.units u USING (unit_id)
            WHERE p.parent_id = $1 ORDER BY u.code""",
        unit.unit_id,
        as_of,
    )
    total: dict[str, tuple[int, int]] = {}
    per_child: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for r in rows:
        sec, n = total.get(r["source"], (0, 0))
        total[r["source"]] = (sec + r["seconds"], n + r["sessions"])
        if r["child"] is not None:
            per_child[r["child"]][r["source"]] = (r["seconds"], r["sessions"])
    parts = []
    for c in children:
        a = _airtime(per_child.get(c["unit_id"], {}))
        parts.append(
            UnitAirtimePart(
                unit_code=c["code"], name=c["name"], sources=a.sources, total_seconds=a.total_seconds, total=a.total
            )
        )
    whole = _airtime(total)
    return UnitAirtime(
        unit_code=unit.code,
        name=unit.name,
        period=str(period),
        sources=whole.sources,
        total_seconds=whole.total_seconds,
        total=whole.total,
        children=parts,
    )


async def station_sessions(conn: Conn, station_id: str, period: Period, limit: int) -> list[SessionView]:
    rows = await conn.fetch(
        f"""SELECT session_id, station_id, unit_code, source, started_at, ended_at, programme_id, cancelled,
                   {outside_schedule_sql("s")} AS outside_schedule
            FROM {A}.sessions s WHERE station_id = $1 AND started_at < $3 AND ended_at > $2
            ORDER BY started_at LIMIT $4""",
        station_id,
        period.starts_at,
        period.ends_at,
        limit,
    )
    return [
        SessionView(
            **{k: r[k] for k in ("session_id", "station_id", "unit_code", "source", "programme_id", "cancelled")},
            outside_schedule=r["outside_schedule"],
            started_at=r["started_at"].isoformat(),
            ended_at=r["ended_at"].isoformat(),
        )
        for r in rows
    ]

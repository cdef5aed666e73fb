"""Outreach queries: sessions and loudspeaker-vehicle trips per unit (and the units under it,
today or as the tree stood on an ``as_of`` day) and date, for a period."""

from __future__ import annotations

import datetime

from contracts.api.broadcast_views import OutreachDay, OutreachReport
from libs.common.db import Conn
from services.broadcast.adapters.registry_view import S as REGISTRY
from services.broadcast.adapters.registry_view import UnitRow, subtree_as_of
from services.broadcast.domain.period import Period

OPS = "broadcast_operations"


async def outreach(conn: Conn, unit: UnitRow, period: Period, as_of: datetime.date | None = None) -> OutreachReport:
    rows = await conn.fetch(
        f"""WITH RECURSIVE {subtree_as_of("$4")}
            SELECT o.unit_code, o.on_date,
                   count(*) FILTER (WHERE o.kind = 'session') AS sessions,
                   count(*) FILTER (WHERE o.kind = 'vehicle_trip') AS vehicle_trips
            FROM {OPS}.outreach o
            WHERE o.on_date BETWEEN $2 AND $3
              AND o.unit_code IN (SELECT u.code FROM {REGISTRY}.units u JOIN subtree t ON t.unit_id = u.unit_id)
            GROUP BY o.unit_code, o.on_date ORDER BY o.on_date, o.unit_code""",
        unit.unit_id,
        period.first_day,
        period.last_day,
        as_of,
    )
    days = [OutreachDay(**dict(r)) for r in rows]
    return OutreachReport(
        unit_code=unit.code,
        period=str(period),
        sessions=sum(d.sessions for d in days),
        vehicle_trips=sum(d.vehicle_trips for d in days),
        days=days,
    )

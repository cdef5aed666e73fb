"""Alert listings: the alerts that reached a unit's area, newest first, paged with a total, and
many alerts with their stations at once (for the gateway's DataLoaders)."""

from __future__ import annotations

import base64
import datetime
from collections import defaultdict
from collections.abc import Sequence

import asyncpg

from contracts.api.broadcast_views import AlertPage, AlertStationView, AlertSummary, AlertView
from libs.common.db import Conn
from libs.common.errors import InvalidInputError
from services.broadcast.adapters.page_totals import page_total
from services.broadcast.adapters.registry_view import S as REGISTRY
from services.broadcast.adapters.registry_view import UnitRow, subtree_as_of

OPS = "broadcast_operations"

_FIGURES = f"""
    SELECT a.*,
           count(*) FILTER (WHERE st.dispatched AND st.acknowledged_at IS NOT NULL) AS acknowledged,
           count(*) FILTER (WHERE st.dispatched AND st.acknowledged_at IS NULL) AS awaiting
    FROM {OPS}.alerts a LEFT JOIN {OPS}.alert_stations st ON st.alert_id = a.alert_id
    GROUP BY a.alert_id
"""
"""Each alert with its acknowledgement counts."""

# An alert reaches a unit when its area is in the unit's subtree, or when it went to a station
# there: a province-wide alert is a district's too.
_LISTED = f"""($1::text IS NULL OR f.unit_id IN (SELECT unit_id FROM subtree) OR EXISTS (
        SELECT 1 FROM {OPS}.alert_stations st JOIN {REGISTRY}.stations rs ON rs.station_id = st.station_id
        WHERE st.alert_id = f.alert_id AND st.dispatched AND rs.unit_id IN (SELECT unit_id FROM subtree)))
    AND ($2::timestamptz IS NULL OR f.issued_at >= $2) AND ($3::timestamptz IS NULL OR f.issued_at < $3)
    AND (NOT $4 OR (f.cancelled_at IS NULL AND f.expires_at > $5 AND f.awaiting > 0))"""
"""Filters: area subtree ``$1``, issued from ``$2`` and before ``$3``, awaiting acknowledgement
(``$4``: not cancelled, not expired at ``$5``, a station still silent)."""


def _cursor(issued_at: datetime.datetime, alert_id: str) -> str:
    return base64.urlsafe_b64encode(f"{issued_at.isoformat()}|{alert_id}".encode()).decode()


def _uncursor(cursor: str) -> tuple[datetime.datetime, str]:
    try:
        issued, alert_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
        return datetime.datetime.fromisoformat(issued), alert_id
    except (ValueError, UnicodeDecodeError):
        raise InvalidInputError("the cursor is not one this service gave out", code="invalid_cursor") from None


async def list_alerts(  # noqa: PLR0917 - the listing's filters, passed by name by the one caller
    conn: Conn,
    unit: UnitRow | None,
    issued_from: datetime.datetime | None,
    issued_to: datetime.datetime | None,
    awaiting_only: bool,
    now: datetime.datetime,
    cursor: str | None,
    limit: int,
    as_of: datetime.date | None = None,
) -> AlertPage:
    """``as_of``: the day whose unit tree the area's subtree follows (None: today's)."""
    before = _uncursor(cursor) if cursor else None
    filters = (unit.unit_id if unit else None, issued_from, issued_to, awaiting_only, now, as_of)
    subtree = subtree_as_of("$6")
    # The total is a window over the filtered rows, taken before the cursor narrows them.
    rows = await conn.fetch(
        f"""WITH RECURSIVE {subtree},
            figures AS ({_FIGURES}),
            matching AS (SELECT f.*, count(*) OVER () AS total FROM figures f WHERE {_LISTED})
            SELECT * FROM matching m
            WHERE $7::timestamptz IS NULL OR (m.issued_at, m.alert_id) < ($7::timestamptz, $8::text)
            ORDER BY m.issued_at DESC, m.alert_id DESC LIMIT $9""",
        *filters,
        before[0] if before else None,
        before[1] if before else "",
        limit + 1,
    )
    alerts = [_summary(r, now) for r in rows[:limit]]
    total = await page_total(
        rows,
        cursor,
        lambda: conn.fetchval(
            f"""WITH RECURSIVE {subtree}, figures AS ({_FIGURES})
                SELECT count(*) FROM figures f WHERE {_LISTED}""",
            *filters,
        ),
    )
    more = len(rows) > limit
    return AlertPage(
        alerts=alerts,
        next_cursor=_cursor(alerts[-1].issued_at, alerts[-1].alert_id) if more else None,
        total_count=total,
    )


def _summary(r: asyncpg.Record, now: datetime.datetime) -> AlertSummary:
    return AlertSummary(
        alert_id=r["alert_id"],
        unit_code=r["unit_code"],
        category=r["category"],
        priority=r["priority"],
        title=r["title"],
        message=r["message"],
        issued_at=r["issued_at"],
        expires_at=r["expires_at"],
        expired=r["expires_at"] <= now,
        cancelled_at=r["cancelled_at"],
        station_count=r["station_count"],
        acknowledged=int(r["acknowledged"]),
        awaiting=int(r["awaiting"]),
    )


async def alerts_by_ids(conn: Conn, alert_ids: Sequence[str], now: datetime.datetime) -> list[AlertView]:
    """The alerts with these ids and their stations, in the order asked; unknown ids left out."""
    rows = await conn.fetch(
        f"""SELECT a.* FROM unnest($1::text[]) WITH ORDINALITY AS asked(alert_id, n)
            JOIN {OPS}.alerts a USING (alert_id) ORDER BY asked.n""",
        list(dict.fromkeys(alert_ids)),
    )
    stations: defaultdict[str, list[AlertStationView]] = defaultdict(list)
    for s in await conn.fetch(
        f"""SELECT alert_id, station_id, unit_code, acknowledged_at FROM {OPS}.alert_stations
            WHERE alert_id = ANY($1::text[]) AND dispatched ORDER BY alert_id, unit_code, station_id""",
        [r["alert_id"] for r in rows],
    ):
        stations[s["alert_id"]].append(
            AlertStationView(station_id=s["station_id"], unit_code=s["unit_code"], acknowledged_at=s["acknowledged_at"])
        )
    return [_view(r, stations[r["alert_id"]], now) for r in rows]


def _view(r: asyncpg.Record, stations: list[AlertStationView], now: datetime.datetime) -> AlertView:
    return AlertView(
        alert_id=r["alert_id"],
        unit_code=r["unit_code"],
        category=r["category"],
        priority=r["priority"],
        title=r["title"],
        message=r["message"],
        issued_at=r["issued_at"],
        expires_at=r["expires_at"],
        expired=r["expires_at"] <= now,
        cancelled_at=r["cancelled_at"],
        station_count=r["station_count"],
        acknowledged=sum(1 for s in stations if s.acknowledged_at is not None),
        awaiting=sum(1 for s in stations if s.acknowledged_at is None),
        stations=stations,
    )

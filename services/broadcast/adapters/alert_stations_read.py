"""Pages of alerts' stations: for each alert asked, the stations it went to after a cursor, by
commune then station, with the total, all in one query (a list of alerts asks for every
alert's page at once through the gateway's DataLoader)."""

from __future__ import annotations

import base64
from collections.abc import Sequence

import msgspec

from contracts.api.broadcast import AlertStationsAsk
from contracts.api.broadcast_views import AlertStationPage, AlertStationView
from libs.common.db import Conn
from libs.common.errors import InvalidInputError

OPS = "broadcast_operations"


def _cursor(unit_code: str, station_id: str) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode([unit_code, station_id])).decode()


def _uncursor(cursor: str | None) -> tuple[str | None, str | None]:
    if cursor is None:
        return None, None
    try:
        unit_code, station_id = msgspec.json.decode(base64.urlsafe_b64decode(cursor.encode()), type=tuple[str, str])
    except (ValueError, msgspec.DecodeError):
        raise InvalidInputError("the cursor is not one this list gave out", code="invalid_cursor") from None
    return unit_code, station_id


async def alert_station_pages(conn: Conn, asks: Sequence[AlertStationsAsk]) -> list[AlertStationPage]:
    """One page per ask, in the order asked; an unknown alert has no stations."""
    afters = [_uncursor(a.after) for a in asks]
    rows = await conn.fetch(
        f"""SELECT k.n, t.total, s.station_id, s.unit_code, s.acknowledged_at
            FROM unnest($1::text[], $2::text[], $3::text[], $4::int[])
                 WITH ORDINALITY AS k(alert_id, after_unit, after_station, lim, n)
            CROSS JOIN LATERAL (
                SELECT count(*) AS total FROM {OPS}.alert_stations st WHERE st.alert_id = k.alert_id AND st.dispatched
            ) t
            LEFT JOIN LATERAL (
                SELECT st.station_id, st.unit_code, st.acknowledged_at FROM {OPS}.alert_stations st
                WHERE st.alert_id = k.alert_id AND st.dispatched
                  AND (k.after_station IS NULL OR (st.unit_code, st.station_id) > (k.after_unit, k.after_station))
                ORDER BY st.unit_code, st.station_id LIMIT k.lim + 1
            ) s ON true
            ORDER BY k.n, s.unit_code, s.station_id""",
        [a.alert_id for a in asks],
        [unit for unit, _ in afters],
        [station for _, station in afters],
        [a.limit for a in asks],
    )
    found: dict[int, list[AlertStationView]] = {n: [] for n in range(1, len(asks) + 1)}
    totals: dict[int, int] = {}
    for r in rows:
        totals[r["n"]] = int(r["total"])
        if r["station_id"] is not None:
            found[r["n"]].append(
                AlertStationView(
                    station_id=r["station_id"], unit_code=r["unit_code"], acknowledged_at=r["acknowledged_at"]
                )
            )
    pages = []
    for n, ask in enumerate(asks, start=1):
        shown = found[n][: ask.limit]
        cursors = [_cursor(s.unit_code, s.station_id) for s in shown]
        pages.append(
            AlertStationPage(
                alert_id=ask.alert_id,
                stations=shown,
                cursors=cursors,
                next_cursor=cursors[-1] if len(found[n]) > ask.limit else None,
                total_count=totals.get(n, 0),
            )
        )
    return pages

"""The command-side index of relay sessions on air: no two sessions of a station overlap.

Written in the command's transaction; the exclusion constraint (migration 0002) decides, also
between two concurrent writers.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from libs.common.db import Conn


async def claim(conn: Conn, rows: Sequence[tuple[str, str, datetime.datetime, datetime.datetime]]) -> None:
    """Record (session_id, station_id, start, end) rows; raises ExclusionViolationError on overlap.

    Rows go in (station, start) order: two batches touching the same stations then wait for
    each other in the same order, never in a cycle (a deadlock would surface as an error)."""
    rows = sorted(rows, key=lambda r: (r[1], r[2]))
    await conn.execute(
        """INSERT INTO broadcast.relay_index (session_id, station_id, during)
           SELECT id, station, tstzrange(s, e, '[)')
           FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS r(id, station, s, e)""",
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        [r[3] for r in rows],
    )


async def overlaps(
    conn: Conn, rows: Sequence[tuple[str, str, datetime.datetime, datetime.datetime]]
) -> list[dict[str, str | int]]:
    """What a refused claim clashed with, in the caller's terms: for each row (by its index in
    ``rows``), the recorded session or the earlier row of the same batch it overlaps. Read after
    the claim's savepoint rolled back, so only committed sessions are found."""
    recorded = await conn.fetch(
        """SELECT r.n - 1 AS index, r.station, i.session_id
           FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) WITH ORDINALITY AS r(station, s, e, n)
           JOIN broadcast.relay_index i ON i.station_id = r.station AND i.during && tstzrange(r.s, r.e, '[)')
           ORDER BY r.n, i.session_id""",
        [r[1] for r in rows],
        [r[2] for r in rows],
        [r[3] for r in rows],
    )
    found: list[dict[str, str | int]] = [
        {"index": rec["index"], "station_id": rec["station"], "session_id": rec["session_id"]} for rec in recorded
    ]
    for index, (_, station, start, end) in enumerate(rows):
        for earlier, (_, other_station, other_start, other_end) in enumerate(rows[:index]):
            if station == other_station and start < other_end and other_start < end:
                found.append({"index": index, "station_id": station, "other_index": earlier})
    return sorted(found, key=lambda f: (f["index"], str(f.get("session_id", "")), int(f.get("other_index", -1))))


async def release(conn: Conn, session_id: str) -> None:
    await conn.execute("DELETE FROM broadcast.relay_index WHERE session_id = $1", session_id)

"""Which of a bulk batch's relay sessions overlap a session already recorded for their station
(``broadcast.relay_index``): told per item before the batch claims its intervals, so one clash
rejects that item, not the batch."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from libs.common.db import Conn


async def overlapping_recorded(
    conn: Conn, rows: Sequence[tuple[int, str, datetime.datetime, datetime.datetime]]
) -> dict[int, str]:
    """(index, station_id, start, end) rows -> for each overlapping one, its index and the
    recorded session it overlaps (the first, by id)."""
    if not rows:
        return {}
    found = await conn.fetch(
        """SELECT DISTINCT ON (r.n) r.n, i.session_id
           FROM unnest($1::int[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS r(n, station, s, e)
           JOIN broadcast.relay_index i ON i.station_id = r.station AND i.during && tstzrange(r.s, r.e, '[)')
           ORDER BY r.n, i.session_id""",
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        [r[3] for r in rows],
    )
    return {rec["n"]: rec["session_id"] for rec in found}

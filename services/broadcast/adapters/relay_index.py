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


async def release(conn: Conn, session_id: str) -> None:
    await conn.execute("DELETE FROM broadcast.relay_index WHERE session_id = $1", session_id)

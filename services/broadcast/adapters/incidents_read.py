"""Incident queries: a unit's incidents with their handling, paged with a total (oldest first,
every one of them reachable), many incidents by id, and MTTR by assignee or by cause."""

from __future__ import annotations

import base64
import datetime
from collections import defaultdict
from collections.abc import Sequence

import asyncpg

from contracts.api.broadcast import IncidentStatus, MttrBy
from contracts.api.broadcast_views import IncidentMttr, IncidentNoteView, IncidentPage, IncidentView, MttrGroup
from libs.common.db import Conn
from libs.common.errors import InvalidInputError
from services.broadcast.adapters.page_totals import page_total
from services.broadcast.adapters.registry_view import S as REGISTRY
from services.broadcast.adapters.registry_view import UnitRow, subtree_as_of
from services.broadcast.domain.period import Period

SIG = "broadcast_signal"
HANDLED = "broadcast_incidents"


_SELECT = f"""
    SELECT i.incident_id, i.cluster_id, i.station_id, i.unit_code, i.down_since, i.opened_at, i.closed_at,
           i.cause, i.threshold_seconds, h.acknowledged_at, h.acknowledged_by, h.assignee_kind, h.assignee_code,
           h.assigned_at, h.resolved_at, h.resolved_by, h.resolution_cause, h.overdue_at AS acknowledgement_overdue_at
    FROM {SIG}.incidents i LEFT JOIN {HANDLED}.handling h USING (incident_id)
"""

_IN_SUBTREE = (
    f"i.station_id IN (SELECT station_id FROM {REGISTRY}.stations WHERE unit_id IN (SELECT unit_id FROM subtree))"
)
"""The incident's station is in the subtree of the unit ``$1`` (in a ``WITH RECURSIVE`` of
``subtree_as_of``)."""

_LISTED = f"""{_IN_SUBTREE}
    AND ($2::timestamptz IS NULL OR (i.opened_at < $3 AND coalesce(i.closed_at, 'infinity') > $2))
    AND CASE $4::text
        WHEN 'open' THEN i.closed_at IS NULL
        WHEN 'closed' THEN i.closed_at IS NOT NULL
        WHEN 'unacknowledged' THEN h.acknowledged_at IS NULL AND h.resolved_at IS NULL
        WHEN 'unresolved' THEN h.resolved_at IS NULL
        WHEN 'resolved' THEN h.resolved_at IS NOT NULL
        ELSE true END"""
"""Filters: the unit ``$1``'s subtree, open at some time in [``$2``, ``$3``) (any time when
``$2`` is NULL), the state ``$4`` (NULL: any)."""


def _cursor(opened_at: datetime.datetime, incident_id: str) -> str:
    return base64.urlsafe_b64encode(f"{opened_at.isoformat()}|{incident_id}".encode()).decode()


def _uncursor(cursor: str) -> tuple[datetime.datetime, str]:
    try:
        opened, incident_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
        return datetime.datetime.fromisoformat(opened), incident_id
    except (ValueError, UnicodeDecodeError):
        raise InvalidInputError("the cursor is not one this service gave out", code="invalid_cursor") from None


async def list_incidents(  # noqa: PLR0917 - the listing's filters, passed by name by the one caller
    conn: Conn,
    unit: UnitRow,
    period: Period | None,
    state: IncidentStatus | None,
    cursor: str | None,
    limit: int,
    as_of: datetime.date | None = None,
) -> IncidentPage:
    """``as_of``: the unit's area as the tree stood that day (today's without it)."""
    after = _uncursor(cursor) if cursor else None
    filters = (unit.unit_id, period.starts_at if period else None, period.ends_at if period else None, state, as_of)
    subtree = subtree_as_of("$5")
    # The total is a window over the filtered rows, taken before the cursor narrows them.
    rows = await conn.fetch(
        f"""WITH RECURSIVE {subtree},
            matching AS (SELECT l.*, count(*) OVER () AS total FROM ({_SELECT} WHERE {_LISTED}) l)
            SELECT * FROM matching m
            WHERE $6::timestamptz IS NULL OR (m.opened_at, m.incident_id) > ($6::timestamptz, $7::text)
            ORDER BY m.opened_at, m.incident_id LIMIT $8""",
        *filters,
        after[0] if after else None,
        after[1] if after else "",
        limit + 1,
    )
    total = await page_total(
        rows,
        cursor,
        lambda: conn.fetchval(f"WITH RECURSIVE {subtree} SELECT count(*) FROM ({_SELECT} WHERE {_LISTED}) l", *filters),
    )
    incidents = await _with_notes(conn, rows[:limit])
    more = len(rows) > limit
    return IncidentPage(
        incidents=incidents,
        next_cursor=_cursor(incidents[-1].opened_at, incidents[-1].incident_id) if more else None,
        total_count=total,
    )


async def incidents_by_ids(conn: Conn, incident_ids: Sequence[str]) -> list[IncidentView]:
    """The incidents with these ids, in the order asked; unknown ids left out."""
    rows = await conn.fetch(
        f"""SELECT l.* FROM unnest($1::text[]) WITH ORDINALITY AS asked(incident_id, n)
            JOIN ({_SELECT}) l USING (incident_id) ORDER BY asked.n""",
        list(dict.fromkeys(incident_ids)),
    )
    return await _with_notes(conn, rows)


async def _with_notes(conn: Conn, rows: Sequence[asyncpg.Record]) -> list[IncidentView]:
    notes: defaultdict[str, list[IncidentNoteView]] = defaultdict(list)
    for n in await conn.fetch(
        f"""SELECT incident_id, note, noted_at, noted_by FROM {HANDLED}.notes
            WHERE incident_id = ANY($1::text[]) ORDER BY incident_id, noted_at, event_id""",
        [r["incident_id"] for r in rows],
    ):
        notes[n["incident_id"]].append(IncidentNoteView(note=n["note"], noted_at=n["noted_at"], noted_by=n["noted_by"]))
    fields = IncidentView.__struct_fields__
    return [IncidentView(**{k: r[k] for k in fields if k != "notes"}, notes=notes[r["incident_id"]]) for r in rows]


async def mttr(
    conn: Conn, unit: UnitRow, period: Period, by: MttrBy, as_of: datetime.date | None = None
) -> IncidentMttr:
    """Mean time from opening to resolution of the incidents resolved in the period, per group;
    ``as_of``: the unit's area as the tree stood that day (today's without it)."""
    key = (
        "coalesce(h.assignee_kind || ':' || h.assignee_code, 'unassigned')"
        if by == "assignee"
        else "h.resolution_cause"
    )
    rows = await conn.fetch(
        f"""WITH RECURSIVE {subtree_as_of("$4")}
            SELECT {key} AS key, count(*) AS resolved,
                   avg(extract(epoch FROM h.resolved_at - h.opened_at))::float8 AS mttr_seconds
            FROM {HANDLED}.handling h JOIN {SIG}.incidents i USING (incident_id)
            WHERE h.resolved_at >= $2 AND h.resolved_at < $3
              AND {_IN_SUBTREE}
            GROUP BY 1 ORDER BY 2 DESC, 1""",
        unit.unit_id,
        period.starts_at,
        period.ends_at,
        as_of,
    )
    return IncidentMttr(
        unit_code=unit.code,
        period=str(period),
        by=by,
        groups=[
            MttrGroup(key=r["key"], resolved=int(r["resolved"]), mttr_seconds=round(r["mttr_seconds"], 1)) for r in rows
        ],
    )

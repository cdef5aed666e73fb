"""What data approval reads and holds in the database: the approval streams themselves (read
straight from the event store, like the catalogue), the line of units above a unit, and the
lock that orders a report against a change of its approval.

The lock: a report takes a shared transaction-level advisory lock on its approval stream's id
before it reads that stream; an approval step takes the exclusive one before it reads it. A
province approval that locks the values therefore waits for the reports already reading an
open approval to commit, and a report that comes after it reads the lock (read committed: each
statement sees what committed before it began). Reports of one key do not wait for each other.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from contracts.base import Event
from contracts.envelope import Envelope
from contracts.metrics_events import CATALOGUE
from libs.common.db import Conn
from libs.common.eventstore.store import EventStore
from services.metrics.adapters.indicator_data import FACTS, UnitRow

_store = EventStore("metrics")


async def hold_for_report(conn: Conn, stream_id: str) -> None:
    """Until the transaction ends, no approval step on ``stream_id`` runs (others' reports may)."""
    await conn.execute("SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 0))", stream_id)


async def hold_for_step(conn: Conn, stream_id: str) -> None:
    """Until the transaction ends, no report and no other step on ``stream_id`` runs."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", stream_id)


def decoded(envelopes: Sequence[Envelope]) -> list[Event]:
    return [CATALOGUE.decode(e.type, e.schema_version, e.data) for e in envelopes]


async def load_many(conn: Conn, stream_ids: Sequence[str]) -> dict[str, list[Envelope]]:
    """The approval streams' events, one query; a stream nobody touched is missing."""
    return await _store.load_streams(conn, stream_ids)


async def line_above(conn: Conn, unit_id: str, day: datetime.date) -> list[UnitRow]:
    """The unit and the units above it on ``day``, nearest first (a commune, its district, the
    province)."""
    rows = await conn.fetch(
        f"""WITH RECURSIVE up(unit_id, depth) AS (
                SELECT $1::text, 0
                UNION ALL
                SELECT p.parent_id, up.depth + 1 FROM up
                JOIN {FACTS}.unit_parents p ON p.unit_id = up.unit_id
                 AND p.valid_from <= $2 AND (p.valid_to IS NULL OR p.valid_to > $2)
                WHERE up.depth < 8
            )
            SELECT u.unit_id, u.code, u.name, u.level FROM up JOIN {FACTS}.units u USING (unit_id)
            ORDER BY up.depth""",
        unit_id,
        day,
    )
    return [UnitRow(r["unit_id"], r["code"], r["name"], r["level"]) for r in rows]

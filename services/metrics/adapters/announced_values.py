"""What the change emitter (``application/change_emitter.py``) reads and writes: the announced
units above a touched one, the last value announced for each (``metrics.emitted_values``), and
the appended ``metrics.indicator_value_changed`` events, written straight to the metrics event
store in the projection's transaction.
"""

from __future__ import annotations

import datetime
import hashlib

import msgspec

from contracts.base import Event
from libs.common.db import Conn
from libs.common.eventstore.store import new_event_id
from services.metrics.adapters.indicator_data import FACTS, UnitRow

ANNOUNCED_LEVELS = ("province", "district", "commune")
ACTOR = "metrics:computed"
EMIT_LOCK = int.from_bytes(hashlib.sha256(b"tinhso-metrics:emit-changes").digest()[:8], "big", signed=True)

_ANCESTORS = f"""
WITH RECURSIVE up(unit_id) AS (
    SELECT unnest($1::text[])
    UNION
    SELECT p.parent_id FROM up JOIN {FACTS}.unit_parents p ON p.unit_id = up.unit_id
     AND p.valid_from <= $2 AND (p.valid_to IS NULL OR p.valid_to > $2)
)
SELECT u.unit_id, u.code, u.name, u.level FROM up JOIN {FACTS}.units u USING (unit_id)
WHERE u.level = ANY($3::text[]) AND u.valid_from <= $2 AND (u.valid_to IS NULL OR u.valid_to > $2)
"""

_EMITTED = "SELECT code, unit_id, value, version FROM metrics.emitted_values WHERE period = $1 AND unit_id = ANY($2)"
_INSERT = """
INSERT INTO metrics.events (event_id, stream_id, stream_type, version, type, schema_version, occurred_at, actor, data)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::int[], $7::timestamptz[],
                     $8::text[], $9::jsonb[])
"""

Appended = tuple[str, str, str, int, Event, datetime.datetime]
"""stream id, stream type, event type, version, event, occurred at."""
Announced = tuple[str, str, str, float | None, str | None, int]
"""code, unit id, period, value, reason, version."""


async def lock(conn: Conn) -> None:
    """Replicas in a consumer group apply different partitions at once and may announce the same
    value: one at a time, each reading what the previous one announced."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", EMIT_LOCK)


async def ancestors(conn: Conn, unit_ids: list[str], day: datetime.date) -> list[UnitRow]:
    """The units and their ancestors on ``day`` at an announced level."""
    rows = await conn.fetch(_ANCESTORS, unit_ids, day, list(ANNOUNCED_LEVELS))
    return [UnitRow(r["unit_id"], r["code"], r["name"], r["level"]) for r in rows]


async def last_announced(
    conn: Conn, period: str, unit_ids: list[str]
) -> dict[tuple[str, str], tuple[float | None, int]]:
    """(code, unit id) -> (value, version) last announced for the period."""
    return {(r["code"], r["unit_id"]): (r["value"], r["version"]) for r in await conn.fetch(_EMITTED, period, unit_ids)}


async def append(conn: Conn, rows: list[Appended], emitted: list[Announced]) -> None:
    await conn.execute(
        _INSERT,
        [new_event_id() for _ in rows],
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[3] for r in rows],
        [r[2] for r in rows],
        [r[4].SCHEMA_VERSION for r in rows],
        [r[5] for r in rows],
        [ACTOR] * len(rows),
        [msgspec.json.encode(r[4]).decode() for r in rows],
    )
    await conn.executemany(
        """INSERT INTO metrics.emitted_values (code, unit_id, period, value, reason, version)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (code, unit_id, period) DO UPDATE SET value = $4, reason = $5, version = $6""",
        emitted,
    )

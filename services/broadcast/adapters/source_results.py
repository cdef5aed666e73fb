"""SQL of the aired results reported back to the source-information system
(``broadcast.source_results``, migration ``0004_source_link``; ADR 0054).

One row per delivery event of a programme that came from a bulletin: the pull endpoint pages
through them by ``sequence``, and the webhook posts each until its receiver accepts it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import msgspec

from contracts.api.source_link import ResultStatus, SourceResult, SourceResultPage
from contracts.base import Event
from contracts.broadcast_events import (
    ProgrammeDeliveryAired,
    ProgrammeDeliveryFailed,
    ProgrammeDeliveryReceived,
    ProgrammeDeliverySent,
)
from libs.common.db import Conn
from libs.common.projections.projection import Applied

_COLUMNS = "delivery_id, sequence, sender, bulletin_id, programme_id, station_id, unit_code, status, at, reason"


def tables_sql(schema: str) -> str:
    """Nothing in the projection's own schema: the rows live in the service's (see the module)."""
    return f"SELECT 1 -- {schema}: the source link's rows are in broadcast.source_results"


class Step(msgspec.Struct, frozen=True, kw_only=True):
    """What a delivery event tells the sender."""

    programme_id: str
    station_id: str
    unit_code: str
    status: ResultStatus
    at: datetime.datetime
    reason: str | None = None


def step(event: Event) -> Step | None:
    status: ResultStatus
    reason: str | None = None
    match event:
        case ProgrammeDeliverySent():
            status, at = "delivered", event.sent_at
        case ProgrammeDeliveryReceived():
            status, at = "received", event.received_at
        case ProgrammeDeliveryAired():
            status, at = "aired", event.aired_at
        case ProgrammeDeliveryFailed():
            status, at, reason = "failed", event.failed_at, event.reason
        case _:
            return None
    return Step(
        programme_id=event.programme_id,
        station_id=event.station_id,
        unit_code=event.unit_code,
        status=status,
        at=at,
        reason=reason,
    )


async def apply(conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
    steps = [(a.envelope.event_id, s) for a in batch if (s := step(a.event)) is not None]
    if not steps:
        return
    bulletins = {
        r["programme_id"]: (r["sender"], r["bulletin_id"])
        for r in await conn.fetch(
            "SELECT programme_id, sender, bulletin_id FROM broadcast.source_bulletins WHERE programme_id = ANY($1)",
            sorted({s.programme_id for _, s in steps}),
        )
    }
    # Programmes recorded here, not received from a sender, have nobody to tell.
    rows = [
        (event_id, *bulletins[s.programme_id], s.programme_id, s.station_id, s.unit_code, s.status, s.at, s.reason)
        for event_id, s in steps
        if s.programme_id in bulletins
    ]
    if not rows:
        return
    # One writer at a time, until its commit: sequences then commit in their order, so a reader
    # paging by ``since`` never passes a row that commits later with a smaller number.
    await conn.execute("LOCK TABLE broadcast.source_results IN SHARE ROW EXCLUSIVE MODE")
    await conn.executemany(
        """INSERT INTO broadcast.source_results
               (delivery_id, sender, bulletin_id, programme_id, station_id, unit_code, status, at, reason)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (delivery_id) DO NOTHING""",
        rows,
    )


def _result(row: dict[str, object]) -> SourceResult:
    return SourceResult(**{**row, "delivery_id": str(row["delivery_id"])})  # type: ignore[arg-type]


async def page(conn: Conn, sender: str | None, since: int, first: int) -> SourceResultPage:
    """Results after ``since``, oldest first; ``sender``: only that sender's (``None``: all)."""
    found = await conn.fetch(
        f"""SELECT {_COLUMNS} FROM broadcast.source_results
            WHERE sequence > $1 AND ($2::text IS NULL OR sender = $2)
            ORDER BY sequence LIMIT $3""",
        since,
        sender,
        first + 1,
    )
    results = [_result(dict(r)) for r in found[:first]]
    return SourceResultPage(
        results=results, next_since=results[-1].sequence if results else since, has_more=len(found) > first
    )


class Due(msgspec.Struct, frozen=True, kw_only=True):
    result: SourceResult
    attempts: int
    """Attempts made before this one."""


async def claim_due(conn: Conn, now: datetime.datetime, lease: datetime.timedelta, limit: int) -> list[Due]:
    """Results not yet accepted whose attempt is due, oldest first, each leased for ``lease``:
    another replica's webhook skips them meanwhile, and a sender that dies holding them leaves
    them to be posted again when the lease ends."""
    found = await conn.fetch(
        f"""WITH due AS (
                SELECT sequence FROM broadcast.source_results
                WHERE posted_at IS NULL AND next_attempt_at <= $1
                ORDER BY next_attempt_at, sequence LIMIT $3 FOR UPDATE SKIP LOCKED)
            UPDATE broadcast.source_results r SET next_attempt_at = $1 + $2::interval
            FROM due WHERE r.sequence = due.sequence
            RETURNING r.attempts, {", ".join(f"r.{c}" for c in _COLUMNS.split(", "))}""",
        now,
        lease,
        limit,
    )
    due = [Due(attempts=r["attempts"], result=_result({k: v for k, v in r.items() if k != "attempts"})) for r in found]
    return sorted(due, key=lambda d: d.result.sequence)


async def posted(conn: Conn, sequence: int, at: datetime.datetime) -> None:
    await conn.execute(
        """UPDATE broadcast.source_results SET posted_at = $2, attempts = attempts + 1, last_error = NULL
           WHERE sequence = $1""",
        sequence,
        at,
    )


async def refused(conn: Conn, sequence: int, error: str, retry_at: datetime.datetime) -> None:
    """Record a failed attempt and when to try again."""
    await conn.execute(
        """UPDATE broadcast.source_results SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3
           WHERE sequence = $1""",
        sequence,
        error[:500],
        retry_at,
    )

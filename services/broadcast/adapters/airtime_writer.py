"""SQL that keeps the airtime read model (``broadcast_airtime``; ``entrypoints/airtime_projection.py``
says what it holds)."""

from __future__ import annotations

from collections.abc import Sequence

from contracts.broadcast_events import RelaySessionCancelled, RelaySessionRecorded
from libs.common.db import Conn
from libs.common.projections.projection import Applied
from services.broadcast.domain.period import split_by_day


def tables_sql(schema: str) -> str:
    s = schema
    return f"""
    CREATE TABLE IF NOT EXISTS {s}.sessions (
        session_id    text PRIMARY KEY,
        station_id    text NOT NULL,
        unit_code     text NOT NULL,
        source        text NOT NULL,
        started_at    timestamptz NOT NULL,
        ended_at      timestamptz NOT NULL,
        programme_id  text,
        note          text,
        cancelled     boolean NOT NULL DEFAULT false
    );
    CREATE INDEX IF NOT EXISTS sessions_station ON {s}.sessions (station_id, started_at);
    CREATE TABLE IF NOT EXISTS {s}.airtime_daily (
        station_id  text    NOT NULL,
        source      text    NOT NULL,
        day         date    NOT NULL,
        seconds     bigint  NOT NULL,
        sessions    integer NOT NULL,
        PRIMARY KEY (station_id, day, source)
    );
    """


async def apply(conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
    s = schema
    for item in batch:
        event = item.event
        if isinstance(event, RelaySessionRecorded):
            await conn.execute(
                f"""INSERT INTO {s}.sessions
                    (session_id, station_id, unit_code, source, started_at, ended_at, programme_id, note)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
                event.session_id,
                event.station_id,
                event.unit_code,
                event.source,
                event.started_at,
                event.ended_at,
                event.programme_id,
                event.note,
            )
            await _add(conn, s, event, sign=1)
        elif isinstance(event, RelaySessionCancelled):
            row = await conn.fetchrow(
                f"""UPDATE {s}.sessions SET cancelled = true WHERE session_id = $1 AND NOT cancelled
                    RETURNING station_id, unit_code, source, started_at, ended_at""",
                event.session_id,
            )
            if row is not None:
                recorded = RelaySessionRecorded(session_id=event.session_id, **dict(row))
                await _add(conn, s, recorded, sign=-1)


async def _add(conn: Conn, s: str, event: RelaySessionRecorded, *, sign: int) -> None:
    pieces = list(split_by_day(event.started_at, event.ended_at))
    await conn.executemany(
        f"""INSERT INTO {s}.airtime_daily (station_id, source, day, seconds, sessions) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (station_id, day, source) DO UPDATE
            SET seconds = airtime_daily.seconds + EXCLUDED.seconds,
                sessions = airtime_daily.sessions + EXCLUDED.sessions""",
        [
            (event.station_id, event.source, day, sign * int((end - start).total_seconds()), sign)
            for day, start, end in pieces
        ],
    )

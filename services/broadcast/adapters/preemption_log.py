"""SQL of the pre-emption policy's log (schema ``broadcast_preemption``;
``entrypoints/preemption_policy.py`` says what it is for)."""

from __future__ import annotations

from uuid import UUID

from libs.common.db import Conn
from services.broadcast.domain.schedules import Interrupt


def tables_sql(schema: str) -> str:
    return f"""
    CREATE TABLE IF NOT EXISTS {schema}.bulletins (
        event_id       uuid        PRIMARY KEY,
        station_id     text        NOT NULL,
        bulletin_kind  text        NOT NULL,
        bulletin_id    text        NOT NULL,
        at             timestamptz NOT NULL,
        outcome        text        NOT NULL
    );
    """


async def record(conn: Conn, schema: str, event_id: UUID, station_id: str, command: Interrupt, *, outcome: str) -> None:
    """``outcome``: ``application.preemption.Outcome``; the latest one a replay found."""
    await conn.execute(
        f"""INSERT INTO {schema}.bulletins (event_id, station_id, bulletin_kind, bulletin_id, at, outcome)
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO UPDATE SET outcome = EXCLUDED.outcome""",
        event_id,
        station_id,
        command.bulletin_kind,
        command.bulletin_id,
        command.at,
        outcome,
    )

"""SQL that keeps the schedules read model (``broadcast_schedules``; ``entrypoints/schedules_projection.py``
says what it holds)."""

from __future__ import annotations

from collections.abc import Sequence

from contracts.broadcast_events import (
    ScheduleInterrupted,
    ScheduleSlotAdded,
    ScheduleSlotDayCancelled,
    ScheduleSlotRemoved,
)
from libs.common.db import Conn
from libs.common.projections.projection import Applied
from services.broadcast.domain.schedules import minute_of_day


def tables_sql(schema: str) -> str:
    s = schema
    return f"""
    CREATE TABLE IF NOT EXISTS {s}.slots (
        slot_id      text    PRIMARY KEY,
        station_id   text    NOT NULL,
        unit_code    text    NOT NULL,
        kind         text    NOT NULL,
        source       text    NOT NULL,
        starts       integer NOT NULL,
        ends         integer NOT NULL,
        weekday      integer,
        valid_from   date,
        on_day       date,
        valid_until  date,
        title        text
    );
    CREATE INDEX IF NOT EXISTS slots_station ON {s}.slots (station_id);
    CREATE TABLE IF NOT EXISTS {s}.cancellations (
        slot_id  text NOT NULL,
        on_day   date NOT NULL,
        reason   text NOT NULL,
        PRIMARY KEY (slot_id, on_day)
    );
    CREATE TABLE IF NOT EXISTS {s}.interruptions (
        station_id      text        NOT NULL,
        bulletin_kind   text        NOT NULL,
        bulletin_id     text        NOT NULL,
        slot_id         text        NOT NULL,
        unit_code       text        NOT NULL,
        on_day          date        NOT NULL,
        interrupted_at  timestamptz NOT NULL,
        PRIMARY KEY (station_id, bulletin_kind, bulletin_id)
    );
    CREATE INDEX IF NOT EXISTS interruptions_day ON {s}.interruptions (station_id, on_day);
    """


async def apply(conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
    s = schema
    for item in batch:
        e = item.event
        if isinstance(e, ScheduleSlotAdded):
            await conn.execute(
                f"""INSERT INTO {s}.slots (slot_id, station_id, unit_code, kind, source, starts, ends, weekday,
                                           valid_from, on_day, title)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (slot_id) DO NOTHING""",
                e.slot_id, e.station_id, e.unit_code, e.kind, e.source, minute_of_day(e.starts, field="starts"),
                minute_of_day(e.ends, field="ends"), e.weekday, e.valid_from, e.on, e.title,
            )  # fmt: skip
        elif isinstance(e, ScheduleSlotRemoved):
            await conn.execute(f"UPDATE {s}.slots SET valid_until = $2 WHERE slot_id = $1", e.slot_id, e.valid_from)
        elif isinstance(e, ScheduleSlotDayCancelled):
            await conn.execute(
                f"INSERT INTO {s}.cancellations (slot_id, on_day, reason) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                e.slot_id, e.on, e.reason,
            )  # fmt: skip
        elif isinstance(e, ScheduleInterrupted):
            await conn.execute(
                f"""INSERT INTO {s}.interruptions (station_id, bulletin_kind, bulletin_id, slot_id, unit_code, on_day,
                                                   interrupted_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING""",
                e.station_id, e.bulletin_kind, e.bulletin_id, e.slot_id, e.unit_code, e.on, e.interrupted_at,
            )  # fmt: skip

"""Paged listings of a unit's deliveries, relay sessions and outreach records (the unit and
every unit under it, today or as the tree stood on an ``as_of`` day), and relay sessions and
outreach records by id.

Each page is keyset-paged on its order and answers every item's cursor, the next page's cursor
and the total matching the filters (a window count taken before the cursor narrows the rows).
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import asyncpg
import msgspec

from contracts.api.broadcast_views import (
    DeliveryPage,
    DeliveryView,
    OutreachDay,
    OutreachDayPage,
    OutreachPage,
    OutreachRecordView,
    SessionPage,
    SessionView,
)
from libs.common.db import Conn
from libs.common.errors import InvalidInputError
from services.broadcast.adapters.programmes_read import timeliness
from services.broadcast.adapters.registry_view import S as REGISTRY
from services.broadcast.adapters.registry_view import UnitRow, subtree_as_of
from services.broadcast.adapters.schedules_read import outside_schedule_sql

OPS = "broadcast_operations"
AIRTIME = "broadcast_airtime"
V = TypeVar("V")

_IN_UNIT = f"""($1::text IS NULL OR EXISTS (SELECT 1 FROM {REGISTRY}.stations rs
    WHERE rs.station_id = x.station_id AND rs.unit_id IN (SELECT unit_id FROM subtree)))"""
"""A row of a station in the unit ``$1`` or under it (every row without a unit)."""


def _cursor(values: Sequence[object]) -> str:
    text = [v.isoformat() if isinstance(v, (datetime.date, datetime.datetime)) else str(v) for v in values]
    return base64.urlsafe_b64encode(msgspec.json.encode(text)).decode()


def _uncursor(cursor: str | None, width: int) -> list[str | None]:
    if cursor is None:
        return [None] * width
    try:
        values = msgspec.json.decode(base64.urlsafe_b64decode(cursor.encode()), type=list[str])
    except (ValueError, msgspec.DecodeError):
        values = []
    if len(values) != width:
        raise InvalidInputError("the cursor is not one this list gave out", code="invalid_cursor")
    return list(values)


async def _page(  # noqa: PLR0917 - one private helper, its callers side by side below
    conn: Conn,
    matching: str,
    order: Sequence[tuple[str, str]],
    args: Sequence[object],
    cursor: str | None,
    limit: int,
    view: Callable[[asyncpg.Record], V],
    as_of: datetime.date | None,
) -> tuple[list[V], list[str], str | None, int]:
    """``matching``: a SELECT of the filtered rows aliased ``x`` (placeholders ``$1``…); ``order``:
    the (column, SQL type) pairs the list is sorted and keyset-paged on; ``as_of``: the day whose
    unit tree ``subtree`` follows (None: today's)."""
    args = (*args, as_of)
    n = len(args)
    subtree = subtree_as_of(f"${n}")
    columns = ", ".join(f"m.{c}" for c, _ in order)
    after = ", ".join(f"${n + 2 + i}::text::{t}" for i, (_, t) in enumerate(order))
    rows = await conn.fetch(
        f"""WITH RECURSIVE {subtree},
            matching AS (SELECT x.*, count(*) OVER () AS total FROM ({matching}) x)
            SELECT * FROM matching m WHERE ${n + 2}::text IS NULL OR ({columns}) > ({after})
            ORDER BY {columns} LIMIT ${n + 1}""",
        *args,
        limit + 1,
        *_uncursor(cursor, len(order)),
    )
    shown = rows[:limit]
    cursors = [_cursor([r[c] for c, _ in order]) for r in shown]
    total = int(rows[0]["total"]) if rows else 0
    if not rows and cursor is not None:
        total = await conn.fetchval(f"WITH RECURSIVE {subtree} SELECT count(*) FROM ({matching}) x", *args)
    return [view(r) for r in shown], cursors, cursors[-1] if len(rows) > limit else None, total


async def deliveries(  # noqa: PLR0917 - the listing's filters, passed by the one query
    conn: Conn,
    unit: UnitRow | None,
    due_from: datetime.datetime | None,
    due_to: datetime.datetime | None,
    station_id: str | None,
    problems_only: bool,
    now: datetime.datetime,
    cursor: str | None,
    limit: int,
    as_of: datetime.date | None = None,
) -> DeliveryPage:
    # "A problem" is what ``programmes_read.timeliness`` calls late, missing or failed.
    matching = f"""SELECT d.* FROM {OPS}.deliveries d
        WHERE ($2::timestamptz IS NULL OR d.due_at >= $2) AND ($3::timestamptz IS NULL OR d.due_at < $3)
          AND ($4::text IS NULL OR d.station_id = $4)
          AND (NOT $5 OR d.status = 'failed' OR (d.status = 'aired' AND d.aired_at > d.due_at)
               OR (d.status NOT IN ('aired', 'failed') AND d.due_at < $6))"""
    order = [("due_at", "timestamptz"), ("programme_id", "text"), ("station_id", "text")]
    args = (unit.unit_id if unit else None, due_from, due_to, station_id, problems_only, now)
    items, cursors, more, total = await _page(
        conn, _in_unit(matching), order, args, cursor, limit, lambda r: _delivery(r, now), as_of
    )
    return DeliveryPage(deliveries=items, cursors=cursors, next_cursor=more, total_count=total)


async def sessions(  # noqa: PLR0917 - the listing's filters, passed by the one query
    conn: Conn,
    unit: UnitRow | None,
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None,
    station_id: str | None,
    cursor: str | None,
    limit: int,
    as_of: datetime.date | None = None,
) -> SessionPage:
    matching = f"""SELECT s.*, {outside_schedule_sql("s")} AS outside_schedule FROM {AIRTIME}.sessions s
        WHERE ($2::timestamptz IS NULL OR s.ended_at > $2) AND ($3::timestamptz IS NULL OR s.started_at < $3)
          AND ($4::text IS NULL OR s.station_id = $4)"""
    order = [("started_at", "timestamptz"), ("session_id", "text")]
    args = (unit.unit_id if unit else None, starts_at, ends_at, station_id)
    items, cursors, more, total = await _page(conn, _in_unit(matching), order, args, cursor, limit, _session, as_of)
    return SessionPage(sessions=items, cursors=cursors, next_cursor=more, total_count=total)


async def sessions_by_ids(conn: Conn, session_ids: Sequence[str]) -> list[SessionView]:
    rows = await conn.fetch(
        f"""SELECT s.*, {outside_schedule_sql("s")} AS outside_schedule
            FROM unnest($1::text[]) WITH ORDINALITY AS asked(session_id, n)
            JOIN {AIRTIME}.sessions s USING (session_id) ORDER BY asked.n""",
        list(dict.fromkeys(session_ids)),
    )
    return [_session(r) for r in rows]


async def outreach_records(  # noqa: PLR0917 - the listing's filters, passed by the one query
    conn: Conn,
    unit: UnitRow | None,
    first_day: datetime.date | None,
    last_day: datetime.date | None,
    kind: str | None,
    cursor: str | None,
    limit: int,
    as_of: datetime.date | None = None,
) -> OutreachPage:
    matching = f"""SELECT o.* FROM {OPS}.outreach o
        WHERE ($1::text IS NULL OR o.unit_code IN
                 (SELECT u.code FROM {REGISTRY}.units u JOIN subtree t ON t.unit_id = u.unit_id))
          AND ($2::date IS NULL OR o.on_date >= $2) AND ($3::date IS NULL OR o.on_date <= $3)
          AND ($4::text IS NULL OR o.kind = $4)"""
    order = [("on_date", "date"), ("outreach_id", "text")]
    args = (unit.unit_id if unit else None, first_day, last_day, kind)
    items, cursors, more, total = await _page(conn, matching, order, args, cursor, limit, _outreach, as_of)
    return OutreachPage(records=items, cursors=cursors, next_cursor=more, total_count=total)


async def outreach_days(  # noqa: PLR0917 - the listing's filters, passed by the one query
    conn: Conn,
    unit: UnitRow,
    first_day: datetime.date,
    last_day: datetime.date,
    cursor: str | None,
    limit: int,
    as_of: datetime.date | None = None,
) -> OutreachDayPage:
    """A unit's outreach per unit and day (``outreach_read.outreach``'s days), paged."""
    matching = f"""SELECT o.unit_code, o.on_date,
               count(*) FILTER (WHERE o.kind = 'session') AS sessions,
               count(*) FILTER (WHERE o.kind = 'vehicle_trip') AS vehicle_trips
        FROM {OPS}.outreach o
        WHERE o.on_date BETWEEN $2 AND $3
          AND o.unit_code IN (SELECT u.code FROM {REGISTRY}.units u JOIN subtree t ON t.unit_id = u.unit_id)
        GROUP BY o.unit_code, o.on_date"""
    order = [("on_date", "date"), ("unit_code", "text")]
    args = (unit.unit_id, first_day, last_day)
    items, cursors, more, total = await _page(conn, matching, order, args, cursor, limit, _outreach_day, as_of)
    return OutreachDayPage(days=items, cursors=cursors, next_cursor=more, total_count=total)


async def outreach_by_ids(conn: Conn, outreach_ids: Sequence[str]) -> list[OutreachRecordView]:
    rows = await conn.fetch(
        f"""SELECT o.* FROM unnest($1::text[]) WITH ORDINALITY AS asked(outreach_id, n)
            JOIN {OPS}.outreach o USING (outreach_id) ORDER BY asked.n""",
        list(dict.fromkeys(outreach_ids)),
    )
    return [_outreach(r) for r in rows]


def _in_unit(matching: str) -> str:
    return f"SELECT x.* FROM ({matching}) x WHERE {_IN_UNIT}"


def _delivery(r: asyncpg.Record, now: datetime.datetime) -> DeliveryView:
    row: dict[str, Any] = {k: r[k] for k in DeliveryView.__struct_fields__ if k != "timeliness"}
    return DeliveryView(**row, timeliness=timeliness(row, now))


def _session(r: asyncpg.Record) -> SessionView:
    fields: dict[str, Any] = {k: r[k] for k in ("session_id", "station_id", "unit_code", "source", "programme_id")}
    return SessionView(
        **fields, cancelled=r["cancelled"], started_at=r["started_at"].isoformat(), ended_at=r["ended_at"].isoformat(),
        outside_schedule=r["outside_schedule"],
    )  # fmt: skip


def _outreach_day(r: asyncpg.Record) -> OutreachDay:
    return OutreachDay(**{f: r[f] for f in OutreachDay.__struct_fields__})


def _outreach(r: asyncpg.Record) -> OutreachRecordView:
    return OutreachRecordView(**{f: r[f] for f in OutreachRecordView.__struct_fields__})

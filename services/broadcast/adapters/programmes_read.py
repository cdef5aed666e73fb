"""Programme and delivery queries: lists with cursor pagination, period summaries, deliveries
of many programmes, and per-station views of late or missing deliveries."""

from __future__ import annotations

import base64
import datetime
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import asyncpg
import msgspec

from contracts.api.broadcast import Timeliness
from contracts.api.broadcast_views import (
    ApprovalStepView,
    DeliveryView,
    PriorityFigures,
    ProgrammePage,
    ProgrammeSummary,
    ProgrammeView,
    TopicCount,
)
from contracts.broadcast_events import AudioFile, Priority, ProgrammeItem
from libs.common.db import Conn
from libs.common.errors import InvalidInputError
from services.broadcast.adapters.page_totals import page_total
from services.broadcast.adapters.registry_view import UnitRow, subtree_as_of
from services.broadcast.domain.period import Period, format_duration

OPS = "broadcast_operations"
_items = msgspec.json.Decoder(list[ProgrammeItem])
_audio = msgspec.json.Decoder(AudioFile)
_history = msgspec.json.Decoder(list[ApprovalStepView])
PRIORITIES: tuple[Priority, ...] = ("normal", "priority", "emergency")


def _cursor(air_date: datetime.date, programme_id: str) -> str:
    return base64.urlsafe_b64encode(f"{air_date.isoformat()}|{programme_id}".encode()).decode()


def _uncursor(cursor: str) -> tuple[datetime.date, str]:
    try:
        day, programme_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
        return datetime.date.fromisoformat(day), programme_id
    except (ValueError, UnicodeDecodeError):
        raise InvalidInputError("the cursor is not one this service gave out", code="invalid_cursor") from None


def _view(row: asyncpg.Record) -> ProgrammeView:
    return ProgrammeView(
        programme_id=row["programme_id"],
        unit_code=row["unit_code"],
        title=row["title"],
        air_date=row["air_date"],
        duration_seconds=row["duration_seconds"],
        news_items=row["news_items"],
        articles=row["articles"],
        segments=list(row["segments"]),
        items=_items.decode(row["items"]),
        audio=None if row["audio"] is None else _audio.decode(row["audio"]),
        corrections=row["corrections"],
        priority=row["priority"],
        approval=row["approval"],
        approval_history=_history.decode(row["approval_history"]),
    )


_LISTED = """($1::text IS NULL OR p.unit_id IN (SELECT unit_id FROM subtree))
    AND ($2::date IS NULL OR p.air_date >= $2) AND ($3::date IS NULL OR p.air_date <= $3)"""
"""The listing's filters: producer subtree ``$1`` (in the tree of the day its ``subtree_as_of``
placeholder holds), first day ``$2``, last day ``$3``."""


async def list_programmes(
    conn: Conn,
    unit: UnitRow | None,
    *,
    first_day: datetime.date | None,
    last_day: datetime.date | None,
    cursor: str | None,
    limit: int,
    as_of: datetime.date | None = None,
) -> ProgrammePage:
    """``as_of``: the day whose unit tree gives the producer's subtree (None: today's)."""
    after_day, after_id = _uncursor(cursor) if cursor else (datetime.date.min, "")
    # One statement for the page and the total: the count is a window over the filtered rows,
    # taken before the cursor narrows them.
    rows = await conn.fetch(
        f"""WITH RECURSIVE {subtree_as_of("$7")},
            matching AS (SELECT p.*, count(*) OVER () AS total FROM {OPS}.programmes p WHERE {_LISTED})
            SELECT * FROM matching m
            WHERE (m.air_date, m.programme_id) > ($4::date, $5::text)
            ORDER BY m.air_date, m.programme_id LIMIT $6""",
        unit.unit_id if unit else None,
        first_day,
        last_day,
        after_day,
        after_id,
        limit + 1,
        as_of,
    )
    views = [_view(r) for r in rows[:limit]]
    more = len(rows) > limit
    total = await page_total(
        rows,
        cursor,
        lambda: conn.fetchval(
            f"WITH RECURSIVE {subtree_as_of('$4')} SELECT count(*) FROM {OPS}.programmes p WHERE {_LISTED}",
            unit.unit_id if unit else None,
            first_day,
            last_day,
            as_of,
        ),
    )
    return ProgrammePage(
        programmes=views,
        next_cursor=_cursor(views[-1].air_date, views[-1].programme_id) if more else None,
        total_count=total,
    )


async def programmes_by_ids(conn: Conn, programme_ids: Sequence[str]) -> list[ProgrammeView]:
    """The programmes with these ids, in the order asked; unknown ids are left out."""
    rows = await conn.fetch(
        f"""SELECT p.* FROM unnest($1::text[]) WITH ORDINALITY AS asked(programme_id, n)
            JOIN {OPS}.programmes p USING (programme_id) ORDER BY asked.n""",
        list(programme_ids),
    )
    return [_view(r) for r in rows]


async def programme_summary(
    conn: Conn, unit: UnitRow, period: Period, as_of: datetime.date | None = None
) -> ProgrammeSummary:
    """``as_of``: the day whose unit tree gives the unit's producers (None: today's)."""
    rows = await conn.fetch(
        f"""WITH RECURSIVE {subtree_as_of("$4")}
            SELECT p.* FROM {OPS}.programmes p
            WHERE p.unit_id IN (SELECT unit_id FROM subtree) AND p.air_date BETWEEN $2 AND $3""",
        unit.unit_id,
        period.first_day,
        period.last_day,
        as_of,
    )
    views = [_view(r) for r in rows]
    sent = await conn.fetch(
        f"""SELECT d.priority, count(*) AS deliveries, count(*) FILTER (WHERE d.status = 'aired') AS aired
            FROM {OPS}.deliveries d WHERE d.programme_id = ANY($1::text[]) GROUP BY d.priority""",
        [v.programme_id for v in views],
    )
    delivered = {r["priority"]: (r["deliveries"], r["aired"]) for r in sent}
    segments: Counter[str] = Counter(s for v in views for s in v.segments)
    topics: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for v in views:
        for item in v.items:
            if item.topic:
                topics[item.topic][0 if item.kind == "news" else 1] += 1
    seconds = sum(v.duration_seconds for v in views)
    return ProgrammeSummary(
        unit_code=unit.code,
        period=str(period),
        programmes=len(views),
        news_items=sum(v.news_items for v in views),
        articles=sum(v.articles for v in views),
        duration_seconds=seconds,
        duration=format_duration(seconds),
        segments=dict(sorted(segments.items())),
        topics=[TopicCount(topic=t, news_items=n[0], articles=n[1]) for t, n in sorted(topics.items())],
        by_priority=[
            PriorityFigures(
                priority=p,
                programmes=sum(1 for v in views if v.priority == p),
                news_items=sum(_news_of_priority(v, p) for v in views),
                deliveries=delivered.get(p, (0, 0))[0],
                aired=delivered.get(p, (0, 0))[1],
            )
            for p in PRIORITIES
        ],
    )


def _news_of_priority(programme: ProgrammeView, priority: Priority) -> int:
    """A programme's news items of ``priority``: a listed item's is the higher of its own and
    its programme's (an item is raised above its bulletin, never below); unlisted items have
    the programme's."""
    if not programme.items:
        return programme.news_items if programme.priority == priority else 0
    floor = PRIORITIES.index(programme.priority)
    return sum(
        1
        for i in programme.items
        if i.kind == "news" and PRIORITIES[max(floor, PRIORITIES.index(i.priority))] == priority
    )


def timeliness(row: dict[str, object], now: datetime.datetime) -> Timeliness:
    status, due = row["status"], row["due_at"]
    assert isinstance(due, datetime.datetime)
    if status == "failed":
        return "failed"
    if status == "aired":
        aired = row["aired_at"]
        assert isinstance(aired, datetime.datetime)
        return "late" if aired > due else "on_time"
    if now <= due:
        return "pending"
    return "late" if status == "received" else "missing"


def _delivery(r: asyncpg.Record, now: datetime.datetime) -> DeliveryView:
    row: dict[str, Any] = dict(r)
    return DeliveryView(**row, timeliness=timeliness(row, now))


_DELIVERY_COLUMNS = (
    "programme_id, station_id, unit_code, status, sent_at, due_at, received_at, aired_at, failed_at, failure_reason, "
    "priority"
)


async def deliveries_of(
    conn: Conn, programme_ids: Sequence[str], now: datetime.datetime
) -> dict[str, list[DeliveryView]]:
    rows = await conn.fetch(
        f"""SELECT {_DELIVERY_COLUMNS} FROM {OPS}.deliveries WHERE programme_id = ANY($1::text[])
            ORDER BY programme_id, station_id""",
        list(programme_ids),
    )
    out: dict[str, list[DeliveryView]] = {p: [] for p in programme_ids}
    for r in rows:
        out[r["programme_id"]].append(_delivery(r, now))
    return out


async def deliveries_at(
    conn: Conn, station_ids: Sequence[str], now: datetime.datetime, only_problems: bool
) -> dict[str, list[DeliveryView]]:
    rows = await conn.fetch(
        f"""SELECT {_DELIVERY_COLUMNS} FROM {OPS}.deliveries WHERE station_id = ANY($1::text[])
            ORDER BY station_id, due_at, programme_id""",
        list(station_ids),
    )
    out: dict[str, list[DeliveryView]] = {s: [] for s in station_ids}
    for r in rows:
        view = _delivery(r, now)
        if not only_problems or view.timeliness in ("late", "missing", "failed"):
            out[r["station_id"]].append(view)
    return out

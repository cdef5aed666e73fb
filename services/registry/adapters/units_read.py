"""Queries on the units read model (schema ``registry_units``), named for what they answer.

Every query can be asked "as of" a date: which units existed that day, under which name and
which parent. Without a date, the current state (units that have ended included, with their
end date) is answered.
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Sequence
from typing import Any

import msgspec

from contracts.api.registry_views import ChildrenPage, UnitPage, UnitView
from libs.common.db import Conn
from libs.common.errors import InvalidInputError

S = "registry_units"

# One select for every query: with $1 = as_of (NULL: current), name and parent are taken from
# the history tables for that day.
_SELECT = f"""
    SELECT u.unit_id, u.code, u.level, u.unit_type, u.valid_from, u.valid_to, u.status,
           ARRAY(SELECT l.successor_id FROM {S}.lineage l WHERE l.predecessor_id = u.unit_id
                 ORDER BY l.successor_id) AS successor_ids,
           ARRAY(SELECT l.predecessor_id FROM {S}.lineage l WHERE l.successor_id = u.unit_id
                 ORDER BY l.predecessor_id) AS predecessor_ids,
           coalesce(n.name, u.name) AS name,
           CASE WHEN $1::date IS NULL THEN u.parent_id ELSE p.parent_id END AS parent_id
    FROM {S}.units u
    LEFT JOIN {S}.unit_names n ON $1::date IS NOT NULL AND n.unit_id = u.unit_id
         AND n.valid_from <= $1::date AND (n.valid_to IS NULL OR $1::date < n.valid_to)
    LEFT JOIN {S}.unit_parents p ON $1::date IS NOT NULL AND p.unit_id = u.unit_id
         AND p.valid_from <= $1::date AND (p.valid_to IS NULL OR $1::date < p.valid_to)
"""
_PARENT_ON = "(CASE WHEN $1::date IS NULL THEN u.parent_id ELSE p.parent_id END)"
_EXISTS_ON = "($1::date IS NULL OR (u.valid_from <= $1::date AND (u.valid_to IS NULL OR $1::date < u.valid_to)))"


def _view(row: Any) -> UnitView:
    return UnitView(
        unit_id=row["unit_id"],
        code=row["code"],
        name=row["name"],
        level=row["level"],
        unit_type=row["unit_type"],
        parent_id=row["parent_id"],
        valid_from=row["valid_from"],
        valid_to=row["valid_to"],
        status=row["status"],
        successor_ids=list(row["successor_ids"]),
        predecessor_ids=list(row["predecessor_ids"]),
    )


def encode_cursor(code: str, unit_id: str) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode([code, unit_id])).decode()


def decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        code, unit_id = msgspec.json.decode(base64.urlsafe_b64decode(cursor.encode()), type=tuple[str, str])
    except (ValueError, msgspec.DecodeError):
        raise InvalidInputError("the cursor is not one this API handed out", code="invalid_cursor") from None
    return code, unit_id


async def units_by_ids(conn: Conn, ids: Sequence[str], as_of: datetime.date | None = None) -> list[UnitView]:
    rows = await conn.fetch(f"{_SELECT} WHERE u.unit_id = ANY($2::text[])", as_of, list(ids))
    by_id = {row["unit_id"]: _view(row) for row in rows}
    return [by_id[i] for i in ids if i in by_id]


async def units_by_codes(conn: Conn, codes: Sequence[str], as_of: datetime.date | None = None) -> list[UnitView]:
    """The unit holding each code on ``as_of`` (or the latest holder of it, without a date)."""
    rows = await conn.fetch(
        f"""
        SELECT DISTINCT ON (u.code) * FROM ({_SELECT} WHERE u.code = ANY($2::text[]) AND {_EXISTS_ON}) u
        ORDER BY u.code, u.valid_from DESC
        """,
        as_of,
        list(codes),
    )
    by_code = {row["code"]: _view(row) for row in rows}
    return [by_code[c] for c in codes if c in by_code]


async def list_units(
    conn: Conn,
    *,
    as_of: datetime.date | None = None,
    level: str | None = None,
    parent_id: str | None = None,
    search: str | None = None,
    first: int = 50,
    after: str | None = None,
) -> UnitPage:
    """Units in code order, filtered; ``search`` ignores case and Vietnamese diacritics."""
    conditions = [_EXISTS_ON]
    args: list[Any] = [as_of]

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    if level is not None:
        conditions.append(f"u.level = {arg(level)}")
    if parent_id is not None:
        conditions.append(f"{_PARENT_ON} = {arg(parent_id)}")
    if search:
        # Match the name the unit had on the day asked about, or any name in its history
        # without a date (so an old name still finds the unit).
        # LIKE's own wildcards in the search text are literal characters, not patterns.
        needle = arg(search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"))
        conditions.append(
            f"""u.unit_id IN (SELECT n2.unit_id FROM {S}.unit_names n2
                WHERE n2.search_name LIKE '%' || public.tinhso_search_text({needle}) || '%'
                  AND ($1::date IS NULL
                       OR (n2.valid_from <= $1::date AND (n2.valid_to IS NULL OR $1::date < n2.valid_to))))"""
        )
    where = " AND ".join(conditions)
    filtered = f"{_SELECT} WHERE {where}"
    total: int = await conn.fetchval(f"SELECT count(*) FROM ({filtered}) t", *args)
    page_args = list(args)
    cursor_condition = ""
    if after is not None:
        code, unit_id = decode_cursor(after)
        page_args += [code, unit_id]
        cursor_condition = f"WHERE (t.code, t.unit_id) > (${len(page_args) - 1}, ${len(page_args)})"
    page_args.append(first + 1)
    rows = await conn.fetch(
        f"SELECT * FROM ({filtered}) t {cursor_condition} ORDER BY t.code, t.unit_id LIMIT ${len(page_args)}",
        *page_args,
    )
    return _page([_view(r) for r in rows[:first]], total, has_next_page=len(rows) > first)


def _page(items: list[UnitView], total: int, *, has_next_page: bool) -> UnitPage:
    end_cursor = encode_cursor(items[-1].code, items[-1].unit_id) if items else None
    return UnitPage(items=items, total_count=total, has_next_page=has_next_page, end_cursor=end_cursor)


async def children_pages(
    conn: Conn, parent_ids: Sequence[str], *, as_of: datetime.date | None = None, first: int = 50
) -> list[ChildrenPage]:
    """The first page of each parent's children, in one query: what a GraphQL level asking
    ``children`` of many units needs (one call, not one per parent). Parents are answered in
    the order asked, an unknown or childless one with an empty page."""
    rows = await conn.fetch(
        f"""
        SELECT * FROM (
            SELECT t.*, row_number() OVER (PARTITION BY t.parent_id ORDER BY t.code, t.unit_id) AS rn,
                   count(*) OVER (PARTITION BY t.parent_id) AS total
            FROM ({_SELECT} WHERE {_EXISTS_ON} AND {_PARENT_ON} = ANY($2::text[])) t
        ) x WHERE x.rn <= $3 ORDER BY x.parent_id, x.rn
        """,
        as_of,
        list(parent_ids),
        first,
    )
    grouped: dict[str, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row["parent_id"], []).append(row)
    pages = []
    for parent_id in parent_ids:
        children = grouped.get(parent_id, [])
        items = [_view(r) for r in children]
        total = children[0]["total"] if children else 0
        pages.append(ChildrenPage(parent_id=parent_id, page=_page(items, total, has_next_page=total > len(items))))
    return pages


async def descendant_ids(conn: Conn, unit_id: str, level: str | None = None) -> list[str]:
    """The unit and everything under it in the current hierarchy (closure table)."""
    rows = await conn.fetch(
        f"""
        SELECT c.descendant_id FROM {S}.closure c JOIN {S}.units u ON u.unit_id = c.descendant_id
        WHERE c.ancestor_id = $1 AND ($2::text IS NULL OR u.level = $2) ORDER BY c.depth, u.code
        """,
        unit_id,
        level,
    )
    return [r["descendant_id"] for r in rows]

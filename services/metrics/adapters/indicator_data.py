"""Queries the evaluator and the commands need: units and subtrees on a day, fact totals,
reported values and their history, targets, thresholds.

Facts and the hierarchy live in ``metrics_facts``; reported values and targets in
``metrics_values`` (both projections of this service).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import asyncpg

from libs.common.db import Conn
from services.metrics.domain.values import Threshold

FACTS = "metrics_facts"
VALUES = "metrics_values"

_TREE = f"""
WITH RECURSIVE tree(root, unit_id, parent_id) AS (
    SELECT u.unit_id, u.unit_id, NULL::text FROM {FACTS}.units u WHERE u.unit_id = ANY($1::text[])
    UNION ALL
    SELECT t.root, p.unit_id, p.parent_id FROM tree t
    JOIN {FACTS}.unit_parents p ON p.parent_id = t.unit_id
     AND p.valid_from <= $2 AND (p.valid_to IS NULL OR p.valid_to > $2)
)
"""


@dataclass(frozen=True, slots=True)
class UnitRow:
    unit_id: str
    code: str
    name: str
    level: str
    valid_to: datetime.date | None = None
    """The first day it no longer exists (merged, split, dissolved), if it ended."""


@dataclass(frozen=True, slots=True)
class Reported:
    code: str
    unit_id: str
    period: str
    value: float
    source: str
    recorded_at: datetime.datetime


async def units_by_code(
    conn: Conn, codes: list[str], day: datetime.date, since: datetime.date | None = None
) -> dict[str, UnitRow]:
    """The unit holding each code on ``day``; with ``since``, the latest to hold it at any time
    in ``since``..``day`` (a commune merged away in mid-2025 is still the one its 2025 report is
    about, and codes are reused after merges)."""
    rows = await conn.fetch(
        f"""SELECT DISTINCT ON (code) unit_id, code, name, level, valid_to FROM {FACTS}.units
            WHERE code = ANY($1::text[]) AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $3)
            ORDER BY code, valid_from DESC""",
        codes, day, since or day,
    )  # fmt: skip
    return {r["code"]: UnitRow(r["unit_id"], r["code"], r["name"], r["level"], r["valid_to"]) for r in rows}


async def units_at_level(conn: Conn, parent_id: str | None, level: str, day: datetime.date) -> list[UnitRow]:
    """Units of ``level`` valid on ``day``, under ``parent_id`` (any depth) or anywhere."""
    if parent_id is None:
        rows = await conn.fetch(
            f"""SELECT unit_id, code, name, level FROM {FACTS}.units
                WHERE level = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2) ORDER BY code""",
            level, day,
        )  # fmt: skip
    else:
        rows = await conn.fetch(
            _TREE
            + f"""SELECT u.unit_id, u.code, u.name, u.level FROM tree t JOIN {FACTS}.units u USING (unit_id)
                  WHERE u.level = $3 AND u.valid_from <= $2 AND (u.valid_to IS NULL OR u.valid_to > $2)
                  ORDER BY u.code""",
            [parent_id], day, level,
        )  # fmt: skip
    return [UnitRow(r["unit_id"], r["code"], r["name"], r["level"]) for r in rows]


async def subtree_edges(conn: Conn, roots: list[str], day: datetime.date) -> list[tuple[str, str, str | None]]:
    """(root, unit_id, parent_id) for every unit at or below each root on ``day``."""
    rows = await conn.fetch(_TREE + "SELECT root, unit_id, parent_id FROM tree", roots, day)
    return [(r["root"], r["unit_id"], r["parent_id"]) for r in rows]


async def fact_totals(
    conn: Conn,
    roots: list[str],
    day: datetime.date,
    *,
    stock_facts: list[str],
    flow_facts: list[str],
    flow_from: datetime.date,
) -> dict[tuple[str, str], tuple[float, int]]:
    """Per (root, fact): the sum over the root's subtree and how many units hold some of it.
    Stocks on ``day``; flows over ``flow_from``..``day``."""
    if not stock_facts and not flow_facts:
        return {}
    rows = await conn.fetch(
        _TREE
        + f"""SELECT t.root, f.fact, sum(f.value) AS total, count(DISTINCT f.unit_id) AS holders
              FROM tree t JOIN {FACTS}.facts f ON f.unit_id = t.unit_id
              WHERE (f.fact = ANY($3::text[]) AND f.valid_from <= $2 AND (f.valid_to IS NULL OR f.valid_to > $2))
                 OR (f.fact = ANY($4::text[]) AND f.valid_from BETWEEN $5 AND $2)
              GROUP BY 1, 2""",
        roots, day, stock_facts, flow_facts, flow_from,
    )  # fmt: skip
    return {(r["root"], r["fact"]): (float(r["total"]), int(r["holders"])) for r in rows}


async def first_reports(
    conn: Conn, codes: list[str], unit_ids: list[str], periods: list[str]
) -> dict[tuple[str, str], datetime.datetime]:
    """When each (code, unit) was first reported for any of the periods (corrections later do
    not move it)."""
    rows = await conn.fetch(
        f"""SELECT code, unit_id, min(recorded_at) AS first FROM {VALUES}.reported_history
            WHERE code = ANY($1::text[]) AND period = ANY($3::text[]) AND unit_id = ANY($2::text[])
            GROUP BY code, unit_id""",
        codes, unit_ids, periods,
    )  # fmt: skip
    return {(r["code"], r["unit_id"]): r["first"] for r in rows}


async def reported_values(conn: Conn, codes: list[str], unit_ids: list[str], periods: list[str]) -> list[Reported]:
    rows = await conn.fetch(
        f"""SELECT code, unit_id, period, value, source, recorded_at FROM {VALUES}.reported
            WHERE code = ANY($1::text[]) AND period = ANY($3::text[]) AND unit_id = ANY($2::text[])""",
        codes, unit_ids, periods,
    )  # fmt: skip
    return [Reported(r["code"], r["unit_id"], r["period"], r["value"], r["source"], r["recorded_at"]) for r in rows]


async def targets(conn: Conn, codes: list[str], unit_ids: list[str], year: int) -> dict[tuple[str, str], float]:
    rows = await conn.fetch(
        f"""SELECT code, unit_id, target FROM {VALUES}.targets
            WHERE code = ANY($1::text[]) AND unit_id = ANY($2::text[]) AND year = $3""",
        codes, unit_ids, year,
    )  # fmt: skip
    return {(r["code"], r["unit_id"]): r["target"] for r in rows}


async def threshold(conn: Conn, code: str) -> Threshold | None:
    row = await conn.fetchrow(
        f"SELECT operator, threshold, level, severity FROM {VALUES}.thresholds WHERE code = $1", code
    )
    return None if row is None else Threshold(row["operator"], row["threshold"], row["level"], row["severity"])


async def thresholds(conn: Conn) -> dict[str, Threshold]:
    """Every indicator's threshold, by code."""
    return {
        r["code"]: Threshold(r["operator"], r["threshold"], r["level"], r["severity"])
        for r in await conn.fetch(f"SELECT code, operator, threshold, level, severity FROM {VALUES}.thresholds")
    }


async def reported_history(conn: Conn, code: str, unit_id: str, period: str) -> list[asyncpg.Record]:
    """Every version of one reported value, oldest first."""
    return list(
        await conn.fetch(
            f"""SELECT value, previous_value, source, comment, actor, partner, recorded_at, version
                FROM {VALUES}.reported_history WHERE code = $1 AND unit_id = $2 AND period = $3
                ORDER BY version""",
            code,
            unit_id,
            period,
        )
    )

"""Queries on the broadcast service's read model of the registry (``broadcast_registry``).

The hierarchy is followed with recursive queries over ``parent_id`` at read time, so the
answer is complete whichever order the units' events arrived in; ``subtree_as_of`` follows
the parents a unit had on a past day instead (``unit_parents``).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence

import msgspec

from libs.common.db import Conn

S = "broadcast_registry"

SUBTREE_CTE = f"""
    subtree AS (
        SELECT unit_id FROM {S}.units WHERE unit_id = $1
        UNION
        SELECT u.unit_id FROM {S}.units u JOIN subtree t ON u.parent_id = t.unit_id
    )
"""
"""``WITH RECURSIVE`` body: the unit ``$1`` and every unit under it (current hierarchy)."""


def parents_as_of(day: str) -> str:
    """A subquery of ``(unit_id, parent_id)``: each unit's parent on the day the placeholder
    ``day`` holds (a NULL day: today's ``parent_id``)."""
    return f"""(
            SELECT unit_id, parent_id FROM {S}.units WHERE {day}::date IS NULL
            UNION ALL
            SELECT unit_id, parent_id FROM {S}.unit_parents
            WHERE {day}::date IS NOT NULL AND valid_from <= {day}::date
              AND (valid_to IS NULL OR {day}::date < valid_to)
        )"""


def subtree_as_of(day: str) -> str:
    """``WITH RECURSIVE`` body: the unit ``$1`` and every unit under it on the day the placeholder
    ``day`` holds, as the tree stood then (a NULL day: the current hierarchy, as ``SUBTREE_CTE``).

    A dissolved district keeps its communes on a day before it ended, also those that moved on
    to another parent later; a unit that did not exist yet, or no longer, is under nothing."""
    return f"""
    subtree AS (
        SELECT unit_id FROM {S}.units WHERE unit_id = $1
        UNION
        SELECT e.unit_id FROM {parents_as_of(day)} e JOIN subtree t ON e.parent_id = t.unit_id
    )
"""


class UnitRow(msgspec.Struct, frozen=True, kw_only=True):
    unit_id: str
    code: str
    name: str
    level: str
    parent_id: str | None


class StationRow(msgspec.Struct, frozen=True, kw_only=True):
    station_id: str
    unit_id: str
    unit_code: str
    status: str


class ClusterRow(msgspec.Struct, frozen=True, kw_only=True):
    cluster_id: str
    station_id: str
    status: str
    unit_id: str | None
    unit_code: str | None
    """The station's commune; ``None`` while the station (or its commune) is not projected yet."""


async def unit_by_code(conn: Conn, code: str, as_of: datetime.date | None = None) -> UnitRow | None:
    """The unit holding the code now (codes are reused after merges: the current holder wins),
    or, with ``as_of``, the one that held it that day (none if no unit did)."""
    row = await conn.fetchrow(
        f"""SELECT unit_id, code, name, level, parent_id FROM {S}.units
            WHERE code = $1 AND ($2::date IS NULL OR (valid_from <= $2 AND (valid_to IS NULL OR $2 < valid_to)))
            ORDER BY valid_to IS NULL DESC, valid_from DESC LIMIT 1""",
        code,
        as_of,
    )
    return None if row is None else UnitRow(**dict(row))


class UnitTree:
    """The administrative tree as this read model holds it, for ``libs.common.reach.require_within``."""

    async def unit_id(self, conn: Conn, code: str) -> str | None:
        unit = await unit_by_code(conn, code)
        return None if unit is None else unit.unit_id

    async def parents(self, conn: Conn, unit_ids: Sequence[str]) -> Mapping[str, str | None]:
        rows = await conn.fetch(
            f"SELECT unit_id, parent_id FROM {S}.units WHERE unit_id = ANY($1::text[])", list(unit_ids)
        )
        return {r["unit_id"]: r["parent_id"] for r in rows}


TREE = UnitTree()


async def stations(conn: Conn, station_ids: Sequence[str]) -> dict[str, StationRow]:
    rows = await conn.fetch(
        f"""SELECT s.station_id, s.unit_id, u.code AS unit_code, s.status
            FROM {S}.stations s JOIN {S}.units u ON u.unit_id = s.unit_id
            WHERE s.station_id = ANY($1::text[])""",
        list(set(station_ids)),
    )
    return {r["station_id"]: StationRow(**dict(r)) for r in rows}


async def stations_in_area(conn: Conn, unit_id: str) -> list[StationRow]:
    """Every station not decommissioned in the unit or under it, in station order."""
    rows = await conn.fetch(
        f"""WITH RECURSIVE {SUBTREE_CTE}
            SELECT s.station_id, s.unit_id, u.code AS unit_code, s.status
            FROM {S}.stations s JOIN subtree t ON t.unit_id = s.unit_id JOIN {S}.units u ON u.unit_id = s.unit_id
            WHERE s.status <> 'DECOMMISSIONED' ORDER BY s.station_id""",
        unit_id,
    )
    return [StationRow(**dict(r)) for r in rows]


async def clusters(conn: Conn, cluster_ids: Sequence[str]) -> dict[str, ClusterRow]:
    rows = await conn.fetch(
        f"""SELECT c.cluster_id, c.station_id, c.status, s.unit_id, u.code AS unit_code
            FROM {S}.clusters c
            LEFT JOIN {S}.stations s ON s.station_id = c.station_id
            LEFT JOIN {S}.units u ON u.unit_id = s.unit_id
            WHERE c.cluster_id = ANY($1::text[])""",
        list(set(cluster_ids)),
    )
    return {r["cluster_id"]: ClusterRow(**dict(r)) for r in rows}


OPERATOR_KINDS = ("telecom", "post")
"""Organisations that operate assets for the province: an incident may be assigned to them."""


async def operator_exists(conn: Conn, code: str) -> bool:
    """Whether ``code`` names an operator (a telecom or the post), as registered."""
    found: bool = await conn.fetchval(
        f"SELECT EXISTS (SELECT 1 FROM {S}.organisations WHERE code = $1 AND kind = ANY($2::text[]))",
        code,
        list(OPERATOR_KINDS),
    )
    return found

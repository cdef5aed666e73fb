"""Queries on the ``registry_unit_groups`` read model (ADR 0056): a group with its members on
a day (or every membership), and the list of groups. Members' names and levels come from the
``registry_units`` read model, as of the day asked."""

from __future__ import annotations

import datetime

from contracts.api.unit_groups import UnitGroupMemberView, UnitGroupView
from libs.common.db import Conn

S = "registry_unit_groups"
UNITS = "registry_units"

_MEMBERS = f"""
    SELECT m.group_code, m.unit_id, m.unit_code, m.joined_on, m.left_on,
           coalesce(n.name, u.name, m.unit_code) AS unit_name, u.level
    FROM {S}.unit_group_members m
    LEFT JOIN {UNITS}.units u ON u.unit_id = m.unit_id
    LEFT JOIN {UNITS}.unit_names n ON $2::date IS NOT NULL AND n.unit_id = m.unit_id
         AND n.valid_from <= $2::date AND (n.valid_to IS NULL OR $2::date < n.valid_to)
    WHERE m.group_code = ANY($1::text[])
      AND ($2::date IS NULL OR (m.joined_on <= $2::date AND (m.left_on IS NULL OR $2::date < m.left_on)))
    ORDER BY m.group_code, m.unit_code, m.joined_on
"""


async def unit_groups(conn: Conn, codes: list[str] | None, as_of: datetime.date | None) -> list[UnitGroupView]:
    """The groups named (every group without ``codes``), in code order, each with its members
    on ``as_of`` (every membership, past ones too, without it)."""
    if codes is None:
        rows = await conn.fetch(
            f"SELECT group_code, name, description, source FROM {S}.unit_groups ORDER BY group_code"
        )
    else:
        rows = await conn.fetch(
            f"""SELECT group_code, name, description, source FROM {S}.unit_groups
                WHERE group_code = ANY($1::text[]) ORDER BY group_code""",
            codes,
        )
    members: dict[str, list[UnitGroupMemberView]] = {r["group_code"]: [] for r in rows}
    for m in await conn.fetch(_MEMBERS, list(members), as_of):
        members[m["group_code"]].append(
            UnitGroupMemberView(
                unit_id=m["unit_id"], unit_code=m["unit_code"], unit_name=m["unit_name"], level=m["level"],
                joined_on=m["joined_on"], left_on=m["left_on"],
            )
        )  # fmt: skip
    return [
        UnitGroupView(
            code=r["group_code"], name=r["name"], description=r["description"], source=r["source"], as_of=as_of,
            members=members[r["group_code"]],
        )
        for r in rows
    ]  # fmt: skip

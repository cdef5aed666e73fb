"""Unit groups as the metrics service knows them (ADR 0056): the registry's group events,
kept in the ``metrics_facts`` projection beside the unit tree, and the members of a group on a
day, so a query scoped to a group never calls the registry."""

from __future__ import annotations

import datetime

from libs.common.db import Conn
from services.metrics.adapters.indicator_data import FACTS, UnitRow

TABLES = """
CREATE TABLE IF NOT EXISTS {s}.unit_groups (
    group_code  text PRIMARY KEY,
    name        text NOT NULL
);
CREATE TABLE IF NOT EXISTS {s}.unit_group_members (
    group_code  text NOT NULL,
    unit_id     text NOT NULL,
    joined_on   date NOT NULL,
    left_on     date,
    PRIMARY KEY (group_code, unit_id, joined_on)
);
"""


async def group_created(conn: Conn, s: str, group_code: str, name: str) -> None:
    await conn.execute(
        f"INSERT INTO {s}.unit_groups (group_code, name) VALUES ($1, $2) ON CONFLICT (group_code) DO NOTHING",
        group_code,
        name,
    )


async def member_added(conn: Conn, s: str, group_code: str, unit_id: str, joined_on: datetime.date) -> None:
    await conn.execute(
        f"""INSERT INTO {s}.unit_group_members (group_code, unit_id, joined_on) VALUES ($1, $2, $3)
            ON CONFLICT (group_code, unit_id, joined_on) DO NOTHING""",
        group_code, unit_id, joined_on,
    )  # fmt: skip


async def member_removed(conn: Conn, s: str, group_code: str, unit_id: str, left_on: datetime.date) -> None:
    await conn.execute(
        f"""UPDATE {s}.unit_group_members SET left_on = $3
            WHERE group_code = $1 AND unit_id = $2 AND left_on IS NULL AND joined_on < $3""",
        group_code, unit_id, left_on,
    )  # fmt: skip


async def group_name(conn: Conn, group_code: str) -> str | None:
    name: str | None = await conn.fetchval(f"SELECT name FROM {FACTS}.unit_groups WHERE group_code = $1", group_code)
    return name


async def members_on(conn: Conn, group_code: str, day: datetime.date) -> list[UnitRow]:
    """The group's members on ``day`` that exist that day, in code order."""
    rows = await conn.fetch(
        f"""SELECT u.unit_id, u.code, u.name, u.level FROM {FACTS}.unit_group_members m
            JOIN {FACTS}.units u ON u.unit_id = m.unit_id
            WHERE m.group_code = $1 AND m.joined_on <= $2 AND (m.left_on IS NULL OR m.left_on > $2)
              AND u.valid_from <= $2 AND (u.valid_to IS NULL OR u.valid_to > $2)
            ORDER BY u.code""",
        group_code, day,
    )  # fmt: skip
    return [UnitRow(r["unit_id"], r["code"], r["name"], r["level"]) for r in rows]

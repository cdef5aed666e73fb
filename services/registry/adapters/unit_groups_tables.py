"""SQL of the ``registry_unit_groups`` read model (ADR 0056): each group and every membership
with its dates, so "the group as of a day" is one indexed range test. Writes are idempotent:
a group or a membership is keyed by what names it, and a removal closes only an open row.
"""

from __future__ import annotations

from contracts.registry_events import UnitGroupCreated, UnitGroupMemberAdded, UnitGroupMemberRemoved
from libs.common.db import Conn


def tables_sql(schema: str) -> str:
    s = schema
    return f"""
    CREATE TABLE IF NOT EXISTS {s}.unit_groups (
        group_code   text PRIMARY KEY,
        name         text NOT NULL,
        description  text,
        source       text
    );
    CREATE TABLE IF NOT EXISTS {s}.unit_group_members (
        group_code  text NOT NULL,
        unit_id     text NOT NULL,
        unit_code   text NOT NULL,
        joined_on   date NOT NULL,
        left_on     date,
        PRIMARY KEY (group_code, unit_id, joined_on)
    );
    CREATE INDEX IF NOT EXISTS unit_group_members_unit ON {s}.unit_group_members (unit_id);
    """


async def group_created(conn: Conn, s: str, e: UnitGroupCreated) -> None:
    await conn.execute(
        f"""INSERT INTO {s}.unit_groups (group_code, name, description, source) VALUES ($1, $2, $3, $4)
            ON CONFLICT (group_code) DO NOTHING""",
        e.group_code, e.name, e.description, e.source,
    )  # fmt: skip


async def member_added(conn: Conn, s: str, e: UnitGroupMemberAdded) -> None:
    await conn.execute(
        f"""INSERT INTO {s}.unit_group_members (group_code, unit_id, unit_code, joined_on) VALUES ($1, $2, $3, $4)
            ON CONFLICT (group_code, unit_id, joined_on) DO NOTHING""",
        e.group_code, e.unit_id, e.unit_code, e.joined_on,
    )  # fmt: skip


async def member_removed(conn: Conn, s: str, e: UnitGroupMemberRemoved) -> None:
    await conn.execute(
        f"""UPDATE {s}.unit_group_members SET left_on = $3
            WHERE group_code = $1 AND unit_id = $2 AND left_on IS NULL AND joined_on < $3""",
        e.group_code, e.unit_id, e.left_on,
    )  # fmt: skip

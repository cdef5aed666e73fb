"""Read model of unit groups (ADR 0056): groups and their memberships over time, for the
registry's group queries (tables and writes: ``adapters/unit_groups_tables.py``)."""

from __future__ import annotations

from collections.abc import Sequence

from contracts import registry_events as r
from libs.common.db import Conn
from libs.common.projections.declared import ReadFields, read_model
from libs.common.projections.projection import Applied
from services.registry.adapters import unit_groups_tables as t


async def apply(conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
    for item in batch:
        match item.event:
            case r.UnitGroupCreated() as e:
                await t.group_created(conn, schema, e)
            case r.UnitGroupMemberAdded() as e:
                await t.member_added(conn, schema, e)
            case r.UnitGroupMemberRemoved() as e:
                await t.member_removed(conn, schema, e)


READS: ReadFields = {
    r.UnitGroupCreated: ("description", "group_code", "name", "source"),
    r.UnitGroupMemberAdded: ("group_code", "joined_on", "unit_code", "unit_id"),
    r.UnitGroupMemberRemoved: ("group_code", "left_on", "unit_id"),
}
"""The events it applies and the fields of each it reads (checked against ``contracts``)."""

UnitGroupsProjection = read_model("registry_unit_groups", READS, tables=t.tables_sql, apply=apply)

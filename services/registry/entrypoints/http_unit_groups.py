"""Internal REST API for unit groups (ADR 0056): the commands, one row each, and the queries.

Commands need ``registry:write`` and an unrestricted caller (the handler decides, in the
command's transaction); queries need a reader (``READER``).
"""

from __future__ import annotations

import datetime

from litestar import Controller, get
from litestar.params import FromQuery

from contracts.api.unit_groups import (
    AddUnitGroupMemberBody,
    CreateUnitGroupBody,
    RemoveUnitGroupMemberBody,
    UnitGroupView,
)
from libs.common.http.context import Reader
from libs.common.http.routes import CommandRoute, CommandTable
from services.registry.adapters import unit_groups_read
from services.registry.application.by_id import ById
from services.registry.application.handlers import RegistryHandlers
from services.registry.entrypoints.dependencies import READER, WRITE_SCOPE
from services.registry.entrypoints.query_params import Runtime, id_list

Row = CommandRoute[RegistryHandlers]

UNIT_GROUP_COMMANDS = CommandTable[RegistryHandlers](
    "/commands/unit-groups",
    "unit groups: commands",
    [
        Row("POST", "/create", "createUnitGroup", CreateUnitGroupBody, WRITE_SCOPE, lambda h: h.unit_groups.create),
        Row(
            "POST",
            "/{group_code:str}/members/add",
            "addUnitGroupMember",
            ById[AddUnitGroupMemberBody],
            WRITE_SCOPE,
            lambda h: h.unit_groups.add_member,
        ),
        Row(
            "POST",
            "/{group_code:str}/members/remove",
            "removeUnitGroupMember",
            ById[RemoveUnitGroupMemberBody],
            WRITE_SCOPE,
            lambda h: h.unit_groups.remove_member,
        ),
    ],
)


class UnitGroupQueriesController(Controller):
    path = "/unit-groups"
    tags = ["unit groups: queries"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    dependencies = {"reader": READER}  # noqa: RUF012

    @get(
        "/",
        operation_id="unitGroups",
        description="Groups by code, comma-separated (every group without codes), with their members on as_of.",
    )
    async def groups(
        self,
        runtime: Runtime,
        reader: Reader,
        group_codes: FromQuery[str | None] = None,
        as_of: FromQuery[datetime.date | None] = None,
    ) -> list[UnitGroupView]:
        codes = None if group_codes is None else [c.upper() for c in id_list(group_codes, "group code")]
        async with runtime.pool.acquire() as conn:
            return await unit_groups_read.unit_groups(conn, codes, as_of)

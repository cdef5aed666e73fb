"""Bulk-import kinds for unit groups (ADR 0056): ``create_unit_group`` imports the route's own
body (``CreateUnitGroupBody``); ``add_unit_group_member`` names its group by ``group_code``,
as the route's path does. Give the items a ``key``: a re-import then replays each one's stored
result ("unchanged").

``Keys``: a group is ``unit_group:<CODE>``, written by both kinds, so a group's items run in
order; a member item also reads its unit's code.
"""

from __future__ import annotations

import datetime

import msgspec

from contracts.api.unit_groups import AddUnitGroupMemberBody, CreateUnitGroupBody
from services.registry.application.by_id import ById
from services.registry.application.import_kinds import ImportContext, ImportKind, Keys, Outcome
from services.registry.application.reimport import outcome_of


class AddUnitGroupMemberItem(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    group_code: str
    unit_code: str
    joined_on: datetime.date


def group_ref(code: str) -> str:
    return "unit_group:" + code.strip().upper()


async def create_unit_group(ctx: ImportContext, item: CreateUnitGroupBody) -> Outcome:
    return outcome_of(await ctx.handlers.unit_groups.create(item, ctx.command), item.code.upper())


async def add_unit_group_member(ctx: ImportContext, item: AddUnitGroupMemberItem) -> Outcome:
    body = AddUnitGroupMemberBody(unit_code=item.unit_code, joined_on=item.joined_on)
    done = await ctx.handlers.unit_groups.add_member(ById(id=item.group_code, body=body), ctx.command)
    return outcome_of(done, item.unit_code)


CREATE_UNIT_GROUP = ImportKind(CreateUnitGroupBody, create_unit_group, lambda b: Keys.of(writes=[group_ref(b.code)]))
ADD_UNIT_GROUP_MEMBER = ImportKind(
    AddUnitGroupMemberItem,
    add_unit_group_member,
    lambda b: Keys.of(reads=[b.unit_code], writes=[group_ref(b.group_code)]),
)

# mypy: disallow-untyped-decorators=False
"""The unit group mutations (ADR 0056): create a group, add a unit to it, remove one from it.
Each is forwarded to the registry as the caller (who it checks: the province's operators only)
and answered with the group read back, as of the day the change counts from, once the
registry's read model shows it."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.types import Info

from contracts.api.unit_groups import AddUnitGroupMemberBody, CreateUnitGroupBody, RemoveUnitGroupMemberBody
from contracts.api.unit_groups import UnitGroupView as View
from services.gateway.adapters import registry_api
from services.gateway.adapters.internal import ServiceCaller
from services.gateway.graphql.context import context_of
from services.gateway.graphql.inputs_unit_groups import (
    AddUnitGroupMemberInput,
    CreateUnitGroupInput,
    RemoveUnitGroupMemberInput,
)
from services.gateway.graphql.read_back import read_back
from services.gateway.graphql.types_unit_groups import UnitGroup

Ctx = Info[Any, Any]


async def _group(
    caller: ServiceCaller, code: str, day: datetime.date | None, done: Callable[[View], bool]
) -> UnitGroup:
    async def fetch() -> View | None:
        found = await registry_api.unit_groups(caller, [code], day)
        return found[0] if found and done(found[0]) else None

    return UnitGroup.of(await read_back(caller, fetch, f"unit group {code}", reads=registry_api.UNIT_GROUPS_READ_MODEL))


def _holds(unit_code: str) -> Callable[[View], bool]:
    return lambda group: any(m.unit_code == unit_code for m in group.members)


@strawberry.type
class UnitGroupMutation:
    @strawberry.mutation(description="Create a named group of units (registry, the province's).")
    async def create_unit_group(self, info: Ctx, input: CreateUnitGroupInput) -> UnitGroup:
        caller = context_of(info).writer()
        body = CreateUnitGroupBody(code=input.code, name=input.name, description=input.description, source=input.source)
        [code, *_] = (await registry_api.command(caller, "/unit-groups/create", body, input.idempotency_key)).ids
        return await _group(caller, code, None, lambda _: True)

    @strawberry.mutation(description="Add a unit to a group from a day (registry, the province's).")
    async def add_unit_group_member(self, info: Ctx, input: AddUnitGroupMemberInput) -> UnitGroup:
        caller = context_of(info).writer()
        body = AddUnitGroupMemberBody(unit_code=input.unit_code, joined_on=input.joined_on)
        path = registry_api.group_path(input.group_code) + "/members/add"
        [code, *_] = (await registry_api.command(caller, path, body, input.idempotency_key)).ids
        return await _group(caller, code, input.joined_on, _holds(input.unit_code.strip()))

    @strawberry.mutation(description="Remove a unit from a group from a day (registry, the province's).")
    async def remove_unit_group_member(self, info: Ctx, input: RemoveUnitGroupMemberInput) -> UnitGroup:
        caller = context_of(info).writer()
        body = RemoveUnitGroupMemberBody(unit_code=input.unit_code, left_on=input.left_on, reason=input.reason)
        path = registry_api.group_path(input.group_code) + "/members/remove"
        [code, *_] = (await registry_api.command(caller, path, body, input.idempotency_key)).ids
        unit_code = input.unit_code.strip()
        return await _group(caller, code, input.left_on, lambda group: not _holds(unit_code)(group))

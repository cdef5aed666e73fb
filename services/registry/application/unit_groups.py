"""Unit group commands (ADR 0056): create a group, add a unit to it, remove one from it.

Groups are the province's own reporting scopes, so editing them is for the province's
operators (an admin, or the provincial department's credential): not for a caller bound to an
organisation or a unit. A member is named by official code, resolved on the day it joins (or
on its last day in, when it leaves), so a code reused after a merge names the right unit.
"""

from __future__ import annotations

from contracts.api.unit_groups import AddUnitGroupMemberBody, CreateUnitGroupBody, RemoveUnitGroupMemberBody
from libs.common.eventstore.commands import CommandExecutor, CommandResult, Transaction
from libs.common.eventstore.context import CommandContext
from services.registry.application.by_id import ById
from services.registry.application.ownership import require_unrestricted
from services.registry.application.units import unit_by_code
from services.registry.domain.names import day_before
from services.registry.domain.unit_groups import (
    UNIT_GROUP,
    AddMember,
    CreateUnitGroup,
    RemoveMember,
    normalise_code,
    stream_id,
)

WHAT = "editing a unit group"


class UnitGroupCommands:
    def __init__(self, executor: CommandExecutor) -> None:
        self.executor = executor

    async def create(self, cmd: CreateUnitGroupBody, ctx: CommandContext) -> CommandResult:
        require_unrestricted(ctx, WHAT)
        code = normalise_code(cmd.code)
        command = CreateUnitGroup(code=code, name=cmd.name, description=cmd.description, source=cmd.source)
        return await self.executor.execute(UNIT_GROUP, stream_id(code), command, context=ctx, request=cmd, ids=[code])

    async def add_member(self, cmd: ById[AddUnitGroupMemberBody], ctx: CommandContext) -> CommandResult:
        require_unrestricted(ctx, WHAT)
        code, body = normalise_code(cmd.id), cmd.body

        async def work(tx: Transaction) -> str:
            unit = await unit_by_code(tx, body.unit_code, body.joined_on)
            await tx.decide(UNIT_GROUP, stream_id(code), AddMember(unit=unit, joined_on=body.joined_on))
            return stream_id(code)

        return await self.executor.run(work, context=ctx, request=cmd, ids=[code])

    async def remove_member(self, cmd: ById[RemoveUnitGroupMemberBody], ctx: CommandContext) -> CommandResult:
        require_unrestricted(ctx, WHAT)
        code, body = normalise_code(cmd.id), cmd.body

        async def work(tx: Transaction) -> str:
            unit = await unit_by_code(tx, body.unit_code, day_before(body.left_on))
            command = RemoveMember(unit=unit, left_on=body.left_on, reason=body.reason)
            await tx.decide(UNIT_GROUP, stream_id(code), command)
            return stream_id(code)

        return await self.executor.run(work, context=ctx, request=cmd, ids=[code])

"""Unit commands: resolve codes, load the units involved, check the caller's reach, decide,
append — one transaction.

Partners name units by official code; a code names different units at different times, so
every command resolves codes on the date it is about. A district centre changes only the units
below its own, and registers units only below it; an organisation's caller changes none.
"""

from __future__ import annotations

import datetime

import msgspec

from contracts.api.registry import (
    DissolveUnitBody,
    MergeUnitsBody,
    RegisterUnitBody,
    RenameUnitBody,
    ReparentUnitBody,
    SplitUnitBody,
)
from libs.common.errors import InvalidInputError, NotFoundError
from libs.common.eventstore.commands import CommandExecutor, CommandResult, Transaction
from libs.common.eventstore.context import CommandContext
from services.registry.adapters import unit_lookup
from services.registry.application.by_id import ById
from services.registry.application.ownership import Ownership, forbid_organisations
from services.registry.domain.names import clean_code, day_before
from services.registry.domain.unit_commands import UNIT, EndUnit, RegisterUnit, RenameUnit, ReparentUnit
from services.registry.domain.units import Unit, stream_id

UNIT_WHAT = "an administrative unit"


async def load_unit(tx: Transaction, unit_id: str) -> Unit:
    unit, _ = await tx.load(UNIT, stream_id(unit_id))
    return unit


async def unit_by_code(tx: Transaction, code: str, on: datetime.date, *, role: str = "unit") -> Unit:
    unit_id = await unit_lookup.unit_id_for_code(tx.conn, clean_code(code), on)
    if unit_id is None:
        raise NotFoundError(
            f"no {role} with code {code} exists on {on.isoformat()}",
            code="unknown_parent" if role == "parent" else "unknown_unit",
            details={"code": code, "on": on.isoformat()},
        )
    return await load_unit(tx, unit_id)


class UnitCommands:
    def __init__(self, executor: CommandExecutor, ownership: Ownership) -> None:
        self.executor = executor
        self.ownership = ownership

    async def _register(
        self, tx: Transaction, spec: RegisterUnitBody, unit_id: str, predecessors: tuple[str, ...] = ()
    ) -> None:
        parent = None
        if spec.parent_code is not None:
            parent = await unit_by_code(tx, spec.parent_code, spec.valid_from, role="parent")
        await self.ownership.new_unit(tx, parent.unit_id if parent else None)
        command = RegisterUnit(
            unit_id=unit_id,
            code=spec.code,
            name=spec.name,
            level=spec.level,
            valid_from=spec.valid_from,
            parent=parent,
            unit_type=spec.unit_type,
            predecessor_ids=predecessors,
        )
        await tx.decide(UNIT, stream_id(unit_id), command)
        await unit_lookup.claim_code(tx.conn, unit_id, clean_code(spec.code), spec.level, spec.valid_from)

    async def register(self, cmd: RegisterUnitBody, ctx: CommandContext) -> CommandResult:
        forbid_organisations(ctx, UNIT_WHAT)
        [unit_id] = ctx.new_ids()

        async def work(tx: Transaction) -> str:
            await self._register(tx, cmd, unit_id)
            return stream_id(unit_id)

        return await self.executor.run(work, context=ctx, request=cmd, ids=[unit_id])

    async def rename(self, cmd: ById[RenameUnitBody], ctx: CommandContext) -> CommandResult:
        forbid_organisations(ctx, UNIT_WHAT)

        async def below_own(tx: Transaction) -> None:
            await self.ownership.units(tx, [cmd.id], strictly_below=True)

        return await self.executor.execute(
            UNIT,
            stream_id(cmd.id),
            RenameUnit(name=cmd.body.name, effective_on=cmd.body.effective_on),
            context=ctx,
            request=cmd,
            ids=[cmd.id],
            check=None if ctx.unit_code is None else below_own,
        )

    async def reparent(self, cmd: ById[ReparentUnitBody], ctx: CommandContext) -> CommandResult:
        forbid_organisations(ctx, UNIT_WHAT)
        body = cmd.body

        async def work(tx: Transaction) -> str:
            await self.ownership.units(tx, [cmd.id], strictly_below=True)
            parent = await unit_by_code(tx, body.parent_code, body.effective_on, role="parent")
            await self.ownership.units(tx, [parent.unit_id])
            await tx.decide(UNIT, stream_id(cmd.id), ReparentUnit(parent=parent, effective_on=body.effective_on))
            return stream_id(cmd.id)

        return await self.executor.run(work, context=ctx, request=cmd, ids=[cmd.id])

    async def merge(self, cmd: MergeUnitsBody, ctx: CommandContext) -> CommandResult:
        """Several units end on ``effective_on`` and go into one successor: a new unit
        (``successor``, whose code may reuse a source's) or an existing one (``successor_code``)."""
        forbid_organisations(ctx, UNIT_WHAT)
        successor = cmd.successor
        if (successor is None) == (cmd.successor_code is None):
            raise InvalidInputError("give either a new successor or an existing successor's code", code="invalid_merge")
        if len(set(cmd.source_codes)) < (1 if cmd.successor_code else 2):
            raise InvalidInputError("a merge needs at least two distinct units", code="invalid_merge")
        [new_id] = ctx.new_ids()

        async def work(tx: Transaction) -> str:
            last_day = day_before(cmd.effective_on)
            sources = [await unit_by_code(tx, code, last_day) for code in dict.fromkeys(cmd.source_codes)]
            await self.ownership.units(tx, [s.unit_id for s in sources], strictly_below=True)
            levels = {s.level for s in sources}
            if len(levels) != 1:
                raise InvalidInputError("only units of one level merge", code="invalid_merge")
            if cmd.successor_code is not None:
                target = await unit_by_code(tx, cmd.successor_code, cmd.effective_on)
                await self.ownership.units(tx, [target.unit_id], strictly_below=True)
                if target.unit_id in {s.unit_id for s in sources}:
                    raise InvalidInputError("a unit cannot merge into itself", code="invalid_merge")
                if target.level not in levels:
                    raise InvalidInputError("the successor must be of the sources' level", code="invalid_merge")
                successor_id = target.unit_id
            else:
                assert successor is not None
                if successor.level not in levels:
                    raise InvalidInputError("the successor must be of the sources' level", code="invalid_merge")
                if successor.valid_from != cmd.effective_on:
                    raise InvalidInputError("the new successor begins on the merge date", code="date_out_of_order")
                successor_id = new_id
            for source in sources:
                ended = EndUnit(how="merged", effective_on=cmd.effective_on, successor_ids=(successor_id,))
                await tx.decide(UNIT, stream_id(source.unit_id), ended)
                await unit_lookup.end_code(tx.conn, source.unit_id, cmd.effective_on)
            if successor is not None:
                await self._register(tx, successor, new_id, tuple(s.unit_id for s in sources))
            return stream_id(successor_id)

        if successor is not None:
            return await self.executor.run(work, context=ctx, request=cmd, ids=[new_id])
        # Into an existing unit: which one, the transaction finds; the result names its stream.
        result = await self.executor.run(work, context=ctx, request=cmd)
        return result if result.ids else msgspec.structs.replace(result, ids=[result.stream_id.removeprefix("unit-")])

    async def split(self, cmd: ById[SplitUnitBody], ctx: CommandContext) -> CommandResult:
        forbid_organisations(ctx, UNIT_WHAT)
        successors = cmd.body.successors
        effective_on = cmd.body.effective_on
        if len(successors) < 2:
            raise InvalidInputError("a split has at least two successors", code="invalid_split")
        ids = tuple(ctx.new_ids(len(successors)))

        async def work(tx: Transaction) -> str:
            await self.ownership.units(tx, [cmd.id], strictly_below=True)
            source = await load_unit(tx, cmd.id)
            if any(s.level != source.level for s in successors):
                raise InvalidInputError("successors of a split keep the unit's level", code="invalid_split")
            if any(s.valid_from != effective_on for s in successors):
                raise InvalidInputError("successors begin on the split date", code="date_out_of_order")
            ended = EndUnit(how="split", effective_on=effective_on, successor_ids=ids)
            await tx.decide(UNIT, stream_id(cmd.id), ended)
            await unit_lookup.end_code(tx.conn, cmd.id, effective_on)
            for new_id, spec in zip(ids, successors, strict=True):
                await self._register(tx, spec, new_id, (cmd.id,))
            return stream_id(cmd.id)

        return await self.executor.run(work, context=ctx, request=cmd, ids=[cmd.id, *ids])

    async def dissolve(self, cmd: ById[DissolveUnitBody], ctx: CommandContext) -> CommandResult:
        forbid_organisations(ctx, UNIT_WHAT)

        async def work(tx: Transaction) -> str:
            await self.ownership.units(tx, [cmd.id], strictly_below=True)
            ended = EndUnit(how="dissolved", effective_on=cmd.body.effective_on, reason=cmd.body.reason)
            await tx.decide(UNIT, stream_id(cmd.id), ended)
            await unit_lookup.end_code(tx.conn, cmd.id, cmd.body.effective_on)
            return stream_id(cmd.id)

        return await self.executor.run(work, context=ctx, request=cmd, ids=[cmd.id])

"""Unit commands: resolve codes, load the units involved, decide, append — one transaction.

Partners name units by official code; a code names different units at different times, so
every command resolves codes on the date it is about.
"""

from __future__ import annotations

import datetime

import msgspec
import uuid_utils.compat

from contracts.envelope import Metadata
from contracts.registry_events import UnitLevel
from libs.common.errors import InvalidInputError, NotFoundError
from libs.common.eventstore.commands import CommandExecutor, CommandResult, Transaction
from libs.common.eventstore.idempotency import IdempotencyKey
from services.registry.adapters import unit_lookup
from services.registry.domain.names import clean_code, day_before
from services.registry.domain.units import (
    UNIT,
    EndUnit,
    RegisterUnit,
    RenameUnit,
    ReparentUnit,
    Unit,
    stream_id,
)


class UnitSpec(msgspec.Struct, frozen=True, kw_only=True):
    """A unit to register, as partners describe it (parent by code)."""

    code: str
    name: str
    level: UnitLevel
    valid_from: datetime.date
    parent_code: str | None = None
    unit_type: str | None = None


class UnitCommandResult(msgspec.Struct, frozen=True, kw_only=True):
    unit_id: str
    result: CommandResult


def new_unit_id() -> str:
    return str(uuid_utils.compat.uuid7())


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


async def _register(
    tx: Transaction, spec: UnitSpec, *, unit_id: str | None = None, predecessors: tuple[str, ...] = ()
) -> str:
    parent = None
    if spec.parent_code is not None:
        parent = await unit_by_code(tx, spec.parent_code, spec.valid_from, role="parent")
    unit_id = unit_id or new_unit_id()
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
    return unit_id


class UnitCommands:
    def __init__(self, executor: CommandExecutor) -> None:
        self.executor = executor

    async def register(
        self, spec: UnitSpec, *, metadata: Metadata | None = None, idempotency: IdempotencyKey | None = None
    ) -> UnitCommandResult:
        unit_id = new_unit_id()

        async def work(tx: Transaction) -> str:
            await _register(tx, spec, unit_id=unit_id)
            return stream_id(unit_id)

        result = await self.executor.run(work, metadata=metadata, idempotency=idempotency)
        return UnitCommandResult(unit_id=_unit_of(result), result=result)

    async def rename(
        self,
        unit_id: str,
        name: str,
        effective_on: datetime.date,
        *,
        metadata: Metadata | None = None,
        idempotency: IdempotencyKey | None = None,
    ) -> UnitCommandResult:
        result = await self.executor.execute(
            UNIT,
            stream_id(unit_id),
            RenameUnit(name=name, effective_on=effective_on),
            metadata=metadata,
            idempotency=idempotency,
        )
        return UnitCommandResult(unit_id=unit_id, result=result)

    async def reparent(
        self,
        unit_id: str,
        parent_code: str,
        effective_on: datetime.date,
        *,
        metadata: Metadata | None = None,
        idempotency: IdempotencyKey | None = None,
    ) -> UnitCommandResult:
        async def work(tx: Transaction) -> str:
            parent = await unit_by_code(tx, parent_code, effective_on, role="parent")
            await tx.decide(UNIT, stream_id(unit_id), ReparentUnit(parent=parent, effective_on=effective_on))
            return stream_id(unit_id)

        result = await self.executor.run(work, metadata=metadata, idempotency=idempotency)
        return UnitCommandResult(unit_id=unit_id, result=result)

    async def merge(
        self,
        source_codes: list[str],
        effective_on: datetime.date,
        *,
        successor: UnitSpec | None = None,
        successor_code: str | None = None,
        metadata: Metadata | None = None,
        idempotency: IdempotencyKey | None = None,
    ) -> UnitCommandResult:
        """Several units end on ``effective_on`` and go into one successor: a new unit
        (``successor``, whose code may reuse a source's) or an existing one (``successor_code``)."""
        if (successor is None) == (successor_code is None):
            raise InvalidInputError("give either a new successor or an existing successor's code", code="invalid_merge")
        if len(set(source_codes)) < (1 if successor_code else 2):
            raise InvalidInputError("a merge needs at least two distinct units", code="invalid_merge")
        new_id = new_unit_id()

        async def work(tx: Transaction) -> str:
            last_day = day_before(effective_on)
            sources = [await unit_by_code(tx, code, last_day) for code in dict.fromkeys(source_codes)]
            levels = {s.level for s in sources}
            if len(levels) != 1:
                raise InvalidInputError("only units of one level merge", code="invalid_merge")
            if successor_code is not None:
                target = await unit_by_code(tx, successor_code, effective_on)
                if target.unit_id in {s.unit_id for s in sources}:
                    raise InvalidInputError("a unit cannot merge into itself", code="invalid_merge")
                if target.level not in levels:
                    raise InvalidInputError("the successor must be of the sources' level", code="invalid_merge")
                successor_id = target.unit_id
            else:
                assert successor is not None
                if successor.level not in levels:
                    raise InvalidInputError("the successor must be of the sources' level", code="invalid_merge")
                if successor.valid_from != effective_on:
                    raise InvalidInputError("the new successor begins on the merge date", code="date_out_of_order")
                successor_id = new_id
            for source in sources:
                await tx.decide(
                    UNIT,
                    stream_id(source.unit_id),
                    EndUnit(how="merged", effective_on=effective_on, successor_ids=(successor_id,)),
                )
                await unit_lookup.end_code(tx.conn, source.unit_id, effective_on)
            if successor is not None:
                await _register(tx, successor, unit_id=new_id, predecessors=tuple(s.unit_id for s in sources))
            return stream_id(successor_id)

        result = await self.executor.run(work, metadata=metadata, idempotency=idempotency)
        return UnitCommandResult(unit_id=_unit_of(result), result=result)

    async def split(
        self,
        unit_id: str,
        successors: list[UnitSpec],
        effective_on: datetime.date,
        *,
        metadata: Metadata | None = None,
        idempotency: IdempotencyKey | None = None,
    ) -> UnitCommandResult:
        if len(successors) < 2:
            raise InvalidInputError("a split has at least two successors", code="invalid_split")
        ids = tuple(new_unit_id() for _ in successors)

        async def work(tx: Transaction) -> str:
            source = await load_unit(tx, unit_id)
            if any(s.level != source.level for s in successors):
                raise InvalidInputError("successors of a split keep the unit's level", code="invalid_split")
            if any(s.valid_from != effective_on for s in successors):
                raise InvalidInputError("successors begin on the split date", code="date_out_of_order")
            await tx.decide(
                UNIT, stream_id(unit_id), EndUnit(how="split", effective_on=effective_on, successor_ids=ids)
            )
            await unit_lookup.end_code(tx.conn, unit_id, effective_on)
            for new_id, spec in zip(ids, successors, strict=True):
                await _register(tx, spec, unit_id=new_id, predecessors=(unit_id,))
            return stream_id(unit_id)

        result = await self.executor.run(work, metadata=metadata, idempotency=idempotency)
        return UnitCommandResult(unit_id=unit_id, result=result)

    async def dissolve(
        self,
        unit_id: str,
        effective_on: datetime.date,
        reason: str | None = None,
        *,
        metadata: Metadata | None = None,
        idempotency: IdempotencyKey | None = None,
    ) -> UnitCommandResult:
        async def work(tx: Transaction) -> str:
            await tx.decide(
                UNIT, stream_id(unit_id), EndUnit(how="dissolved", effective_on=effective_on, reason=reason)
            )
            await unit_lookup.end_code(tx.conn, unit_id, effective_on)
            return stream_id(unit_id)

        result = await self.executor.run(work, metadata=metadata, idempotency=idempotency)
        return UnitCommandResult(unit_id=unit_id, result=result)


def _unit_of(result: CommandResult) -> str:
    return result.stream_id.removeprefix("unit-")

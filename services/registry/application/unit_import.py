"""Bulk-import kinds for administrative units: register, merge, reparent, rename, dissolve.

Register and merge items are the unit command routes' own bodies (``application/unit_inputs.py``);
the routes that name a unit by id in their path take its official ``code`` here instead,
resolved on the date the item is about. Every handler goes
through :class:`UnitCommands`, so an imported item is exactly the command sent one by one.
"""

from __future__ import annotations

import datetime

import msgspec

from libs.common.errors import ConflictError
from services.registry.application import unit_matching
from services.registry.application.import_kinds import ImportContext, ImportKind, Keys, Outcome
from services.registry.application.unit_inputs import MergeUnitsInput, RegisterUnitInput
from services.registry.application.units import UnitCommandResult, UnitCommands
from services.registry.domain.names import day_before


class ReparentUnitItem(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    code: str
    parent_code: str
    effective_on: datetime.date


class RenameUnitItem(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    code: str
    name: str
    effective_on: datetime.date


class DissolveUnitItem(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    code: str
    effective_on: datetime.date
    reason: str | None = None


def _outcome(done: UnitCommandResult, code: str) -> Outcome:
    return Outcome(unit_id=done.unit_id, code=code.strip(), result=done.result)


async def register(ctx: ImportContext, item: RegisterUnitInput) -> Outcome:
    try:
        done = await UnitCommands(ctx.executor).register(
            item.spec(), metadata=ctx.metadata, idempotency=ctx.idempotency
        )
    except ConflictError as exc:
        # The same unit, registered by another path: unchanged, not a duplicate.
        if ctx.keyed or exc.code != "duplicate_code":
            raise
        existing = await unit_matching.registered_as(ctx.executor, item.spec())
        if existing is None:
            raise
        return Outcome(unit_id=existing, code=item.code.strip(), already_done=True)
    return _outcome(done, item.code)


async def merge(ctx: ImportContext, item: MergeUnitsInput) -> Outcome:
    successor = item.successor.spec() if item.successor else None
    code = successor.code if successor else (item.successor_code or "")
    try:
        done = await UnitCommands(ctx.executor).merge(
            item.source_codes,
            item.effective_on,
            successor=successor,
            successor_code=item.successor_code,
            metadata=ctx.metadata,
            idempotency=ctx.idempotency,
        )
    except ConflictError as exc:
        if ctx.keyed or exc.code != "unit_not_active":
            raise
        existing = await unit_matching.merged_as(
            ctx.executor, item.source_codes, item.effective_on, successor=successor, successor_code=item.successor_code
        )
        if existing is None:
            raise
        return Outcome(unit_id=existing, code=code.strip(), already_done=True)
    return _outcome(done, code)


async def reparent(ctx: ImportContext, item: ReparentUnitItem) -> Outcome:
    unit_id = await unit_matching.unit_id_on(ctx.executor, item.code, item.effective_on)
    done = await UnitCommands(ctx.executor).reparent(
        unit_id, item.parent_code, item.effective_on, metadata=ctx.metadata, idempotency=ctx.idempotency
    )
    return _outcome(done, item.code)


async def rename(ctx: ImportContext, item: RenameUnitItem) -> Outcome:
    unit_id = await unit_matching.unit_id_on(ctx.executor, item.code, item.effective_on)
    done = await UnitCommands(ctx.executor).rename(
        unit_id, item.name, item.effective_on, metadata=ctx.metadata, idempotency=ctx.idempotency
    )
    return _outcome(done, item.code)


async def dissolve(ctx: ImportContext, item: DissolveUnitItem) -> Outcome:
    # Resolved the day before: on the date itself a dissolved unit no longer holds its code.
    unit_id = await unit_matching.unit_id_on(ctx.executor, item.code, day_before(item.effective_on))
    try:
        done = await UnitCommands(ctx.executor).dissolve(
            unit_id, item.effective_on, item.reason, metadata=ctx.metadata, idempotency=ctx.idempotency
        )
    except ConflictError as exc:
        if ctx.keyed or exc.code != "unit_not_active":
            raise
        if not await unit_matching.dissolved_on(ctx.executor, unit_id, item.effective_on):
            raise
        return Outcome(unit_id=unit_id, code=item.code.strip(), already_done=True)
    return _outcome(done, item.code)


REGISTER_UNIT = ImportKind(RegisterUnitInput, register, lambda b: Keys.of(reads=[b.parent_code], writes=[b.code]))
MERGE_UNITS = ImportKind(
    MergeUnitsInput,
    merge,
    lambda b: Keys.of(
        reads=[b.successor.parent_code if b.successor else None],
        writes=[*b.source_codes, b.successor.code if b.successor else b.successor_code],
    ),
)
REPARENT_UNIT = ImportKind(ReparentUnitItem, reparent, lambda b: Keys.of(reads=[b.parent_code], writes=[b.code]))
RENAME_UNIT = ImportKind(RenameUnitItem, rename, lambda b: Keys.of(writes=[b.code]))
DISSOLVE_UNIT = ImportKind(DissolveUnitItem, dissolve, lambda b: Keys.of(writes=[b.code]))

"""Bulk-import kinds for administrative units: register, merge, reparent, rename, dissolve.

Register and merge items are the unit command routes' own bodies (``contracts.api.registry``);
the routes that name a unit by id in their path take its official ``code`` here instead,
resolved on the date the item is about. Every handler goes through :class:`UnitCommands`, so
an imported item is exactly the command sent one by one.
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
)
from libs.common.errors import ConflictError
from libs.common.eventstore.commands import CommandResult
from services.registry.application import unit_matching
from services.registry.application.by_id import ById
from services.registry.application.import_kinds import ImportContext, ImportKind, Keys, Outcome
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


def _outcome(done: CommandResult, code: str) -> Outcome:
    return Outcome(unit_id=done.ids[0] if done.ids else None, code=code.strip(), result=done)


async def register(ctx: ImportContext, item: RegisterUnitBody) -> Outcome:
    try:
        done = await ctx.handlers.units.register(item, ctx.command)
    except ConflictError as exc:
        # The same unit, registered by another path: unchanged, not a duplicate.
        if ctx.keyed or exc.code != "duplicate_code":
            raise
        existing = await unit_matching.registered_as(ctx.executor, item)
        if existing is None:
            raise
        return Outcome(unit_id=existing, code=item.code.strip(), already_done=True)
    return _outcome(done, item.code)


async def merge(ctx: ImportContext, item: MergeUnitsBody) -> Outcome:
    successor = item.successor
    code = successor.code if successor else (item.successor_code or "")
    try:
        done = await ctx.handlers.units.merge(item, ctx.command)
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
    body = ReparentUnitBody(parent_code=item.parent_code, effective_on=item.effective_on)
    done = await ctx.handlers.units.reparent(ById(id=unit_id, body=body), ctx.command)
    return _outcome(done, item.code)


async def rename(ctx: ImportContext, item: RenameUnitItem) -> Outcome:
    unit_id = await unit_matching.unit_id_on(ctx.executor, item.code, item.effective_on)
    body = RenameUnitBody(name=item.name, effective_on=item.effective_on)
    done = await ctx.handlers.units.rename(ById(id=unit_id, body=body), ctx.command)
    return _outcome(done, item.code)


async def dissolve(ctx: ImportContext, item: DissolveUnitItem) -> Outcome:
    # Resolved the day before: on the date itself a dissolved unit no longer holds its code.
    unit_id = await unit_matching.unit_id_on(ctx.executor, item.code, day_before(item.effective_on))
    try:
        body = DissolveUnitBody(effective_on=item.effective_on, reason=item.reason)
        done = await ctx.handlers.units.dissolve(ById(id=unit_id, body=body), ctx.command)
    except ConflictError as exc:
        if ctx.keyed or exc.code != "unit_not_active":
            raise
        if not await unit_matching.dissolved_on(ctx.executor, unit_id, item.effective_on):
            raise
        return Outcome(unit_id=unit_id, code=item.code.strip(), already_done=True)
    return _outcome(done, item.code)


REGISTER_UNIT = ImportKind(RegisterUnitBody, register, lambda b: Keys.of(reads=[b.parent_code], writes=[b.code]))
MERGE_UNITS = ImportKind(
    MergeUnitsBody,
    merge,
    lambda b: Keys.of(
        reads=[b.successor.parent_code if b.successor else None],
        writes=[*b.source_codes, b.successor.code if b.successor else b.successor_code],
    ),
)
REPARENT_UNIT = ImportKind(ReparentUnitItem, reparent, lambda b: Keys.of(reads=[b.parent_code], writes=[b.code]))
RENAME_UNIT = ImportKind(RenameUnitItem, rename, lambda b: Keys.of(writes=[b.code]))
DISSOLVE_UNIT = ImportKind(DissolveUnitItem, dissolve, lambda b: Keys.of(writes=[b.code]))

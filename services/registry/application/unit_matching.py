"""Is a unit command already done? Answers for bulk import items that carry no key.

An item without a key is identified by a hash of its content, per principal; the same file
imported by someone else, or units registered one by one, would otherwise be reported as
duplicates. These checks read the command side (the code index and the units' streams),
never a read model that may lag.
"""

from __future__ import annotations

import datetime

from contracts.api.registry import RegisterUnitBody
from contracts.base import Event
from contracts.registry_events import UnitRegistered
from libs.common.errors import NotFoundError
from libs.common.eventstore.commands import CommandExecutor
from libs.common.text import clean_name
from services.registry.adapters import unit_lookup
from services.registry.domain.names import clean_code, day_before
from services.registry.domain.unit_commands import UNIT
from services.registry.domain.units import Unit, stream_id


async def unit_id_on(executor: CommandExecutor, code: str, on: datetime.date) -> str:
    """The unit holding ``code`` on ``on``."""
    async with executor.pool.acquire() as conn:
        unit_id = await unit_lookup.unit_id_for_code(conn, clean_code(code), on)
    if unit_id is None:
        raise NotFoundError(
            f"no unit with code {code} exists on {on.isoformat()}",
            code="unknown_unit",
            details={"code": code, "on": on.isoformat()},
        )
    return unit_id


async def _history(executor: CommandExecutor, unit_id: str) -> list[Event]:
    async with executor.pool.acquire() as conn:
        return [executor.decode(e) for e in await executor.store.load(conn, stream_id(unit_id))]


async def current_unit(executor: CommandExecutor, unit_id: str) -> Unit:
    return UNIT.fold(await _history(executor, unit_id))


async def registered_as(executor: CommandExecutor, spec: RegisterUnitBody) -> str | None:
    """The unit registered with this code, start date, name, level and parent, if any."""
    async with executor.pool.acquire() as conn:
        unit_id = await unit_lookup.unit_id_for_code(conn, clean_code(spec.code), spec.valid_from)
        parent_id = (
            await unit_lookup.unit_id_for_code(conn, clean_code(spec.parent_code), spec.valid_from)
            if spec.parent_code is not None
            else None
        )
    if unit_id is None:
        return None
    events = await _history(executor, unit_id)
    first = events[0] if events else None
    if (
        isinstance(first, UnitRegistered)
        and first.code == clean_code(spec.code)
        and first.name == clean_name(spec.name)
        and first.level == spec.level
        and first.valid_from == spec.valid_from
        and first.parent_id == parent_id
    ):
        return unit_id
    return None


async def merged_as(
    executor: CommandExecutor,
    source_codes: list[str],
    effective_on: datetime.date,
    *,
    successor: RegisterUnitBody | None,
    successor_code: str | None,
) -> str | None:
    """The successor, if every source already ended on ``effective_on`` merged into it and it
    is the successor asked for."""
    last_day = day_before(effective_on)
    successors: set[str] = set()
    for code in source_codes:
        try:
            source = await current_unit(executor, await unit_id_on(executor, code, last_day))
        except NotFoundError:
            return None
        if source.status != "merged" or source.valid_to != effective_on:
            return None
        successors.update(source.successor_ids)
    if len(successors) != 1:
        return None
    [found] = successors
    if successor is not None:
        expected = await registered_as(executor, successor)
    else:
        assert successor_code is not None
        try:
            expected = await unit_id_on(executor, successor_code, effective_on)
        except NotFoundError:
            return None
    return found if expected == found else None


async def dissolved_on(executor: CommandExecutor, unit_id: str, effective_on: datetime.date) -> bool:
    unit = await current_unit(executor, unit_id)
    return unit.status == "dissolved" and unit.valid_to == effective_on

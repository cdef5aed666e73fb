"""The units a command names, checked inside the caller's reach in the command's transaction;
and the unit a query names, on a day.

A caller confined to a unit (a district centre) acts only for that unit and the units under it;
``libs.common.reach`` answers that on the service's read model of the registry
(``adapters.registry_view.TREE``), on the command's own connection.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import asyncpg

from libs.common.errors import NotFoundError
from libs.common.eventstore.commands import Transaction
from libs.common.reach import require_within
from services.broadcast.adapters.registry_view import TREE, UnitRow, unit_by_code


async def known_unit(tx: Transaction, code: str) -> UnitRow:
    """The unit holding ``code`` now (404 ``unknown_unit`` if none), within the caller's reach."""
    unit = await unit_by_code(tx.conn, code)
    if unit is None:
        raise NotFoundError(f"no unit with code {code}", code="unknown_unit", details={"unit_code": code})
    await within_reach(tx, [unit.unit_id])
    return unit


async def within_reach(tx: Transaction, unit_ids: Iterable[str]) -> None:
    """Refuse (403 ``outside_own_unit``) a confined caller acting for a unit outside its own."""
    await require_within(tx.conn, TREE, tx.context.unit_code, unit_ids)


async def unit_on(pool: asyncpg.Pool, code: str, as_of: datetime.date | None = None) -> UnitRow:
    """The unit holding ``code`` today, or on ``as_of`` (404 ``unknown_unit`` if none did)."""
    async with pool.acquire() as conn:
        unit = await unit_by_code(conn, code, as_of)
    if unit is None:
        details: dict[str, object] = {"unit_code": code}
        if as_of is not None:
            details["as_of"] = as_of.isoformat()
        on = f" on {as_of.isoformat()}" if as_of else ""
        raise NotFoundError(f"no unit with code {code}{on}", code="unknown_unit", details=details)
    return unit

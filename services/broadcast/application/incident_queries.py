"""What the incident query routes answer: units by code checked, periods parsed, pages bounded
(``adapters.incidents_read``). Built once by the composition root, on the service's pool."""

from __future__ import annotations

import datetime

import asyncpg

from contracts.api.broadcast import IncidentKeys, IncidentStatus, MttrBy
from contracts.api.broadcast_views import IncidentMttr, IncidentPage, IncidentView
from libs.common.errors import InvalidInputError
from services.broadcast.adapters import incidents_read
from services.broadcast.adapters.registry_view import UnitRow
from services.broadcast.application.units import unit_on
from services.broadcast.domain.period import Period

MAX_PAGE = 500


class IncidentQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def _unit(self, code: str, as_of: datetime.date | None = None) -> UnitRow:
        return await unit_on(self.pool, code, as_of)

    async def incidents(  # noqa: PLR0917 - the route's filters, passed by name
        self,
        unit_code: str,
        period: str | None,
        state: IncidentStatus | None,
        cursor: str | None,
        limit: int,
        as_of: datetime.date | None = None,
    ) -> IncidentPage:
        """``as_of``: the unit's area as the tree stood that day (today's without it)."""
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInputError(f"limit must be between 1 and {MAX_PAGE}", code="invalid_limit")
        parsed = Period.parse(period) if period else None
        unit = await self._unit(unit_code, as_of)
        async with self.pool.acquire() as conn:
            return await incidents_read.list_incidents(conn, unit, parsed, state, cursor, limit, as_of)

    async def incidents_by_ids(self, keys: IncidentKeys) -> list[IncidentView]:
        async with self.pool.acquire() as conn:
            return await incidents_read.incidents_by_ids(conn, keys.incident_ids)

    async def mttr(self, unit_code: str, period: str, by: MttrBy, as_of: datetime.date | None = None) -> IncidentMttr:
        parsed = Period.parse(period)
        unit = await self._unit(unit_code, as_of)
        async with self.pool.acquire() as conn:
            return await incidents_read.mttr(conn, unit, parsed, by, as_of)

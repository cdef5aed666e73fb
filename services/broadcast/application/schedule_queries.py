"""What the schedule query routes answer: stations and units checked, periods parsed
(``adapters.schedules_read``). Built once by the composition root, on the service's pool."""

from __future__ import annotations

import datetime

import asyncpg

from contracts.api.broadcast_schedules import StationSchedule, UnitScheduleAdherence
from libs.common.errors import NotFoundError
from services.broadcast.adapters import registry_view, schedules_read
from services.broadcast.application.units import unit_on
from services.broadcast.domain.period import Period


class ScheduleQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def station_schedule(self, station_id: str, period: str) -> StationSchedule:
        parsed = Period.parse(period)
        async with self.pool.acquire() as conn:
            station = (await registry_view.stations(conn, [station_id])).get(station_id)
            if station is None:
                raise NotFoundError("unknown radio station", code="unknown_station",
                                    details={"station_ids": [station_id]})  # fmt: skip
            return await schedules_read.station_schedule(conn, station_id, station.unit_code, parsed)

    async def unit_adherence(
        self, unit_code: str, period: str, as_of: datetime.date | None = None
    ) -> UnitScheduleAdherence:
        """``as_of``: the day whose unit tree the unit and the units under it are read in."""
        parsed = Period.parse(period)
        unit = await unit_on(self.pool, unit_code, as_of)
        async with self.pool.acquire() as conn:
            return await schedules_read.unit_adherence(conn, unit, parsed, as_of)

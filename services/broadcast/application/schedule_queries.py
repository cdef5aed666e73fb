"""What the schedule query routes answer: stations and units checked, periods parsed
(``adapters.schedules_read``). Built once by the composition root, on the service's pool."""

from __future__ import annotations

import asyncpg

from contracts.api.broadcast_schedules import StationSchedule, UnitScheduleAdherence
from libs.common.errors import NotFoundError
from services.broadcast.adapters import registry_view, schedules_read
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

    async def unit_adherence(self, unit_code: str, period: str) -> UnitScheduleAdherence:
        parsed = Period.parse(period)
        async with self.pool.acquire() as conn:
            unit = await registry_view.unit_by_code(conn, unit_code)
            if unit is None:
                raise NotFoundError(f"no unit with code {unit_code}", code="unknown_unit",
                                    details={"unit_code": unit_code})  # fmt: skip
            return await schedules_read.unit_adherence(conn, unit, parsed)

"""Internal REST API of the broadcast service: broadcast schedules (ADR 0053): a station's slots,
exceptions and interruptions over a period, and airtime against the schedule per unit, rolled up
over the units under it. Reads need a principal that may read."""

from __future__ import annotations

import datetime

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from contracts.api.broadcast_schedules import StationSchedule, UnitScheduleAdherence
from libs.common.http.context import Reader, reader
from services.broadcast.application.schedule_queries import ScheduleQueries
from services.broadcast.entrypoints.scopes import READ_SCOPES

Queries = NamedDependency[ScheduleQueries]


class ScheduleQueriesController(Controller):
    tags = ["broadcast: queries"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    dependencies = {"reader": reader(*READ_SCOPES)}  # noqa: RUF012

    @get("/stations/{station_id:str}/schedule", operation_id="stationSchedule")
    async def station_schedule(
        self, station_id: FromPath[str], reader: Reader, schedule_queries: Queries, period: FromQuery[str]
    ) -> StationSchedule:
        """The station's slots running in ``period``, their exceptions, the interruptions by
        emergency bulletins, and its airtime against the schedule."""
        return await schedule_queries.station_schedule(station_id, period)

    @get("/schedule-adherence/units/{unit_code:str}", operation_id="scheduleAdherenceOfUnit")
    async def unit_adherence(
        self,
        unit_code: FromPath[str],
        reader: Reader,
        schedule_queries: Queries,
        period: FromQuery[str],
        as_of: FromQuery[datetime.date | None] = None,
    ) -> UnitScheduleAdherence:
        """Planned against aired minutes, relays outside the schedule and interruptions at the
        stations of the unit and the units under it, with the split by direct child (the tree
        as it stood on ``as_of``: today's without it)."""
        return await schedule_queries.unit_adherence(unit_code, period, as_of)

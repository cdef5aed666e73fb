"""Internal REST API of the broadcast service: a unit's deliveries, relay sessions and outreach
records, paged, and sessions and records by id (for the gateway's DataLoaders and read-backs).

A list takes a unit (``unit_code``: the unit and every unit under it; with ``as_of``, the unit
holding the code that day and the units under it then) and the province's days (``from_date``,
``to_date``, inclusive); its answer carries every item's cursor, the next page's and the total.
Reads need a principal that may read, like every broadcast query.
"""

from __future__ import annotations

import datetime
from typing import Literal

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody

from contracts.api.broadcast import OutreachKeys, SessionKeys
from contracts.api.broadcast_views import (
    DeliveryPage,
    OutreachDayPage,
    OutreachPage,
    OutreachRecordView,
    SessionPage,
    SessionView,
)
from libs.common.http.context import Reader, reader
from services.broadcast.application.queries import BroadcastQueries
from services.broadcast.entrypoints.scopes import READ_SCOPES

Queries = NamedDependency[BroadcastQueries]
Day = FromQuery[datetime.date | None]


class ListingQueriesController(Controller):
    tags = ["broadcast: queries"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    dependencies = {"reader": reader(*READ_SCOPES)}  # noqa: RUF012

    @get("/deliveries", operation_id="deliveries")
    async def deliveries(
        self,
        *,
        reader: Reader,
        queries: Queries,
        unit_code: FromQuery[str | None] = None,
        from_date: Day = None,
        to_date: Day = None,
        station_id: FromQuery[str | None] = None,
        problems_only: FromQuery[bool] = False,
        cursor: FromQuery[str | None] = None,
        limit: FromQuery[int] = 100,
        as_of: Day = None,
    ) -> DeliveryPage:
        """Deliveries to the unit's stations due in the days, by due time; ``problems_only``:
        late, missing and failed."""
        return await queries.deliveries(unit_code, from_date, to_date, station_id, problems_only, cursor, limit, as_of)

    @get("/relay-sessions", operation_id="relaySessions")
    async def relay_sessions(
        self,
        *,
        reader: Reader,
        queries: Queries,
        unit_code: FromQuery[str | None] = None,
        from_date: Day = None,
        to_date: Day = None,
        station_id: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: FromQuery[int] = 100,
        as_of: Day = None,
    ) -> SessionPage:
        """Relay sessions of the unit's stations overlapping the days, by start (cancelled ones marked)."""
        return await queries.relay_sessions(unit_code, from_date, to_date, station_id, cursor, limit, as_of)

    @post("/queries/relay-sessions", operation_id="relaySessionsByIds", status_code=200)
    async def relay_sessions_by_ids(
        self, data: JSONBody[SessionKeys], reader: Reader, queries: Queries
    ) -> list[SessionView]:
        """Many relay sessions by id, in the order asked; unknown ids are left out."""
        return await queries.relay_sessions_by_ids(data)

    @get("/outreach/records", operation_id="outreachRecords")
    async def outreach_records(
        self,
        *,
        reader: Reader,
        queries: Queries,
        unit_code: FromQuery[str | None] = None,
        from_date: Day = None,
        to_date: Day = None,
        kind: FromQuery[Literal["session", "vehicle_trip"] | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: FromQuery[int] = 100,
        as_of: Day = None,
    ) -> OutreachPage:
        """Outreach sessions and loudspeaker-vehicle trips of the unit's communes, by date."""
        return await queries.outreach_records(unit_code, from_date, to_date, kind, cursor, limit, as_of)

    @get("/outreach/days", operation_id="outreachDays")
    async def outreach_days(  # noqa: PLR0917 - the route's query parameters
        self,
        reader: Reader,
        queries: Queries,
        unit_code: FromQuery[str],
        period: FromQuery[str],
        as_of: Day = None,
        cursor: FromQuery[str | None] = None,
        limit: FromQuery[int] = 100,
    ) -> OutreachDayPage:
        """A unit's outreach (everything under it) per unit and day over a period, by day, paged."""
        return await queries.outreach_days(unit_code, period, as_of, cursor, limit)

    @post("/queries/outreach-records", operation_id="outreachRecordsByIds", status_code=200)
    async def outreach_by_ids(
        self, data: JSONBody[OutreachKeys], reader: Reader, queries: Queries
    ) -> list[OutreachRecordView]:
        """Many outreach records by id, in the order asked; unknown ids are left out."""
        return await queries.outreach_by_ids(data)

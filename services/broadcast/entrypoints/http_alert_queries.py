"""Internal REST API of the broadcast service: alerts listed for an area and read in batches.

The gateway's lists of alerts (the IOC's "awaiting acknowledgement") page through ``GET
/alerts``; its DataLoaders read many alerts with their stations in one ``POST
/queries/alerts``, and a page of each listed alert's stations in one ``POST
/queries/alert-stations``. Reads need a principal that may read, like every broadcast query.
"""

from __future__ import annotations

import datetime

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody

from contracts.api.broadcast import AlertKeys, AlertStationsQuery
from contracts.api.broadcast_views import AlertPage, AlertStationPage, AlertView
from libs.common.http.context import Reader, reader
from services.broadcast.application.queries import BroadcastQueries
from services.broadcast.entrypoints.scopes import READ_SCOPES

Queries = NamedDependency[BroadcastQueries]


class AlertQueriesController(Controller):
    tags = ["broadcast: queries"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    dependencies = {"reader": reader(*READ_SCOPES)}  # noqa: RUF012

    @get("/alerts", operation_id="emergencyAlerts")
    async def alerts(
        self,
        *,
        reader: Reader,
        queries: Queries,
        unit_code: FromQuery[str | None] = None,
        from_date: FromQuery[datetime.date | None] = None,
        to_date: FromQuery[datetime.date | None] = None,
        awaiting: FromQuery[bool] = False,
        cursor: FromQuery[str | None] = None,
        limit: FromQuery[int] = 100,
        as_of: FromQuery[datetime.date | None] = None,
    ) -> AlertPage:
        """Alerts reaching a unit's area (issued for it or under it, or sent to a station in it),
        newest first; ``awaiting``: only those still running with a station yet to acknowledge;
        ``as_of``: the area as the unit tree stood that day (today's without it)."""
        return await queries.alerts(unit_code, from_date, to_date, awaiting, cursor, limit, as_of)

    @post("/queries/alerts", operation_id="emergencyAlertsByIds", status_code=200)
    async def alerts_by_ids(self, data: JSONBody[AlertKeys], reader: Reader, queries: Queries) -> list[AlertView]:
        """Many alerts with their stations, in the order asked; unknown ids are left out."""
        return await queries.alerts_by_ids(data)

    @post("/queries/alert-stations", operation_id="emergencyAlertStationPages", status_code=200)
    async def alert_station_pages(
        self, data: JSONBody[AlertStationsQuery], reader: Reader, queries: Queries
    ) -> list[AlertStationPage]:
        """A page of each asked alert's stations (by commune, then station), in the order asked."""
        return await queries.alert_station_pages(data)

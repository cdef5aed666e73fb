"""Internal REST API of the broadcast service: incidents with their handling, listed for a unit
(paged, every one reachable), read in batches, and MTTR by assignee or by cause (ADR 0051).

The gateway's incident connections page through ``GET /incidents``; its read-backs after a
handling step read ``POST /queries/incidents``. Reads need a principal that may read.
"""

from __future__ import annotations

import datetime

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody

from contracts.api.broadcast import IncidentKeys, IncidentStatus, MttrBy
from contracts.api.broadcast_views import IncidentMttr, IncidentPage, IncidentView
from libs.common.http.context import Reader, reader
from services.broadcast.application.incident_queries import IncidentQueries
from services.broadcast.entrypoints.scopes import READ_SCOPES

Queries = NamedDependency[IncidentQueries]


class IncidentQueriesController(Controller):
    tags = ["broadcast: queries"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    dependencies = {"reader": reader(*READ_SCOPES)}  # noqa: RUF012

    @get("/incidents", operation_id="incidents")
    async def incidents(
        self,
        *,
        reader: Reader,
        incident_queries: Queries,
        unit_code: FromQuery[str],
        period: FromQuery[str | None] = None,
        status: FromQuery[IncidentStatus | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: FromQuery[int] = 100,
        as_of: FromQuery[datetime.date | None] = None,
    ) -> IncidentPage:
        """A unit's incidents (its own and under it) open at some time in ``period``, oldest first;
        ``status``: only open or closed ones (the signal), unacknowledged, unresolved or resolved ones;
        ``as_of``: the area as the unit tree stood that day (today's without it)."""
        return await incident_queries.incidents(unit_code, period, status, cursor, limit, as_of)

    @post("/queries/incidents", operation_id="incidentsByIds", status_code=200)
    async def incidents_by_ids(
        self, data: JSONBody[IncidentKeys], reader: Reader, incident_queries: Queries
    ) -> list[IncidentView]:
        """Many incidents with their handling and notes, in the order asked; unknown ids left out."""
        return await incident_queries.incidents_by_ids(data)

    @get("/incidents/mttr", operation_id="incidentMttr")
    async def mttr(
        self,
        *,
        reader: Reader,
        incident_queries: Queries,
        unit_code: FromQuery[str],
        period: FromQuery[str],
        by: FromQuery[MttrBy],
        as_of: FromQuery[datetime.date | None] = None,
    ) -> IncidentMttr:
        """Mean time to resolve the incidents resolved in ``period``, per assignee or per cause;
        ``as_of``: the area as the unit tree stood that day (today's without it)."""
        return await incident_queries.mttr(unit_code, period, by, as_of)

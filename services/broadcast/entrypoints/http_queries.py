"""Internal REST API of the broadcast service: queries, single and batched.

Batched queries (one call for many keys, for the gateway's DataLoaders) are ``POST
/queries/...`` with the keys in a JSON body, so a thousand ids never meet a URL length limit;
answers keep the order of the keys asked for. Reads need a principal that may read
(``read``, or a broadcast write scope), which the controller's ``reader`` dependency checks.
"""

from __future__ import annotations

import datetime

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from contracts.api.broadcast import ClusterKeys, ProgrammeKeys, StationAirtimeQuery, StationKeys, UnitAirtimeQuery
from contracts.api.broadcast_views import (
    AlertView,
    ClusterSignalView,
    Deliveries,
    IncidentView,
    OutreachReport,
    ProgrammePage,
    ProgrammeSummary,
    ProgrammeView,
    SessionView,
    StationAirtime,
    UnacknowledgedReport,
    UnitAirtime,
    UnitHealth,
)
from libs.common.http.context import Reader, reader
from services.broadcast.application.queries import BroadcastQueries
from services.broadcast.entrypoints.scopes import READ_SCOPES

Queries = NamedDependency[BroadcastQueries]


class BroadcastQueriesController(Controller):
    tags = ["broadcast: queries"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    dependencies = {"reader": reader(*READ_SCOPES)}  # noqa: RUF012

    # --- programmes and deliveries ---

    @get("/programmes", operation_id="listProgrammes")
    async def programmes(
        self,
        *,
        reader: Reader,
        queries: Queries,
        unit_code: FromQuery[str | None] = None,
        from_date: FromQuery[datetime.date | None] = None,
        to_date: FromQuery[datetime.date | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: FromQuery[int] = 100,
        as_of: FromQuery[datetime.date | None] = None,
    ) -> ProgrammePage:
        """Programmes by air date (then id), of a producer unit and the units under it if given
        (as the unit tree stood on ``as_of``: today's without it)."""
        return await queries.programmes(unit_code, from_date, to_date, cursor, limit, as_of)

    @get("/programmes/summary", operation_id="programmeSummary")
    async def programme_summary(
        self,
        reader: Reader,
        queries: Queries,
        unit_code: FromQuery[str],
        period: FromQuery[str],
        as_of: FromQuery[datetime.date | None] = None,
    ) -> ProgrammeSummary:
        """Programmes, news items, articles, duration, segments and topics of a unit's producers
        (the unit and those under it as the tree stood on ``as_of``: today's without it)."""
        return await queries.programme_summary(unit_code, period, as_of)

    @post("/queries/programmes", operation_id="programmesByIds", status_code=200)
    async def programmes_by_ids(
        self, data: JSONBody[ProgrammeKeys], reader: Reader, queries: Queries
    ) -> list[ProgrammeView]:
        """Many programmes by id, in the order asked; unknown ids are left out."""
        return await queries.programmes_by_ids(data)

    @post("/queries/deliveries", operation_id="deliveriesOfProgrammes", status_code=200)
    async def deliveries_of(self, data: JSONBody[ProgrammeKeys], reader: Reader, queries: Queries) -> list[Deliveries]:
        """The deliveries of many programmes (one entry per programme asked for, in order)."""
        return await queries.deliveries_of(data)

    @post("/queries/station-deliveries", operation_id="deliveriesAtStations", status_code=200)
    async def deliveries_at(self, data: JSONBody[StationKeys], reader: Reader, queries: Queries) -> list[Deliveries]:
        """Deliveries to many stations, each marked on time, late, missing, pending or failed."""
        return await queries.deliveries_at(data)

    # --- airtime ---

    @post("/queries/airtime/stations", operation_id="airtimeOfStations", status_code=200)
    async def station_airtime(
        self, data: JSONBody[StationAirtimeQuery], reader: Reader, queries: Queries
    ) -> list[StationAirtime]:
        """Airtime per source of many stations for one period."""
        return await queries.stations_airtime(data)

    @post("/queries/airtime/units", operation_id="airtimeOfUnits", status_code=200)
    async def units_airtime(
        self, data: JSONBody[UnitAirtimeQuery], reader: Reader, queries: Queries
    ) -> list[UnitAirtime]:
        """Airtime per source of many units, each rolled up over the units under it."""
        return await queries.units_airtime(data)

    @get("/airtime/units/{unit_code:str}", operation_id="airtimeOfUnit")
    async def unit_airtime(
        self,
        unit_code: FromPath[str],
        reader: Reader,
        queries: Queries,
        period: FromQuery[str],
        as_of: FromQuery[datetime.date | None] = None,
    ) -> UnitAirtime:
        """Airtime per source of a unit's stations and those under it, and each direct child's
        (the tree as it stood on ``as_of``: today's without it)."""
        return await queries.unit_airtime(unit_code, period, as_of)

    @get("/stations/{station_id:str}/relay-sessions", operation_id="relaySessionsOfStation")
    async def station_sessions(
        self,
        station_id: FromPath[str],
        reader: Reader,
        queries: Queries,
        period: FromQuery[str],
        limit: FromQuery[int] = 500,
    ) -> list[SessionView]:
        return await queries.station_sessions(station_id, period, limit)

    # --- signal health ---

    @post("/queries/signal/clusters", operation_id="signalOfClusters", status_code=200)
    async def cluster_signal(
        self, data: JSONBody[ClusterKeys], reader: Reader, queries: Queries
    ) -> list[ClusterSignalView]:
        """The live signal state of many clusters (UNKNOWN for one that never reported)."""
        return await queries.cluster_signal(data)

    @get("/signal/health", operation_id="signalHealth")
    async def signal_health(
        self,
        reader: Reader,
        queries: Queries,
        unit_code: FromQuery[str],
        period: FromQuery[str],
        as_of: FromQuery[datetime.date | None] = None,
    ) -> UnitHealth:
        """Availability and MTTR per station of a unit (and the units under it, as the tree stood on
        ``as_of``: today's without it) for a period."""
        return await queries.signal_health(unit_code, period, as_of)

    @get("/signal/incidents", operation_id="signalIncidents")
    async def signal_incidents(
        self,
        *,
        reader: Reader,
        queries: Queries,
        unit_code: FromQuery[str],
        period: FromQuery[str | None] = None,
        open_only: FromQuery[bool] = False,
        limit: FromQuery[int] = 500,
    ) -> list[IncidentView]:
        return await queries.signal_incidents(unit_code, period, open_only, limit)

    # --- alerts ---

    @get("/alerts/{alert_id:str}", operation_id="emergencyAlert")
    async def alert(self, alert_id: FromPath[str], reader: Reader, queries: Queries) -> AlertView:
        return await queries.alert(alert_id)

    @get("/alerts/{alert_id:str}/unacknowledged", operation_id="unacknowledgedStations")
    async def unacknowledged(
        self, alert_id: FromPath[str], reader: Reader, queries: Queries, after_minutes: FromQuery[float]
    ) -> UnacknowledgedReport:
        """The stations that had not acknowledged the alert within ``after_minutes`` of its issue."""
        return await queries.unacknowledged(alert_id, after_minutes)

    # --- outreach ---

    @get("/outreach", operation_id="outreachReport")
    async def outreach(
        self,
        reader: Reader,
        queries: Queries,
        unit_code: FromQuery[str],
        period: FromQuery[str],
        as_of: FromQuery[datetime.date | None] = None,
    ) -> OutreachReport:
        """Outreach sessions and loudspeaker-vehicle trips per unit and date (the units under it as
        the tree stood on ``as_of``: today's without it)."""
        return await queries.outreach(unit_code, period, as_of)

"""Internal REST API of the broadcast service: queries, single and batched.

Batched queries (one call for many keys, for the gateway's DataLoaders) are ``POST
/queries/...`` with the keys in a JSON body, so a thousand ids never meet a URL length limit;
answers keep the order of the keys asked for. Reads need a principal that may read
(``read``, or a broadcast write scope).
"""

from __future__ import annotations

import datetime
from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from libs.common.errors import InvalidInputError, NotFoundError
from libs.common.runtime import ServiceRuntime
from services.broadcast.adapters import airtime_read, alerts_read, outreach_read, programmes_read, signal_read
from services.broadcast.adapters.registry_view import UnitRow
from services.broadcast.adapters.registry_view import unit_by_code as find_unit
from services.broadcast.application.base import utc_now
from services.broadcast.domain.period import Period
from services.broadcast.entrypoints.http_context import Req, reader

Runtime = NamedDependency[ServiceRuntime]
MAX_KEYS = 1000
Keys = Annotated[list[str], msgspec.Meta(min_length=1, max_length=MAX_KEYS)]


class ProgrammeKeys(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    programme_ids: Keys


class StationKeys(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    station_ids: Keys
    problems_only: bool = False
    """Only late, missing and failed deliveries."""


class StationAirtimeQuery(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    station_ids: Keys
    period: str


class UnitAirtimeQuery(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    unit_codes: Keys
    period: str


class ClusterKeys(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    cluster_ids: Annotated[list[str], msgspec.Meta(min_length=1, max_length=10_000)]


class Deliveries(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    deliveries: list[programmes_read.DeliveryView]


async def _unit(runtime: ServiceRuntime, code: str) -> UnitRow:
    async with runtime.pool.acquire() as conn:
        unit = await find_unit(conn, code)
    if unit is None:
        raise NotFoundError(f"no unit with code {code}", code="unknown_unit", details={"unit_code": code})
    return unit


def _limit(limit: int, maximum: int = 500) -> int:
    if not 1 <= limit <= maximum:
        raise InvalidInputError(f"limit must be between 1 and {maximum}", code="invalid_limit")
    return limit


class BroadcastQueriesController(Controller):
    tags = ["broadcast: queries"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    # --- programmes and deliveries ---

    @get("/programmes", operation_id="listProgrammes")
    async def programmes(
        self,
        *,
        request: Req,
        runtime: Runtime,
        unit_code: FromQuery[str | None] = None,
        from_date: FromQuery[datetime.date | None] = None,
        to_date: FromQuery[datetime.date | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: FromQuery[int] = 100,
    ) -> programmes_read.ProgrammePage:
        """Programmes by air date (then id), of a producer unit and the units under it if given."""
        reader(request)
        unit = await _unit(runtime, unit_code) if unit_code else None
        async with runtime.pool.acquire() as conn:
            return await programmes_read.list_programmes(
                conn, unit, first_day=from_date, last_day=to_date, cursor=cursor, limit=_limit(limit)
            )

    @get("/programmes/summary", operation_id="programmeSummary")
    async def programme_summary(
        self, request: Req, runtime: Runtime, unit_code: FromQuery[str], period: FromQuery[str]
    ) -> programmes_read.ProgrammeSummary:
        """Programmes, news items, articles, duration, segments and topics of a unit's producers."""
        reader(request)
        parsed = Period.parse(period)
        unit = await _unit(runtime, unit_code)
        async with runtime.pool.acquire() as conn:
            return await programmes_read.programme_summary(conn, unit, parsed)

    @post("/queries/programmes", operation_id="programmesByIds", status_code=200)
    async def programmes_by_ids(
        self, data: JSONBody[ProgrammeKeys], request: Req, runtime: Runtime
    ) -> list[programmes_read.ProgrammeView]:
        """Many programmes by id, in the order asked; unknown ids are left out."""
        reader(request)
        async with runtime.pool.acquire() as conn:
            return await programmes_read.programmes_by_ids(conn, data.programme_ids)

    @post("/queries/deliveries", operation_id="deliveriesOfProgrammes", status_code=200)
    async def deliveries_of(self, data: JSONBody[ProgrammeKeys], request: Req, runtime: Runtime) -> list[Deliveries]:
        """The deliveries of many programmes (one entry per programme asked for, in order)."""
        reader(request)
        async with runtime.pool.acquire() as conn:
            found = await programmes_read.deliveries_of(conn, data.programme_ids, utc_now())
        return [Deliveries(key=k, deliveries=v) for k, v in found.items()]

    @post("/queries/station-deliveries", operation_id="deliveriesAtStations", status_code=200)
    async def deliveries_at(self, data: JSONBody[StationKeys], request: Req, runtime: Runtime) -> list[Deliveries]:
        """Deliveries to many stations, each marked on time, late, missing, pending or failed."""
        reader(request)
        async with runtime.pool.acquire() as conn:
            found = await programmes_read.deliveries_at(conn, data.station_ids, utc_now(), data.problems_only)
        return [Deliveries(key=k, deliveries=v) for k, v in found.items()]

    # --- airtime ---

    @post("/queries/airtime/stations", operation_id="airtimeOfStations", status_code=200)
    async def station_airtime(
        self, data: JSONBody[StationAirtimeQuery], request: Req, runtime: Runtime
    ) -> list[airtime_read.StationAirtime]:
        """Airtime per source of many stations for one period."""
        reader(request)
        period = Period.parse(data.period)
        async with runtime.pool.acquire() as conn:
            return await airtime_read.stations_airtime(conn, data.station_ids, period)

    @post("/queries/airtime/units", operation_id="airtimeOfUnits", status_code=200)
    async def units_airtime(
        self, data: JSONBody[UnitAirtimeQuery], request: Req, runtime: Runtime
    ) -> list[airtime_read.UnitAirtime]:
        """Airtime per source of many units, each rolled up over the units under it."""
        reader(request)
        period = Period.parse(data.period)
        out = []
        for code in dict.fromkeys(data.unit_codes):
            unit = await _unit(runtime, code)
            async with runtime.pool.acquire() as conn:
                out.append(await airtime_read.unit_airtime(conn, unit, period))
        return out

    @get("/airtime/units/{unit_code:str}", operation_id="airtimeOfUnit")
    async def unit_airtime(
        self, unit_code: FromPath[str], request: Req, runtime: Runtime, period: FromQuery[str]
    ) -> airtime_read.UnitAirtime:
        reader(request)
        parsed = Period.parse(period)
        unit = await _unit(runtime, unit_code)
        async with runtime.pool.acquire() as conn:
            return await airtime_read.unit_airtime(conn, unit, parsed)

    @get("/stations/{station_id:str}/relay-sessions", operation_id="relaySessionsOfStation")
    async def station_sessions(
        self,
        station_id: FromPath[str],
        request: Req,
        runtime: Runtime,
        period: FromQuery[str],
        limit: FromQuery[int] = 500,
    ) -> list[airtime_read.SessionView]:
        reader(request)
        parsed = Period.parse(period)
        async with runtime.pool.acquire() as conn:
            return await airtime_read.station_sessions(conn, station_id, parsed, _limit(limit, 5000))

    # --- signal health ---

    @post("/queries/signal/clusters", operation_id="signalOfClusters", status_code=200)
    async def cluster_signal(
        self, data: JSONBody[ClusterKeys], request: Req, runtime: Runtime
    ) -> list[signal_read.ClusterSignalView]:
        """The live signal state of many clusters (UNKNOWN for one that never reported)."""
        reader(request)
        async with runtime.pool.acquire() as conn:
            return await signal_read.cluster_states(conn, data.cluster_ids)

    @get("/signal/health", operation_id="signalHealth")
    async def signal_health(
        self, request: Req, runtime: Runtime, unit_code: FromQuery[str], period: FromQuery[str]
    ) -> signal_read.UnitHealth:
        """Availability and MTTR per station of a unit (and the units under it) for a period."""
        reader(request)
        parsed = Period.parse(period)
        unit = await _unit(runtime, unit_code)
        async with runtime.pool.acquire() as conn:
            return await signal_read.unit_health(conn, unit, parsed, utc_now())

    @get("/signal/incidents", operation_id="signalIncidents")
    async def signal_incidents(
        self,
        *,
        request: Req,
        runtime: Runtime,
        unit_code: FromQuery[str],
        period: FromQuery[str | None] = None,
        open_only: FromQuery[bool] = False,
        limit: FromQuery[int] = 500,
    ) -> list[signal_read.IncidentView]:
        reader(request)
        parsed = Period.parse(period) if period else None
        unit = await _unit(runtime, unit_code)
        async with runtime.pool.acquire() as conn:
            return await signal_read.incidents(conn, unit, parsed, open_only, _limit(limit, 5000))

    # --- alerts ---

    @get("/alerts/{alert_id:str}", operation_id="emergencyAlert")
    async def alert(self, alert_id: FromPath[str], request: Req, runtime: Runtime) -> alerts_read.AlertView:
        reader(request)
        async with runtime.pool.acquire() as conn:
            found = await alerts_read.alert(conn, alert_id, utc_now())
        if found is None:
            raise NotFoundError("no such alert", code="unknown_alert")
        return found

    @get("/alerts/{alert_id:str}/unacknowledged", operation_id="unacknowledgedStations")
    async def unacknowledged(
        self, alert_id: FromPath[str], request: Req, runtime: Runtime, after_minutes: FromQuery[float]
    ) -> alerts_read.UnacknowledgedReport:
        """The stations that had not acknowledged the alert within ``after_minutes`` of its issue."""
        reader(request)
        if not 0 <= after_minutes <= 60 * 24 * 30:
            raise InvalidInputError("after_minutes must be between 0 and 43,200", code="invalid_minutes")
        async with runtime.pool.acquire() as conn:
            found = await alerts_read.unacknowledged(conn, alert_id, after_minutes, utc_now())
        if found is None:
            raise NotFoundError("no such alert", code="unknown_alert")
        return found

    # --- outreach ---

    @get("/outreach", operation_id="outreachReport")
    async def outreach(
        self, request: Req, runtime: Runtime, unit_code: FromQuery[str], period: FromQuery[str]
    ) -> outreach_read.OutreachReport:
        """Outreach sessions and loudspeaker-vehicle trips per unit and date."""
        reader(request)
        parsed = Period.parse(period)
        unit = await _unit(runtime, unit_code)
        async with runtime.pool.acquire() as conn:
            return await outreach_read.outreach(conn, unit, parsed)

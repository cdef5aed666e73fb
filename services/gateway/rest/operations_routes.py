"""/api/v1 routes for a station's relay log and a unit's outreach: relay sessions listed and
cancelled; outreach sessions and loudspeaker-vehicle trips recorded, listed and summed (per day,
paged). A list by unit takes ``as_of``: the unit tree of that day (today's without it).

Bodies and answers are the broadcast service's own (``contracts.api.broadcast*``); a command
answers its ``CommandResult`` and takes an ``Idempotency-Key``; the service decides scope
(``broadcast:write``) and reach (within the caller's unit).
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from litestar import Controller, get, post
from litestar.openapi.spec import Example
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from contracts.api.broadcast import ReasonBody, RecordOutreachSessionBody, RecordVehicleTripBody
from contracts.api.broadcast_views import OutreachDayPage, OutreachPage, OutreachReport, SessionPage
from libs.common.eventstore.results import CommandResult
from services.gateway.adapters import broadcast_api
from services.gateway.adapters.internal import ServiceError, ServiceUnavailableError
from services.gateway.graphql.pages import checked_first
from services.gateway.graphql.scalars import PERIOD_PATTERN
from services.gateway.rest.callers import READER, WRITER, Caller, idempotency_key
from services.gateway.rest.routes import BEARER, Req, service_error, service_unavailable
from services.gateway.rest.unit_tree import AS_OF

FIRST = Annotated[int, QueryParameter(ge=1, le=200, examples=[Example(value=50)])]
UNIT = Annotated[str | None, QueryParameter(examples=[Example(value="061")])]
PERIOD = Annotated[str, QueryParameter(pattern=PERIOD_PATTERN.pattern, examples=[Example(value="2023")])]


class _Public(Controller):
    security = [{BEARER: []}]  # noqa: RUF012 - Litestar declares it as an instance attribute
    exception_handlers = {ServiceError: service_error, ServiceUnavailableError: service_unavailable}  # noqa: RUF012


class RelaySessionRoutes(_Public):
    path = "/api/v1/relay-sessions"
    tags = ["public API: relays"]  # noqa: RUF012

    @get("/", operation_id="relaySessions", dependencies=READER, summary="A unit's relay sessions, by start")
    async def sessions(  # noqa: PLR0917 - query parameters, passed by name
        self,
        caller: Caller,
        unit_code: UNIT = None,
        station_id: FromQuery[str | None] = None,
        from_date: FromQuery[datetime.date | None] = None,
        to_date: FromQuery[datetime.date | None] = None,
        first: FIRST = 50,
        after: FromQuery[str | None] = None,
        as_of: AS_OF = None,
    ) -> SessionPage:
        """Sessions of the unit's stations (or one station's) overlapping the days, cancelled ones marked."""
        return await broadcast_api.relay_sessions(
            caller,
            unit_code=unit_code,
            date_from=from_date,
            date_to=to_date,
            station_id=station_id,
            first=checked_first(first),
            after=after,
            as_of=as_of,
        )

    @post(
        "/{session_id:str}/cancel",
        operation_id="cancelRelaySession",
        dependencies=WRITER,
        summary="Cancel a session logged in error",
    )
    async def cancel(
        self, request: Req, caller: Caller, session_id: FromPath[str], data: JSONBody[ReasonBody]
    ) -> CommandResult:
        return await broadcast_api.cancel_relay(caller, session_id, data, idempotency_key(request))


class OutreachRoutes(_Public):
    path = "/api/v1/outreach"
    tags = ["public API: outreach"]  # noqa: RUF012

    @post(
        "/sessions",
        operation_id="recordOutreachSession",
        dependencies=WRITER,
        summary="Record a mobile information session",
    )
    async def record_session(
        self, request: Req, caller: Caller, data: JSONBody[RecordOutreachSessionBody]
    ) -> CommandResult:
        return await broadcast_api.record_outreach_session(caller, data, idempotency_key(request))

    @post(
        "/vehicle-trips",
        operation_id="recordVehicleTrip",
        dependencies=WRITER,
        summary="Record a loudspeaker-vehicle trip",
    )
    async def record_trip(self, request: Req, caller: Caller, data: JSONBody[RecordVehicleTripBody]) -> CommandResult:
        return await broadcast_api.record_vehicle_trip(caller, data, idempotency_key(request))

    @get("/records", operation_id="outreachRecords", dependencies=READER, summary="A unit's outreach, by date")
    async def records(  # noqa: PLR0917 - query parameters, passed by name
        self,
        caller: Caller,
        unit_code: UNIT = None,
        kind: FromQuery[Literal["session", "vehicle_trip"] | None] = None,
        from_date: FromQuery[datetime.date | None] = None,
        to_date: FromQuery[datetime.date | None] = None,
        first: FIRST = 50,
        after: FromQuery[str | None] = None,
        as_of: AS_OF = None,
    ) -> OutreachPage:
        return await broadcast_api.outreach_records(
            caller,
            unit_code=unit_code,
            date_from=from_date,
            date_to=to_date,
            kind=kind,
            first=checked_first(first),
            after=after,
            as_of=as_of,
        )

    @get("/", operation_id="outreachReport", dependencies=READER, summary="A unit's outreach over a period")
    async def report(
        self,
        caller: Caller,
        unit_code: Annotated[str, QueryParameter(examples=[Example(value="061")])],
        period: PERIOD,
        as_of: AS_OF = None,
    ) -> OutreachReport:
        """Sessions and vehicle trips per unit and day (everything under the unit)."""
        return await broadcast_api.outreach_report(caller, unit_code, period, as_of)

    @get("/days", operation_id="outreachDays", dependencies=READER, summary="A unit's outreach per day, paged")
    async def days(  # noqa: PLR0917 - query parameters, passed by name
        self,
        caller: Caller,
        unit_code: Annotated[str, QueryParameter(examples=[Example(value="061")])],
        period: PERIOD,
        as_of: AS_OF = None,
        first: FIRST = 50,
        after: FromQuery[str | None] = None,
    ) -> OutreachDayPage:
        """The report's sessions and vehicle trips per unit and day, by day then unit code."""
        return await broadcast_api.outreach_days(caller, unit_code, period, as_of, checked_first(first), after)

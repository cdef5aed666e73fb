"""/api/v1 routes for a programme's content and distribution: recorded (with its priority),
corrected, submitted, approved or rejected (ADR 0052), sent to stations, each delivery received,
aired or failed, and a unit's deliveries listed (the late, missing and
failed ones on request); a unit's programme and airtime figures over a period.

Bodies and answers are the broadcast service's own (``contracts.api.broadcast*``); a command
answers its ``CommandResult`` and takes an ``Idempotency-Key``; the service decides scope
(``broadcast:write``; approving and rejecting: ``broadcast:approve``) and reach (a district
centre's own programmes and stations).
"""

from __future__ import annotations

import datetime
from typing import Annotated

from litestar import Controller, get, post
from litestar.openapi.spec import Example
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from contracts.api.broadcast import (
    ApproveProgrammeBody,
    CorrectProgrammeBody,
    DeliveryStepBody,
    RecordProgrammeBody,
    RejectProgrammeBody,
    SendProgrammeBody,
    SubmitProgrammeBody,
)
from contracts.api.broadcast_views import DeliveryPage, ProgrammeSummary, UnitAirtime
from libs.common.eventstore.results import CommandResult
from services.gateway.adapters import broadcast_api
from services.gateway.adapters.broadcast_api import DeliveryStep
from services.gateway.adapters.internal import ServiceError, ServiceUnavailableError
from services.gateway.graphql.pages import checked_first
from services.gateway.graphql.scalars import PERIOD_PATTERN
from services.gateway.rest.callers import READER, WRITER, Caller, idempotency_key
from services.gateway.rest.routes import BEARER, Req, service_error, service_unavailable
from services.gateway.rest.unit_tree import AS_OF

FIRST = Annotated[int, QueryParameter(ge=1, le=200, examples=[Example(value=50)])]
UNIT = Annotated[str, QueryParameter(examples=[Example(value="061")])]
PERIOD = Annotated[str, QueryParameter(pattern=PERIOD_PATTERN.pattern, examples=[Example(value="2023")])]
STEP_SUMMARY: dict[DeliveryStep, str] = {
    "receive": "A station received a programme",
    "air": "A station aired a programme",
    "fail": "A programme failed at a station (reason required)",
}


class _Public(Controller):
    security = [{BEARER: []}]  # noqa: RUF012 - Litestar declares it as an instance attribute
    exception_handlers = {ServiceError: service_error, ServiceUnavailableError: service_unavailable}  # noqa: RUF012


class ProgrammeRoutes(_Public):
    path = "/api/v1/programmes"
    tags = ["public API: programmes"]  # noqa: RUF012

    @post("/record", operation_id="recordProgramme", dependencies=WRITER, summary="Record a programme")
    async def record(self, request: Req, caller: Caller, data: JSONBody[RecordProgrammeBody]) -> CommandResult:
        """A district centre's or the province's programme, with its ``priority`` (and each item's).
        Recorded by an approver of the producer it is approved at once unless ``draft`` is true;
        by anyone else it is a draft to submit. ``ids``: the new programme."""
        return await broadcast_api.record_programme_command(caller, data, idempotency_key(request))

    @post("/{programme_id:str}/submit", operation_id="submitProgramme", dependencies=WRITER, summary="Submit it")
    async def submit(
        self, request: Req, caller: Caller, programme_id: FromPath[str], data: JSONBody[SubmitProgrammeBody]
    ) -> CommandResult:
        """Submit a draft (or rejected content, corrected) for approval."""
        return await broadcast_api.programme_approval(caller, "submit", programme_id, data, idempotency_key(request))

    @post("/{programme_id:str}/approve", operation_id="approveProgramme", dependencies=WRITER, summary="Approve it")
    async def approve(
        self, request: Req, caller: Caller, programme_id: FromPath[str], data: JSONBody[ApproveProgrammeBody]
    ) -> CommandResult:
        """Approve submitted content (``broadcast:approve``, for the producer's unit or the province):
        it may then be sent to stations."""
        return await broadcast_api.programme_approval(caller, "approve", programme_id, data, idempotency_key(request))

    @post("/{programme_id:str}/reject", operation_id="rejectProgramme", dependencies=WRITER, summary="Reject it")
    async def reject(
        self, request: Req, caller: Caller, programme_id: FromPath[str], data: JSONBody[RejectProgrammeBody]
    ) -> CommandResult:
        """Reject submitted content with a ``reason`` (``broadcast:approve``)."""
        return await broadcast_api.programme_approval(caller, "reject", programme_id, data, idempotency_key(request))

    @post("/{programme_id:str}/correct", operation_id="correctProgramme", dependencies=WRITER, summary="Correct it")
    async def correct(
        self, request: Req, caller: Caller, programme_id: FromPath[str], data: JSONBody[CorrectProgrammeBody]
    ) -> CommandResult:
        """Fields left out keep their value; ``reason`` is required."""
        return await broadcast_api.correct_programme(caller, programme_id, data, idempotency_key(request))

    @post(
        "/{programme_id:str}/send",
        operation_id="sendProgramme",
        dependencies=WRITER,
        summary="Send it to commune stations",
    )
    async def send(
        self, request: Req, caller: Caller, programme_id: FromPath[str], data: JSONBody[SendProgrammeBody]
    ) -> CommandResult:
        """Each station is to air it by ``due_at``; ``ids``: the programme, then each station."""
        return await broadcast_api.send_programme(caller, programme_id, data, idempotency_key(request))


class DeliveryRoutes(_Public):
    path = "/api/v1/deliveries"
    tags = ["public API: programmes"]  # noqa: RUF012

    @post(
        "/{programme_id:str}/{station_id:str}/receive",
        operation_id="receiveDelivery",
        dependencies=WRITER,
        summary=STEP_SUMMARY["receive"],
    )
    async def receive(
        self,
        request: Req,
        caller: Caller,
        programme_id: FromPath[str],
        station_id: FromPath[str],
        data: JSONBody[DeliveryStepBody],
    ) -> CommandResult:
        key = idempotency_key(request)
        return await broadcast_api.delivery_step(caller, "receive", programme_id, station_id, data, key)

    @post(
        "/{programme_id:str}/{station_id:str}/air",
        operation_id="airDelivery",
        dependencies=WRITER,
        summary=STEP_SUMMARY["air"],
    )
    async def air(
        self,
        request: Req,
        caller: Caller,
        programme_id: FromPath[str],
        station_id: FromPath[str],
        data: JSONBody[DeliveryStepBody],
    ) -> CommandResult:
        key = idempotency_key(request)
        return await broadcast_api.delivery_step(caller, "air", programme_id, station_id, data, key)

    @post(
        "/{programme_id:str}/{station_id:str}/fail",
        operation_id="failDelivery",
        dependencies=WRITER,
        summary=STEP_SUMMARY["fail"],
    )
    async def fail(
        self,
        request: Req,
        caller: Caller,
        programme_id: FromPath[str],
        station_id: FromPath[str],
        data: JSONBody[DeliveryStepBody],
    ) -> CommandResult:
        key = idempotency_key(request)
        return await broadcast_api.delivery_step(caller, "fail", programme_id, station_id, data, key)

    @get("/", operation_id="deliveries", dependencies=READER, summary="A unit's deliveries, by due time")
    async def deliveries(  # noqa: PLR0917 - query parameters, passed by name
        self,
        caller: Caller,
        unit_code: Annotated[str | None, QueryParameter(examples=[Example(value="061")])] = None,
        station_id: FromQuery[str | None] = None,
        from_date: FromQuery[datetime.date | None] = None,
        to_date: FromQuery[datetime.date | None] = None,
        problems_only: FromQuery[bool] = False,
        first: FIRST = 50,
        after: FromQuery[str | None] = None,
        as_of: AS_OF = None,
    ) -> DeliveryPage:
        """Deliveries to the unit's stations (or one station's) due in the days; ``problems_only``:
        the late, missing and failed ones, each with its ``timeliness``."""
        return await broadcast_api.deliveries_page(
            caller,
            unit_code=unit_code,
            date_from=from_date,
            date_to=to_date,
            station_id=station_id,
            problems_only=problems_only,
            first=checked_first(first),
            after=after,
            as_of=as_of,
        )


class FigureRoutes(_Public):
    """A unit's programme and airtime figures over a period (everything under it)."""

    path = "/api/v1"
    tags = ["public API: programmes"]  # noqa: RUF012
    dependencies = READER

    @get("/programmes/summary", operation_id="programmeSummary", summary="A unit's programmes over a period")
    async def programme_summary(
        self, caller: Caller, unit_code: UNIT, period: PERIOD, as_of: AS_OF = None
    ) -> ProgrammeSummary:
        return await broadcast_api.programme_summary(caller, unit_code, period, as_of)

    @get("/airtime/units/{unit_code:str}", operation_id="airtimeOfUnit", summary="A unit's airtime per source")
    async def airtime(
        self, caller: Caller, unit_code: FromPath[str], period: PERIOD, as_of: AS_OF = None
    ) -> UnitAirtime:
        """Its stations' seconds on air per source, rolled up, and each direct child's (the
        children of the day ``as_of`` when given)."""
        return await broadcast_api.unit_airtime(caller, unit_code, period, as_of)

"""/api/v1 routes for emergency alerts: issue, acknowledge, cancel; read one, list (by unit, in
the unit tree of the day ``as_of``), page the stations one went to, and the stations still
silent N minutes after one went out.

Bodies and answers are the broadcast service's own (``contracts.api.broadcast*``); a command
answers the service's ``CommandResult`` (the alert's id first; for an issue, then every
station it went to) and takes an ``Idempotency-Key``. The service decides scope and reach.
"""

from __future__ import annotations

import datetime
from typing import Annotated

from litestar import Controller, get, post
from litestar.openapi.spec import Example
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from contracts.api.broadcast import AcknowledgeAlertBody, AlertStationsAsk, IssueAlertBody, ReasonBody
from contracts.api.broadcast_views import AlertPage, AlertStationPage, AlertView, UnacknowledgedReport
from libs.common.errors import NotFoundError
from libs.common.eventstore.results import CommandResult
from services.gateway.adapters import broadcast_api
from services.gateway.adapters.internal import ServiceError, ServiceUnavailableError
from services.gateway.graphql.pages import checked_first
from services.gateway.rest.callers import READER, WRITER, Caller, idempotency_key
from services.gateway.rest.routes import BEARER, Req, service_error, service_unavailable
from services.gateway.rest.unit_tree import AS_OF

FIRST = Annotated[int, QueryParameter(ge=1, le=200, examples=[Example(value=50)])]


class AlertRoutes(Controller):
    path = "/api/v1/alerts"
    tags = ["public API: emergency alerts"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    security = [{BEARER: []}]  # noqa: RUF012
    exception_handlers = {ServiceError: service_error, ServiceUnavailableError: service_unavailable}  # noqa: RUF012

    @post("/", operation_id="issueEmergencyAlert", dependencies=WRITER, summary="Issue an alert to an area")
    async def issue(self, request: Req, caller: Caller, data: JSONBody[IssueAlertBody]) -> CommandResult:
        """It goes to every station in the unit and under it. Needs ``alerts:issue``."""
        return await broadcast_api.issue_alert(caller, data, idempotency_key(request))

    @post(
        "/{alert_id:str}/acknowledge",
        operation_id="acknowledgeEmergencyAlert",
        dependencies=WRITER,
        summary="A station acknowledges an alert",
    )
    async def acknowledge(
        self, request: Req, caller: Caller, alert_id: FromPath[str], data: JSONBody[AcknowledgeAlertBody]
    ) -> CommandResult:
        """Needs ``broadcast:write`` and the station within the caller's unit."""
        return await broadcast_api.acknowledge_alert(caller, alert_id, data, idempotency_key(request))

    @post("/{alert_id:str}/cancel", operation_id="cancelEmergencyAlert", dependencies=WRITER, summary="Cancel an alert")
    async def cancel(
        self, request: Req, caller: Caller, alert_id: FromPath[str], data: JSONBody[ReasonBody]
    ) -> CommandResult:
        return await broadcast_api.cancel_alert(caller, alert_id, data, idempotency_key(request))

    @get("/", operation_id="emergencyAlerts", dependencies=READER, summary="Alerts reaching a unit, newest first")
    async def alerts(  # noqa: PLR0917 - query parameters, passed by name
        self,
        caller: Caller,
        unit_code: Annotated[str | None, QueryParameter(examples=[Example(value="061")])] = None,
        awaiting: FromQuery[bool] = False,
        from_date: FromQuery[datetime.date | None] = None,
        to_date: FromQuery[datetime.date | None] = None,
        first: FIRST = 50,
        after: FromQuery[str | None] = None,
        as_of: AS_OF = None,
    ) -> AlertPage:
        """``awaiting``: only those still running with a station yet to acknowledge."""
        return await broadcast_api.alerts(
            caller,
            unit_code=unit_code,
            date_from=from_date,
            date_to=to_date,
            awaiting=awaiting,
            first=checked_first(first),
            after=after,
            as_of=as_of,
        )

    @get("/{alert_id:str}", operation_id="emergencyAlert", dependencies=READER, summary="An alert and its stations")
    async def alert(self, caller: Caller, alert_id: FromPath[str]) -> AlertView:
        found = await broadcast_api.alerts_by_ids(caller, [alert_id])
        if not found:
            raise NotFoundError("no such alert", code="unknown_alert", details={"alert_id": alert_id})
        return found[0]

    @get(
        "/{alert_id:str}/stations",
        operation_id="emergencyAlertStations",
        dependencies=READER,
        summary="The stations an alert went to, paged",
    )
    async def stations(
        self, caller: Caller, alert_id: FromPath[str], first: FIRST = 50, after: FromQuery[str | None] = None
    ) -> AlertStationPage:
        """By commune, then station, acknowledged or not."""
        [page] = await broadcast_api.alert_station_pages(
            caller, [AlertStationsAsk(alert_id=alert_id, after=after, limit=checked_first(first))]
        )
        if page.total_count == 0 and not await broadcast_api.alerts_by_ids(caller, [alert_id]):
            raise NotFoundError("no such alert", code="unknown_alert", details={"alert_id": alert_id})
        return page

    @get(
        "/{alert_id:str}/unacknowledged",
        operation_id="unacknowledgedStations",
        dependencies=READER,
        summary="Stations silent N minutes after an alert went out",
    )
    async def unacknowledged(
        self,
        caller: Caller,
        alert_id: FromPath[str],
        after_minutes: Annotated[float, QueryParameter(ge=0, examples=[Example(value=15)])],
    ) -> UnacknowledgedReport:
        return await broadcast_api.unacknowledged(caller, alert_id, after_minutes)

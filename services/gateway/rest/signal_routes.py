"""/api/v1 routes for signal health: a unit's incidents, open or closed, paged; and its
availability, downtime and MTTR per station over a period (answers: the broadcast service's
``contracts.api.broadcast_views``). Reads need ``read``."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.openapi.spec import Example
from litestar.params import FromQuery, QueryParameter

from contracts.api.broadcast import IncidentStatus
from contracts.api.broadcast_views import IncidentPage, UnitHealth
from services.gateway.adapters import broadcast_api, incidents_api
from services.gateway.adapters.internal import ServiceError, ServiceUnavailableError
from services.gateway.graphql.pages import checked_first
from services.gateway.graphql.scalars import PERIOD_PATTERN
from services.gateway.rest.callers import READER, Caller
from services.gateway.rest.routes import BEARER, service_error, service_unavailable
from services.gateway.rest.unit_tree import AS_OF

UNIT = Annotated[str, QueryParameter(examples=[Example(value="061")])]


class SignalRoutes(Controller):
    path = "/api/v1/signal"
    tags = ["public API: signal health"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    security = [{BEARER: []}]  # noqa: RUF012
    exception_handlers = {ServiceError: service_error, ServiceUnavailableError: service_unavailable}  # noqa: RUF012
    dependencies = READER

    @get("/incidents", operation_id="signalIncidents", summary="A unit's signal incidents, oldest first")
    async def incidents(  # noqa: PLR0917 - query parameters, passed by name
        self,
        caller: Caller,
        unit_code: UNIT,
        period: Annotated[str | None, QueryParameter(pattern=PERIOD_PATTERN.pattern)] = None,
        open: FromQuery[bool | None] = None,
        first: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        after: FromQuery[str | None] = None,
        status: FromQuery[IncidentStatus | None] = None,
        as_of: AS_OF = None,
    ) -> IncidentPage:
        """Open at some time in ``period`` (any time without it); ``open``: only open ones (true)
        or only closed ones (false); ``status``: by the signal or by people's handling (wins over
        ``open``). Paged in the service: every incident is reachable."""
        which = status or {True: "open", False: "closed", None: None}[open]
        return await incidents_api.incidents(
            caller, unit_code, period=period, status=which, first=checked_first(first), after=after, as_of=as_of
        )

    @get("/health", operation_id="signalHealth", summary="Availability and MTTR of a unit's clusters")
    async def health(
        self,
        caller: Caller,
        unit_code: UNIT,
        period: Annotated[str, QueryParameter(pattern=PERIOD_PATTERN.pattern, examples=[Example(value="2023")])],
        as_of: AS_OF = None,
    ) -> UnitHealth:
        return await broadcast_api.signal_health(caller, unit_code, period, as_of)

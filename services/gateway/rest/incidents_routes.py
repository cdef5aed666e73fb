"""/api/v1 routes for incidents handled (ADR 0051): acknowledge, assign, add a note, resolve with
a cause; read one with its handling and notes; MTTR by assignee or cause. A unit's incidents,
paged, are ``GET /api/v1/signal/incidents`` (``signal_routes``).

Bodies and answers are the broadcast service's own (``contracts.api.broadcast*``); a command
answers the service's ``CommandResult`` (the incident's id) and takes an ``Idempotency-Key``.
The service decides scope and who may handle which incident.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.openapi.spec import Example
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from contracts.api.broadcast import (
    AcknowledgeIncidentBody,
    AssignIncidentBody,
    IncidentNoteBody,
    MttrBy,
    ResolveIncidentBody,
)
from contracts.api.broadcast_views import IncidentMttr, IncidentView
from libs.common.errors import NotFoundError
from libs.common.eventstore.results import CommandResult
from services.gateway.adapters import incidents_api
from services.gateway.adapters.internal import ServiceError, ServiceUnavailableError
from services.gateway.graphql.scalars import PERIOD_PATTERN
from services.gateway.rest.callers import READER, WRITER, Caller, idempotency_key
from services.gateway.rest.routes import BEARER, Req, service_error, service_unavailable
from services.gateway.rest.unit_tree import AS_OF

ID = FromPath[str]


class IncidentRoutes(Controller):
    path = "/api/v1/incidents"
    tags = ["public API: incidents handled"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    security = [{BEARER: []}]  # noqa: RUF012
    exception_handlers = {ServiceError: service_error, ServiceUnavailableError: service_unavailable}  # noqa: RUF012

    @post("/{incident_id:str}/acknowledge", operation_id="acknowledgeIncident", dependencies=WRITER,
          summary="Take an incident on")  # fmt: skip
    async def acknowledge(
        self, request: Req, caller: Caller, incident_id: ID, data: JSONBody[AcknowledgeIncidentBody]
    ) -> CommandResult:
        """Needs ``broadcast:write`` and the incident in the caller's unit, or assigned to it."""
        return await incidents_api.acknowledge(caller, incident_id, data, idempotency_key(request))

    @post("/{incident_id:str}/assign", operation_id="assignIncident", dependencies=WRITER,
          summary="Assign an incident to a district centre, a commune or an operator")  # fmt: skip
    async def assign(
        self, request: Req, caller: Caller, incident_id: ID, data: JSONBody[AssignIncidentBody]
    ) -> CommandResult:
        """An operator's key may not assign; a district assigns only within its district."""
        return await incidents_api.assign(caller, incident_id, data, idempotency_key(request))

    @post("/{incident_id:str}/notes", operation_id="addIncidentNote", dependencies=WRITER,
          summary="Add a note to an incident")  # fmt: skip
    async def add_note(
        self, request: Req, caller: Caller, incident_id: ID, data: JSONBody[IncidentNoteBody]
    ) -> CommandResult:
        return await incidents_api.add_note(caller, incident_id, data, idempotency_key(request))

    @post("/{incident_id:str}/resolve", operation_id="resolveIncident", dependencies=WRITER,
          summary="Resolve an incident with its cause")  # fmt: skip
    async def resolve(
        self, request: Req, caller: Caller, incident_id: ID, data: JSONBody[ResolveIncidentBody]
    ) -> CommandResult:
        return await incidents_api.resolve(caller, incident_id, data, idempotency_key(request))

    @get("/mttr", operation_id="incidentMttr", dependencies=READER, summary="MTTR by assignee or by cause")
    async def mttr(
        self,
        caller: Caller,
        unit_code: Annotated[str, QueryParameter(examples=[Example(value="061")])],
        period: Annotated[str, QueryParameter(pattern=PERIOD_PATTERN.pattern, examples=[Example(value="2026")])],
        by: FromQuery[MttrBy],
        as_of: AS_OF = None,
    ) -> IncidentMttr:
        """Mean time from opening to resolution of the incidents resolved in ``period``."""
        return await incidents_api.mttr(caller, unit_code, period, by, as_of)

    @get("/{incident_id:str}", operation_id="incident", dependencies=READER, summary="An incident and its handling")
    async def incident(self, caller: Caller, incident_id: ID) -> IncidentView:
        found = await incidents_api.by_ids(caller, [incident_id])
        if not found:
            raise NotFoundError("no such incident", code="unknown_incident", details={"incident_id": incident_id})
        return found[0]

# mypy: disallow-untyped-decorators=False
"""Incident-handling mutations (ADR 0051): acknowledge, assign, add a note, resolve with a cause.

Each is the broadcast service's command of the same name, made as the caller: the service
decides the scope (``broadcast:write``) and who may handle which incident (a district centre or
commune its own unit's, an operator only what is assigned to it). The answer is the incident
read back once the service's read model shows the change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.types import Info

from contracts.api.broadcast import AcknowledgeIncidentBody, AssignIncidentBody, IncidentNoteBody, ResolveIncidentBody
from contracts.api.broadcast_views import IncidentView
from contracts.broadcast_events import AssigneeKind
from services.gateway.adapters import incidents_api
from services.gateway.adapters.internal import ServiceCaller
from services.gateway.graphql.context import context_of
from services.gateway.graphql.ids import raw_id
from services.gateway.graphql.inputs_incidents import (
    AcknowledgeIncidentInput,
    AddIncidentNoteInput,
    AssignIncidentInput,
    ResolveIncidentInput,
)
from services.gateway.graphql.read_back import read_back
from services.gateway.graphql.types_signal import SignalIncident

Ctx = Info[Any, Any]
TYPE = "SignalIncident"


async def _incident_once(
    caller: ServiceCaller, incident_id: str, shows: Callable[[IncidentView], bool]
) -> SignalIncident:
    """The incident as the writer sees it, once its read model shows what the command changed; a
    read model still behind at the deadline answers the incident as it shows it, with a warning."""

    async def current() -> IncidentView | None:
        found = await incidents_api.by_ids(caller, [incident_id])
        return found[0] if found else None

    async def fetch() -> SignalIncident | None:
        found = await current()
        return SignalIncident.of(found) if found is not None and shows(found) else None

    async def as_shown() -> SignalIncident | None:
        found = await current()
        return SignalIncident.of(found) if found is not None else None

    return await read_back(caller, fetch, f"incident {incident_id}", reads=None, accepted=as_shown)


@strawberry.type
class IncidentMutation:
    @strawberry.mutation(description="Take an incident on: who and when are recorded (broadcast).")
    async def acknowledge_incident(self, info: Ctx, input: AcknowledgeIncidentInput) -> SignalIncident:
        caller = context_of(info).writer()
        incident_id = raw_id(input.incident_id, TYPE, "incidentId")
        body = AcknowledgeIncidentBody(note=input.note)
        await incidents_api.acknowledge(caller, incident_id, body, input.idempotency_key)
        return await _incident_once(caller, incident_id, lambda i: i.acknowledged_at is not None)

    @strawberry.mutation(description="Assign an incident to a district centre, a commune or an operator (broadcast).")
    async def assign_incident(self, info: Ctx, input: AssignIncidentInput) -> SignalIncident:
        caller = context_of(info).writer()
        incident_id = raw_id(input.incident_id, TYPE, "incidentId")
        kind: AssigneeKind = input.assignee_kind.value
        code = input.assignee_code.strip()
        body = AssignIncidentBody(assignee_kind=kind, assignee_code=code, note=input.note)
        await incidents_api.assign(caller, incident_id, body, input.idempotency_key)
        return await _incident_once(caller, incident_id, lambda i: (i.assignee_kind, i.assignee_code) == (kind, code))

    @strawberry.mutation(description="Add a note to an incident (broadcast).")
    async def add_incident_note(self, info: Ctx, input: AddIncidentNoteInput) -> SignalIncident:
        caller = context_of(info).writer()
        incident_id = raw_id(input.incident_id, TYPE, "incidentId")
        before = await incidents_api.by_ids(caller, [incident_id])
        count = len(before[0].notes) if before else 0
        body = IncidentNoteBody(note=input.note)
        result = await incidents_api.add_note(caller, incident_id, body, input.idempotency_key)
        return await _incident_once(caller, incident_id, lambda i: result.replayed or len(i.notes) > count)

    @strawberry.mutation(description="Resolve an incident with its cause (broadcast).")
    async def resolve_incident(self, info: Ctx, input: ResolveIncidentInput) -> SignalIncident:
        caller = context_of(info).writer()
        incident_id = raw_id(input.incident_id, TYPE, "incidentId")
        body = ResolveIncidentBody(cause=input.cause.value, note=input.note)
        await incidents_api.resolve(caller, incident_id, body, input.idempotency_key)
        return await _incident_once(caller, incident_id, lambda i: i.resolved_at is not None)

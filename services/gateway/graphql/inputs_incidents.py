"""Typed inputs of the incident-handling mutations (the service's bodies, in the contract's names)."""

from __future__ import annotations

import strawberry

from services.gateway.graphql.inputs import KEY_HELP
from services.gateway.graphql.types_incidents import IncidentAssigneeKind, IncidentCause


@strawberry.input
class AcknowledgeIncidentInput:
    incident_id: strawberry.ID
    note: str | None = strawberry.field(default=None, description="What is done first, if anything.")
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class AssignIncidentInput:
    incident_id: strawberry.ID
    assignee_kind: IncidentAssigneeKind
    assignee_code: str = strawberry.field(description="A district's or commune's code, or an operator's (VNPT).")
    note: str | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class AddIncidentNoteInput:
    incident_id: strawberry.ID
    note: str
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class ResolveIncidentInput:
    incident_id: strawberry.ID
    cause: IncidentCause
    note: str | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)

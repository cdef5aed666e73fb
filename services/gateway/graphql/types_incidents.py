# mypy: disallow-untyped-decorators=False
"""Incidents handled as partners read them (ADR 0051): who handles an incident, why it was
resolved, the notes people wrote on it, and MTTR by assignee or by cause (from the broadcast
service). The incident itself is ``types_signal.SignalIncident``."""

from __future__ import annotations

import enum

import strawberry

from contracts.api.broadcast_views import IncidentMttr as IncidentMttrView
from contracts.api.broadcast_views import IncidentNoteView, MttrGroup
from services.gateway.graphql.contract_types import FromContract, contract_type


@strawberry.enum(description="Who handles an incident: a district centre or a commune (by code), or an operator.")
class IncidentAssigneeKind(enum.Enum):
    UNIT = "unit"
    OPERATOR = "operator"


@strawberry.enum(description="Why a cluster went silent, as its resolver found it (docs/services/broadcast.md).")
class IncidentCause(enum.Enum):
    POWER_OUTAGE = "power_outage"
    EQUIPMENT_FAULT = "equipment_fault"
    TRANSMISSION_FAULT = "transmission_fault"
    NETWORK_OUTAGE = "network_outage"
    WEATHER_DAMAGE = "weather_damage"
    THEFT_OR_VANDALISM = "theft_or_vandalism"
    CONFIGURATION = "configuration"
    MONITORING_FAULT = "monitoring_fault"
    OTHER = "other"


@strawberry.enum(description="Which incidents: by the signal (open, closed) or by people's handling.")
class IncidentStatus(enum.Enum):
    OPEN = "open"
    CLOSED = "closed"
    UNACKNOWLEDGED = "unacknowledged"
    UNRESOLVED = "unresolved"
    RESOLVED = "resolved"


@strawberry.enum(description="How MTTR is grouped.")
class MttrBy(enum.Enum):
    ASSIGNEE = "assignee"
    CAUSE = "cause"


@contract_type(
    IncidentNoteView,
    fields=("note", "noted_at", "noted_by"),
    descriptions={"noted_by": "The subject of the credential that wrote it."},
    description="A note on an incident.",
)
class IncidentNote(FromContract[IncidentNoteView]):
    pass


@contract_type(
    MttrGroup,
    fields=("key", "resolved", "mttr_seconds"),
    descriptions={
        "key": "The assignee (unit:061, operator:VNPT, unassigned) or the cause (power_outage…).",
        "mttr_seconds": "Mean time from the incident's opening to its resolution.",
    },
    description="The incidents resolved in a period by one assignee, or for one cause.",
)
class IncidentMttrGroup(FromContract[MttrGroup]):
    pass


@contract_type(
    IncidentMttrView,
    fields=("unit_code", "period", "groups"),
    description="Mean time to resolve a unit's incidents (and those under it) over a period, by assignee or cause.",
)
class IncidentMttr(FromContract[IncidentMttrView]):
    by: MttrBy

# mypy: disallow-untyped-decorators=False
"""Signal health as partners read it: incidents (a cluster's outage past the silence threshold)
with their age, and availability and MTTR per unit and station (from the broadcast service)."""

from __future__ import annotations

import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from contracts.api.broadcast_views import IncidentView, StationHealth, UnitHealth
from services.gateway.graphql.context import context_of
from services.gateway.graphql.contract_types import FromContract, contract_type
from services.gateway.graphql.ids import global_id
from services.gateway.graphql.incident_rights import may_assign, may_handle
from services.gateway.graphql.scalars import Period
from services.gateway.graphql.types_incidents import (  # IncidentNote: built before the incident holding it
    IncidentAssigneeKind,
    IncidentCause,
    IncidentNote,  # noqa: F401
)
from services.gateway.graphql.types_units import AdministrativeUnit, PageInfo, RadioStation, SpeakerCluster

Ctx = Info[Any, Any]


@contract_type(
    IncidentView,
    fields=(
        "unit_code",
        "cause",
        "down_since",
        "opened_at",
        "closed_at",
        "threshold_seconds",
        "acknowledged_at",
        "acknowledged_by",
        "assignee_kind",
        "assignee_code",
        "assigned_at",
        "resolved_at",
        "resolved_by",
        "resolution_cause",
        "acknowledgement_overdue_at",
        "notes",
    ),
    descriptions={
        "unit_code": "The station's commune.",
        "cause": "NO_SIGNAL, OFFLINE or SILENT (no report past the threshold).",
        "down_since": "When the outage started (the incident opens a threshold later).",
        "acknowledged_by": "The subject of the credential that acknowledged it.",
        "assignee_code": "A district's or commune's code, or an operator's (VNPT).",
        "resolution_cause": "Why, as its resolver found it; null while unresolved.",
        "acknowledgement_overdue_at": "When the operations centre was alerted that nobody had acknowledged it.",
        "notes": "Oldest first.",
    },
    convert={
        "assignee_kind": lambda v: None if v is None else IncidentAssigneeKind(v),
        "resolution_cause": lambda v: None if v is None else IncidentCause(v),
    },
    description=(
        "A cluster's outage, open until its signal comes back; handled by people (acknowledged, assigned, "
        "resolved with a cause) on its own track."
    ),
)
class SignalIncident(FromContract[IncidentView]):
    id: strawberry.ID
    assignee_kind: IncidentAssigneeKind | None
    resolution_cause: IncidentCause | None

    @classmethod
    def of(cls, view: IncidentView, /, **extra: Any) -> SignalIncident:
        return cls.from_view(view, id=global_id("SignalIncident", view.incident_id), **extra)

    @strawberry.field
    def open(self) -> bool:
        return self.view.closed_at is None

    @strawberry.field(
        description="Whether the caller may acknowledge, annotate and resolve it (the service decides again)."
    )
    def may_handle(self, info: Ctx) -> bool:
        context = context_of(info)
        return may_handle(context.principal, context.gateway.directory, self.view)

    @strawberry.field(description="Whether the caller may assign it (an operator never does).")
    def may_assign(self, info: Ctx) -> bool:
        context = context_of(info)
        return may_assign(context.principal, context.gateway.directory, self.view)

    @strawberry.field(description="From the outage's start to its end, or to now while it is open.")
    def age_seconds(self) -> int:
        end = self.view.closed_at or datetime.datetime.now(datetime.UTC)
        return max(0, round((end - self.view.down_since).total_seconds()))

    @strawberry.field
    async def cluster(self, info: Ctx) -> SpeakerCluster | None:
        view = await context_of(info).loaders.cluster_by_id.load(self.view.cluster_id)
        return SpeakerCluster.of(view) if view else None

    @strawberry.field
    async def station(self, info: Ctx) -> RadioStation | None:
        view = await context_of(info).loaders.station_by_id.load(self.view.station_id)
        return RadioStation.of(view) if view else None


@strawberry.type
class SignalIncidentEdge:
    node: SignalIncident
    cursor: str


@strawberry.type
class SignalIncidentConnection:
    edges: list[SignalIncidentEdge]
    page_info: PageInfo
    total_count: int


FIGURES = (
    "clusters",
    "downtime_seconds",
    "availability_percent",
    "incidents_opened",
    "incidents_closed",
    "mttr_seconds",
)
FIGURES_HELP = {
    "availability_percent": "Share of cluster-time with signal over the period (up to now for the current one).",
    "mttr_seconds": "Mean time to restore of the incidents closed in the period, from the outage's start.",
}


@contract_type(
    StationHealth,
    fields=("unit_code", *FIGURES),
    descriptions=FIGURES_HELP,
    description="A station's signal figures over a period.",
)
class StationSignalHealth(FromContract[StationHealth]):
    @strawberry.field
    async def station(self, info: Ctx) -> RadioStation | None:
        view = await context_of(info).loaders.station_by_id.load(self.view.station_id)
        return RadioStation.of(view) if view else None


@contract_type(
    UnitHealth,
    fields=("unit_code", "period", "stations", *FIGURES),
    descriptions=FIGURES_HELP,
    description="A unit's signal figures over a period (everything under it), and each station's.",
)
class SignalHealth(FromContract[UnitHealth]):
    period: Period
    as_of: strawberry.Private[datetime.date | None] = None
    """The day whose unit tree the figures were read in (None: today's): its ``unit`` is the
    holder of the code that day, as codes are reused after merges."""

    @strawberry.field
    async def unit(self, info: Ctx) -> AdministrativeUnit | None:
        view = await context_of(info).loaders.unit_by_code.load((self.view.unit_code, self.as_of))
        return AdministrativeUnit.of(view, self.as_of) if view else None

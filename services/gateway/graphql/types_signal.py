# mypy: disallow-untyped-decorators=False
"""Signal health as partners read it: incidents (a cluster's outage past the silence threshold)
with their age, and availability and MTTR per unit and station (from the broadcast service)."""

from __future__ import annotations

import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from contracts.api.broadcast_views import HealthFigures, IncidentView, StationHealth, UnitHealth
from services.gateway.graphql.context import context_of
from services.gateway.graphql.ids import global_id
from services.gateway.graphql.types_units import AdministrativeUnit, Node, PageInfo, RadioStation, SpeakerCluster

Ctx = Info[Any, Any]


@strawberry.type(description="A cluster's outage, open until its signal comes back.")
class SignalIncident(Node):
    id: strawberry.ID
    unit_code: str = strawberry.field(description="The station's commune.")
    cause: str = strawberry.field(description="NO_SIGNAL, OFFLINE or SILENT (no report past the threshold).")
    down_since: datetime.datetime
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None
    threshold_seconds: int
    view: strawberry.Private[IncidentView]

    @classmethod
    def of(cls, view: IncidentView) -> SignalIncident:
        return cls(
            id=global_id("SignalIncident", view.incident_id),
            unit_code=view.unit_code,
            cause=view.cause,
            down_since=view.down_since,
            opened_at=view.opened_at,
            closed_at=view.closed_at,
            threshold_seconds=view.threshold_seconds,
            view=view,
        )

    @strawberry.field
    def open(self) -> bool:
        return self.view.closed_at is None

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


@strawberry.interface(description="Signal figures over a period.")
class SignalFigures:
    clusters: int
    downtime_seconds: int
    availability_percent: float | None = strawberry.field(
        description="Share of cluster-time with signal over the period (up to now for the current one)."
    )
    incidents_opened: int
    incidents_closed: int
    mttr_seconds: float | None = strawberry.field(
        description="Mean time to restore of the incidents closed in the period, from the outage's start."
    )


def _figures(view: HealthFigures) -> dict[str, Any]:
    return {
        "clusters": view.clusters,
        "downtime_seconds": view.downtime_seconds,
        "availability_percent": view.availability_percent,
        "incidents_opened": view.incidents_opened,
        "incidents_closed": view.incidents_closed,
        "mttr_seconds": view.mttr_seconds,
    }


@strawberry.type(description="A station's signal figures over a period.")
class StationSignalHealth(SignalFigures):
    unit_code: str
    view: strawberry.Private[StationHealth]

    @classmethod
    def of(cls, view: StationHealth) -> StationSignalHealth:
        return cls(unit_code=view.unit_code, view=view, **_figures(view))

    @strawberry.field
    async def station(self, info: Ctx) -> RadioStation | None:
        view = await context_of(info).loaders.station_by_id.load(self.view.station_id)
        return RadioStation.of(view) if view else None


@strawberry.type(description="A unit's signal figures over a period (everything under it), and each station's.")
class SignalHealth(SignalFigures):
    unit_code: str
    period: str
    stations: list[StationSignalHealth]

    @classmethod
    def of(cls, view: UnitHealth) -> SignalHealth:
        stations = [StationSignalHealth.of(s) for s in view.stations]
        return cls(unit_code=view.unit_code, period=view.period, stations=stations, **_figures(view))

    @strawberry.field
    async def unit(self, info: Ctx) -> AdministrativeUnit | None:
        view = await context_of(info).loaders.unit_by_code.load((self.unit_code, None))
        return AdministrativeUnit.of(view) if view else None

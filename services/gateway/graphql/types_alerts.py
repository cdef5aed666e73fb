# mypy: disallow-untyped-decorators=False
"""Emergency alerts as partners read them: the alert, its stations' acknowledgements, and the
stations still silent N minutes after it went out (from the broadcast service)."""

from __future__ import annotations

import enum
from typing import Any

import strawberry
from strawberry.types import Info

from contracts.api.broadcast_views import AlertStationView, AlertSummary, AlertView, UnacknowledgedReport
from services.gateway.graphql.context import context_of
from services.gateway.graphql.contract_types import FromContract, contract_type
from services.gateway.graphql.ids import global_id
from services.gateway.graphql.pages import checked_first
from services.gateway.graphql.types_units import AdministrativeUnit, Node, PageInfo, RadioStation

Ctx = Info[Any, Any]


@strawberry.enum(description="What an emergency alert is about.")
class AlertCategory(enum.Enum):
    DISASTER = "disaster"
    EPIDEMIC = "epidemic"
    SECURITY = "security"
    OTHER = "other"


@strawberry.enum
class AlertPriority(enum.Enum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    CRITICAL = "critical"


@contract_type(
    AlertStationView,
    fields=("unit_code", "acknowledged_at"),
    descriptions={"unit_code": "The station's commune.", "acknowledged_at": "Null while not acknowledged."},
    description="A station an alert went to, and when its staff acknowledged it.",
)
class AlertStation(FromContract[AlertStationView]):
    @strawberry.field
    async def station(self, info: Ctx) -> RadioStation:
        view = await context_of(info).loaders.station_by_id.load(self.view.station_id)
        if view is None:
            raise LookupError(f"station {self.view.station_id} of an alert is not in the registry")
        return RadioStation.of(view)


@contract_type(
    AlertSummary,
    fields=("category", "priority", "title", "message", "issued_at", "expires_at", "expired", "cancelled_at"),
    renamed={"station_count": "station_count", "acknowledged_count": "acknowledged", "awaiting_count": "awaiting"},
    descriptions={
        "station_count": "Stations it went to.",
        "acknowledged_count": "Stations that acknowledged it.",
        "awaiting_count": "Stations it went to that have not acknowledged it yet.",
    },
    description="An emergency alert issued to an area, fanned out to every station in it.",
)
class EmergencyAlert(Node, FromContract[AlertSummary]):
    id: strawberry.ID
    category: AlertCategory
    priority: AlertPriority

    @classmethod
    def of(cls, view: AlertSummary, /, **extra: Any) -> EmergencyAlert:
        return cls.from_view(view, id=global_id("EmergencyAlert", view.alert_id), **extra)

    @strawberry.field(description="The area: this unit and every unit under it.")
    async def area(self, info: Ctx) -> AdministrativeUnit | None:
        view = await context_of(info).loaders.unit_by_code.load((self.view.unit_code, None))
        return AdministrativeUnit.of(view) if view else None

    @strawberry.field(
        description="Every station it went to, acknowledged or not, by commune.",
        deprecation_reason="A whole list: use recipients, a connection with totalCount.",
    )
    async def stations(self, info: Ctx) -> list[AlertStation]:
        view = self.view
        if not isinstance(view, AlertView):
            # A listed alert carries its figures only: its stations are one batched read.
            loaded = await context_of(info).loaders.alert_by_id.load(view.alert_id)
            if loaded is None:
                return []
            view = loaded
        return [AlertStation.of(s) for s in view.stations]

    @strawberry.field(
        description="The stations it went to, acknowledged or not, by commune then station; paged by the service."
    )
    async def recipients(self, info: Ctx, first: int | None = 50, after: str | None = None) -> AlertStationConnection:
        # Every listed alert's page is one batched call per query level.
        page = await context_of(info).loaders.alert_stations.load((self.view.alert_id, after, checked_first(first)))
        return AlertStationConnection(
            edges=[
                AlertStationEdge(node=AlertStation.of(s), cursor=c)
                for s, c in zip(page.stations, page.cursors, strict=True)
            ],
            page_info=PageInfo(has_next_page=page.next_cursor is not None, end_cursor=page.next_cursor),
            total_count=page.total_count,
        )


@strawberry.type
class AlertStationEdge:
    node: AlertStation
    cursor: str


@strawberry.type
class AlertStationConnection:
    edges: list[AlertStationEdge]
    page_info: PageInfo
    total_count: int


@contract_type(
    UnacknowledgedReport,
    fields=("after_minutes", "deadline", "complete", "station_count"),
    renamed={"stations": "not_acknowledged"},
    descriptions={
        "complete": "False while the deadline is ahead: stations may yet answer in time.",
        "stations": "Silent at the deadline (a late answer shows its time).",
    },
    description="The stations that had not acknowledged an alert within some minutes of its issue.",
)
class UnacknowledgedStations(FromContract[UnacknowledgedReport]):
    @strawberry.field
    async def alert(self, info: Ctx) -> EmergencyAlert | None:
        view = await context_of(info).loaders.alert_by_id.load(self.view.alert_id)
        return EmergencyAlert.of(view) if view else None


@strawberry.type
class EmergencyAlertEdge:
    node: EmergencyAlert
    cursor: str


@strawberry.type
class EmergencyAlertConnection:
    edges: list[EmergencyAlertEdge]
    page_info: PageInfo
    total_count: int

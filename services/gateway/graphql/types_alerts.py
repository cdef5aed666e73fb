# mypy: disallow-untyped-decorators=False
"""Emergency alerts as partners read them: the alert, its stations' acknowledgements, and the
stations still silent N minutes after it went out (from the broadcast service)."""

from __future__ import annotations

import datetime
import enum
from typing import Any

import strawberry
from strawberry.types import Info

from contracts.api.broadcast_views import AlertStationView, AlertSummary, AlertView, UnacknowledgedReport
from services.gateway.graphql.context import context_of
from services.gateway.graphql.ids import global_id
from services.gateway.graphql.scalars import enum_value
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


@strawberry.type(description="A station an alert went to, and when its staff acknowledged it.")
class AlertStation:
    unit_code: str = strawberry.field(description="The station's commune.")
    acknowledged_at: datetime.datetime | None = strawberry.field(description="Null while not acknowledged.")
    view: strawberry.Private[AlertStationView]

    @classmethod
    def of(cls, view: AlertStationView) -> AlertStation:
        return cls(unit_code=view.unit_code, acknowledged_at=view.acknowledged_at, view=view)

    @strawberry.field
    async def station(self, info: Ctx) -> RadioStation | None:
        view = await context_of(info).loaders.station_by_id.load(self.view.station_id)
        return RadioStation.of(view) if view else None


@strawberry.type(description="An emergency alert issued to an area, fanned out to every station in it.")
class EmergencyAlert(Node):
    id: strawberry.ID
    category: AlertCategory
    priority: AlertPriority
    title: str
    message: str
    issued_at: datetime.datetime
    expires_at: datetime.datetime
    expired: bool
    cancelled_at: datetime.datetime | None
    station_count: int = strawberry.field(description="Stations it went to.")
    acknowledged_count: int = strawberry.field(description="Stations that acknowledged it.")
    summary: strawberry.Private[AlertSummary | AlertView]

    @classmethod
    def of(cls, view: AlertSummary | AlertView) -> EmergencyAlert:
        return cls(
            id=global_id("EmergencyAlert", view.alert_id),
            category=enum_value(AlertCategory, view.category, AlertCategory.OTHER),
            priority=enum_value(AlertPriority, view.priority, AlertPriority.NORMAL),
            title=view.title,
            message=view.message,
            issued_at=view.issued_at,
            expires_at=view.expires_at,
            expired=view.expired,
            cancelled_at=view.cancelled_at,
            station_count=view.station_count,
            acknowledged_count=view.acknowledged,
            summary=view,
        )

    @strawberry.field(description="The area: this unit and every unit under it.")
    async def area(self, info: Ctx) -> AdministrativeUnit | None:
        view = await context_of(info).loaders.unit_by_code.load((self.summary.unit_code, None))
        return AdministrativeUnit.of(view) if view else None

    @strawberry.field(description="Every station it went to, acknowledged or not, by commune.")
    async def stations(self, info: Ctx) -> list[AlertStation]:
        view = self.summary
        if not isinstance(view, AlertView):
            # A listed alert carries its figures only: its stations are one batched read.
            loaded = await context_of(info).loaders.alert_by_id.load(view.alert_id)
            if loaded is None:
                return []
            view = loaded
        return [AlertStation.of(s) for s in view.stations]


@strawberry.type(description="The stations that had not acknowledged an alert within some minutes of its issue.")
class UnacknowledgedStations:
    after_minutes: float
    deadline: datetime.datetime
    complete: bool = strawberry.field(description="False while the deadline is ahead: stations may yet answer in time.")
    station_count: int
    stations: list[AlertStation] = strawberry.field(
        description="Silent at the deadline (a late answer shows its time)."
    )
    report: strawberry.Private[UnacknowledgedReport]

    @classmethod
    def of(cls, report: UnacknowledgedReport) -> UnacknowledgedStations:
        return cls(
            after_minutes=report.after_minutes,
            deadline=report.deadline,
            complete=report.complete,
            station_count=report.station_count,
            stations=[AlertStation.of(s) for s in report.not_acknowledged],
            report=report,
        )

    @strawberry.field
    async def alert(self, info: Ctx) -> EmergencyAlert | None:
        view = await context_of(info).loaders.alert_by_id.load(self.report.alert_id)
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

# mypy: disallow-untyped-decorators=False
"""Queries on emergency alerts: one with its acknowledgements, the IOC's list of those awaiting
acknowledgement, and the stations still silent N minutes after one went out. Each needs
``read``; nested fields load through the DataLoaders, which ask it again."""

from __future__ import annotations

import base64
import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from contracts.api.broadcast_views import AlertSummary
from services.gateway.adapters import broadcast_api
from services.gateway.graphql.arguments_tree import TreeAsOf
from services.gateway.graphql.context import context_of
from services.gateway.graphql.ids import raw_id
from services.gateway.graphql.pages import checked_first
from services.gateway.graphql.types_alerts import (
    EmergencyAlert,
    EmergencyAlertConnection,
    EmergencyAlertEdge,
    UnacknowledgedStations,
)
from services.gateway.graphql.types_units import PageInfo

Ctx = Info[Any, Any]


def alert_cursor(alert: AlertSummary) -> str:
    """The broadcast service pages alerts by (issue time, id), newest first, with this cursor."""
    return base64.urlsafe_b64encode(f"{alert.issued_at.isoformat()}|{alert.alert_id}".encode()).decode()


@strawberry.type
class AlertQuery:
    @strawberry.field(description="An emergency alert with every station's acknowledgement.")
    async def emergency_alert(self, info: Ctx, id: strawberry.ID) -> EmergencyAlert | None:
        context = context_of(info)
        context.reader()
        view = await context.loaders.alert_by_id.load(raw_id(id, "EmergencyAlert", "id"))
        return EmergencyAlert.of(view) if view else None

    @strawberry.field(
        description=(
            "Alerts reaching a unit's area (issued for it or under it, or sent to a station in it), newest "
            "first; awaitingAcknowledgement: only those still running with a station yet to acknowledge."
        )
    )
    async def emergency_alerts(  # noqa: PLR0917 - GraphQL arguments, passed by name
        self,
        info: Ctx,
        unit_code: str | None = None,
        awaiting_acknowledgement: bool = False,
        from_: Annotated[datetime.date | None, strawberry.argument(name="from")] = None,
        to: datetime.date | None = None,
        first: int | None = 50,
        after: str | None = None,
        as_of: TreeAsOf = None,
    ) -> EmergencyAlertConnection:
        context = context_of(info)
        context.reader()
        page = await broadcast_api.alerts(
            context.caller(),
            unit_code=unit_code,
            date_from=from_,
            date_to=to,
            awaiting=awaiting_acknowledgement,
            first=checked_first(first),
            after=after,
            as_of=as_of,
        )
        return EmergencyAlertConnection(
            edges=[EmergencyAlertEdge(node=EmergencyAlert.of(a), cursor=alert_cursor(a)) for a in page.alerts],
            page_info=PageInfo(has_next_page=page.next_cursor is not None, end_cursor=page.next_cursor),
            total_count=page.total_count,
        )

    @strawberry.field(description="The stations that had not acknowledged an alert within afterMinutes of its issue.")
    async def unacknowledged_stations(
        self, info: Ctx, alert_id: strawberry.ID, after_minutes: float
    ) -> UnacknowledgedStations:
        context = context_of(info)
        context.reader()
        report = await broadcast_api.unacknowledged(
            context.caller(), raw_id(alert_id, "EmergencyAlert", "alertId"), after_minutes
        )
        return UnacknowledgedStations.of(report)

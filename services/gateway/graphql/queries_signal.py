# mypy: disallow-untyped-decorators=False
"""Queries on signal health: a unit's incidents, open or closed, with their age and handling (the
IOC's "open incidents"), paged in the service so every one is reachable; MTTR by assignee or cause
(ADR 0051); and a unit's availability, downtime and MTTR per station. Each needs ``read``; nested
fields load through the DataLoaders, which ask it again."""

from __future__ import annotations

import base64
from typing import Any

import strawberry
from strawberry.types import Info

from contracts.api.broadcast_views import IncidentView
from services.gateway.adapters import broadcast_api, incidents_api
from services.gateway.graphql.arguments_tree import TreeAsOf
from services.gateway.graphql.context import context_of
from services.gateway.graphql.pages import checked_first
from services.gateway.graphql.scalars import Period
from services.gateway.graphql.types_incidents import IncidentMttr, IncidentStatus, MttrBy
from services.gateway.graphql.types_signal import (
    SignalHealth,
    SignalIncident,
    SignalIncidentConnection,
    SignalIncidentEdge,
)
from services.gateway.graphql.types_units import PageInfo

Ctx = Info[Any, Any]


def incident_cursor(incident: IncidentView) -> str:
    """The service's cursor after this incident: its pages are keyed by (opening time, id)."""
    return base64.urlsafe_b64encode(f"{incident.opened_at.isoformat()}|{incident.incident_id}".encode()).decode()


@strawberry.type
class SignalQuery:
    @strawberry.field(
        description=(
            "Signal incidents of the clusters in a unit (and under it) open at some time in a period (any time "
            "without it), oldest first; open: only open ones (true) or closed ones (false); status: by the "
            "signal or by people's handling (wins over open)."
        )
    )
    async def signal_incidents(  # noqa: PLR0917 - GraphQL arguments, passed by name
        self,
        info: Ctx,
        unit_code: str,
        period: Period | None = None,
        open: bool | None = None,
        first: int | None = 50,
        after: str | None = None,
        status: IncidentStatus | None = None,
        as_of: TreeAsOf = None,
    ) -> SignalIncidentConnection:
        context = context_of(info)
        context.reader()
        which = status.value if status else {True: "open", False: "closed", None: None}[open]
        page = await incidents_api.incidents(
            context.caller(),
            unit_code,
            period=str(period) if period else None,
            status=which,
            first=checked_first(first),
            after=after,
            as_of=as_of,
        )
        edges = [SignalIncidentEdge(node=SignalIncident.of(i), cursor=incident_cursor(i)) for i in page.incidents]
        return SignalIncidentConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=page.next_cursor is not None, end_cursor=page.next_cursor),
            total_count=page.total_count,
        )

    @strawberry.field(
        description=(
            "Mean time to resolve the incidents of a unit (and under it) resolved in a period, by assignee or cause."
        )
    )
    async def incident_mttr(
        self, info: Ctx, unit_code: str, period: Period, by: MttrBy, as_of: TreeAsOf = None
    ) -> IncidentMttr:
        context = context_of(info)
        context.reader()
        view = await incidents_api.mttr(context.caller(), unit_code, str(period), by.value, as_of)
        return IncidentMttr.of(view, by=MttrBy(view.by))

    @strawberry.field(description="Availability, downtime, incidents and MTTR of a unit's clusters over a period.")
    async def signal_health(self, info: Ctx, unit_code: str, period: Period, as_of: TreeAsOf = None) -> SignalHealth:
        context = context_of(info)
        context.reader()
        health = await broadcast_api.signal_health(context.caller(), unit_code, str(period), as_of)
        return SignalHealth.of(health, as_of=as_of)

# mypy: disallow-untyped-decorators=False
"""Queries on signal health: a unit's incidents, open or closed, with their age (the IOC's "open
incidents"), and its availability, downtime and MTTR per station. Each needs ``read``; nested
fields load through the DataLoaders, which ask it again."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from services.gateway.adapters import broadcast_api
from services.gateway.graphql.arguments_tree import TreeAsOf
from services.gateway.graphql.context import context_of
from services.gateway.graphql.pages import checked_first
from services.gateway.graphql.pages_listed import MAX_LISTED, page_of
from services.gateway.graphql.scalars import Period
from services.gateway.graphql.types_signal import (
    SignalHealth,
    SignalIncident,
    SignalIncidentConnection,
    SignalIncidentEdge,
)
from services.gateway.graphql.types_units import PageInfo

Ctx = Info[Any, Any]


@strawberry.type
class SignalQuery:
    @strawberry.field(
        description=(
            "Signal incidents of the clusters in a unit (and under it) open at some time in a period (any time "
            "without it), oldest first; open: only open ones (true) or closed ones (false)."
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
    ) -> SignalIncidentConnection:
        context = context_of(info)
        context.reader()
        size = checked_first(first)
        rows = await broadcast_api.signal_incidents(
            context.caller(), unit_code, str(period) if period else None, open_only=bool(open), limit=MAX_LISTED
        )
        if open is False:
            rows = [r for r in rows if r.closed_at is not None]
        page = page_of(rows, size, after)
        return SignalIncidentConnection(
            edges=[SignalIncidentEdge(node=SignalIncident.of(r), cursor=c) for r, c in page.items],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count,
        )

    @strawberry.field(description="Availability, downtime, incidents and MTTR of a unit's clusters over a period.")
    async def signal_health(self, info: Ctx, unit_code: str, period: Period, as_of: TreeAsOf = None) -> SignalHealth:
        context = context_of(info)
        context.reader()
        return SignalHealth.of(await broadcast_api.signal_health(context.caller(), unit_code, str(period), as_of))

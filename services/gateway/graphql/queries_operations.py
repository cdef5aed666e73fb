# mypy: disallow-untyped-decorators=False
"""Queries on a unit's broadcast operations: deliveries (with the late, missing and failed ones
per station), relay sessions, outreach records and summary, programme and airtime figures.
Lists take a unit (``unitCode``: it and every unit under it, in the tree of the day ``asOf``,
today's without it) and the province's days (``from``, ``to``); each needs ``read``, and nested
fields load through the DataLoaders, which ask it again."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from services.gateway.adapters import broadcast_api
from services.gateway.graphql.arguments_tree import TreeAsOf
from services.gateway.graphql.context import context_of
from services.gateway.graphql.ids import raw_id
from services.gateway.graphql.pages import checked_first
from services.gateway.graphql.scalars import Period
from services.gateway.graphql.types_broadcast import Delivery, DeliveryConnection, DeliveryEdge
from services.gateway.graphql.types_operations import (
    OutreachKind,
    OutreachRecord,
    OutreachRecordConnection,
    OutreachRecordEdge,
    OutreachSummary,
    RelaySession,
    RelaySessionConnection,
    RelaySessionEdge,
)
from services.gateway.graphql.types_summaries import ProgrammeFigures, UnitAirtimeFigures
from services.gateway.graphql.types_units import PageInfo

Ctx = Info[Any, Any]
From = Annotated[datetime.date | None, strawberry.argument(name="from", description="The first day (inclusive).")]
To = Annotated[datetime.date | None, strawberry.argument(description="The last day (inclusive).")]


def _station(station_id: strawberry.ID | None) -> str | None:
    return raw_id(station_id, "RadioStation", "stationId") if station_id is not None else None


@strawberry.type
class OperationsQuery:
    @strawberry.field(
        description=(
            "Deliveries to a unit's stations (or one station's) due in the days, by due time; problemsOnly: "
            "the late, missing and failed ones."
        )
    )
    async def deliveries(  # noqa: PLR0917 - GraphQL arguments, passed by name
        self,
        info: Ctx,
        unit_code: str | None = None,
        station_id: strawberry.ID | None = None,
        from_: From = None,
        to: To = None,
        problems_only: bool = False,
        first: int | None = 50,
        after: str | None = None,
        as_of: TreeAsOf = None,
    ) -> DeliveryConnection:
        context = context_of(info)
        context.reader()
        page = await broadcast_api.deliveries_page(
            context.caller(),
            unit_code=unit_code,
            date_from=from_,
            date_to=to,
            station_id=_station(station_id),
            problems_only=problems_only,
            first=checked_first(first),
            after=after,
            as_of=as_of,
        )
        return DeliveryConnection(
            edges=[
                DeliveryEdge(node=Delivery.of(d), cursor=c) for d, c in zip(page.deliveries, page.cursors, strict=True)
            ],
            page_info=PageInfo(has_next_page=page.next_cursor is not None, end_cursor=page.next_cursor),
            total_count=page.total_count,
        )

    @strawberry.field(description="Relay sessions of a unit's stations (or one station's) overlapping the days.")
    async def relay_sessions(  # noqa: PLR0917 - GraphQL arguments, passed by name
        self,
        info: Ctx,
        unit_code: str | None = None,
        station_id: strawberry.ID | None = None,
        from_: From = None,
        to: To = None,
        first: int | None = 50,
        after: str | None = None,
        as_of: TreeAsOf = None,
    ) -> RelaySessionConnection:
        context = context_of(info)
        context.reader()
        page = await broadcast_api.relay_sessions(
            context.caller(),
            unit_code=unit_code,
            date_from=from_,
            date_to=to,
            station_id=_station(station_id),
            first=checked_first(first),
            after=after,
            as_of=as_of,
        )
        return RelaySessionConnection(
            edges=[
                RelaySessionEdge(node=RelaySession.of(s), cursor=c)
                for s, c in zip(page.sessions, page.cursors, strict=True)
            ],
            page_info=PageInfo(has_next_page=page.next_cursor is not None, end_cursor=page.next_cursor),
            total_count=page.total_count,
        )

    @strawberry.field(description="Outreach sessions and loudspeaker-vehicle trips of a unit's communes, by date.")
    async def outreach_records(  # noqa: PLR0917 - GraphQL arguments, passed by name
        self,
        info: Ctx,
        unit_code: str | None = None,
        kind: OutreachKind | None = None,
        from_: From = None,
        to: To = None,
        first: int | None = 50,
        after: str | None = None,
        as_of: TreeAsOf = None,
    ) -> OutreachRecordConnection:
        context = context_of(info)
        context.reader()
        page = await broadcast_api.outreach_records(
            context.caller(),
            unit_code=unit_code,
            date_from=from_,
            date_to=to,
            kind=kind.value if kind else None,
            first=checked_first(first),
            after=after,
            as_of=as_of,
        )
        return OutreachRecordConnection(
            edges=[
                OutreachRecordEdge(node=OutreachRecord.of(r), cursor=c)
                for r, c in zip(page.records, page.cursors, strict=True)
            ],
            page_info=PageInfo(has_next_page=page.next_cursor is not None, end_cursor=page.next_cursor),
            total_count=page.total_count,
        )

    @strawberry.field(description="A unit's outreach over a period (everything under it), per unit and day.")
    async def outreach(self, info: Ctx, unit_code: str, period: Period, as_of: TreeAsOf = None) -> OutreachSummary:
        context = context_of(info)
        context.reader()
        report = await broadcast_api.outreach_report(context.caller(), unit_code, str(period), as_of)
        return OutreachSummary.of(report, as_of=as_of)

    @strawberry.field(description="A unit's programmes over a period (its producers' and those under it), summed.")
    async def programme_summary(
        self, info: Ctx, unit_code: str, period: Period, as_of: TreeAsOf = None
    ) -> ProgrammeFigures:
        context = context_of(info)
        context.reader()
        summary = await broadcast_api.programme_summary(context.caller(), unit_code, str(period), as_of)
        return ProgrammeFigures.of(summary, as_of=as_of)

    @strawberry.field(description="A unit's stations' airtime per source over a period, rolled up, and each child's.")
    async def airtime_of_unit(
        self, info: Ctx, unit_code: str, period: Period, as_of: TreeAsOf = None
    ) -> UnitAirtimeFigures:
        context = context_of(info)
        context.reader()
        return UnitAirtimeFigures.of(await broadcast_api.unit_airtime(context.caller(), unit_code, str(period), as_of))

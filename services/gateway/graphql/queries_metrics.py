# mypy: disallow-untyped-decorators=False
"""Root queries of the metrics service's reports: a value's history, the units behind target
and reporting completeness, each a Relay connection (the service answers the whole report for
a level; the gateway pages it). Each is named as the service's operation and needs ``read``;
``parentCode`` narrows a report to the units under one (a district's communes)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from services.gateway.adapters import metrics_api
from services.gateway.graphql.context import context_of
from services.gateway.graphql.offset_pages import offset_page
from services.gateway.graphql.scalars import Period, UnitLevel
from services.gateway.graphql.types_metrics_reports import (
    IndicatorValueChangeConnection,
    IndicatorValueConnection,
    ReportingCompletenessConnection,
    may_see_people,
)

Ctx = Info[Any, Any]
ParentCode = Annotated[
    str | None, strawberry.argument(description="Only the units under this one (a district's communes).")
]


@strawberry.type
class MetricsQuery:
    @strawberry.field(description="A value's reports and corrections, oldest first: what, from what, who, when.")
    async def indicator_value_history(  # noqa: PLR0917 - GraphQL arguments, passed by name
        self,
        info: Ctx,
        indicator_code: str,
        unit_code: str,
        period: Period,
        first: int | None = 50,
        after: str | None = None,
    ) -> IndicatorValueChangeConnection:
        context = context_of(info)
        context.reader()
        rows = await metrics_api.value_history(context.caller(), indicator_code, unit_code, str(period))
        return IndicatorValueChangeConnection.of(offset_page(rows, first, after), may_see_people(info))

    @strawberry.field(description="Units of a level whose value of an indicator trails their target for a period.")
    async def units_behind_target(  # noqa: PLR0917 - GraphQL arguments, passed by name
        self,
        info: Ctx,
        indicator_code: str,
        period: Period,
        level: UnitLevel,
        parent_code: ParentCode = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> IndicatorValueConnection:
        context = context_of(info)
        context.reader()
        rows = await metrics_api.behind_target(context.caller(), indicator_code, str(period), level.value, parent_code)
        return IndicatorValueConnection.of(offset_page(rows, first, after))

    @strawberry.field(description="Per indicator: how many units of a level reported for a period, and which did not.")
    async def completeness(  # noqa: PLR0917 - GraphQL arguments, passed by name
        self,
        info: Ctx,
        codes: list[str],
        period: Period,
        level: UnitLevel,
        parent_code: ParentCode = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> ReportingCompletenessConnection:
        context = context_of(info)
        context.reader()
        rows = await metrics_api.completeness(context.caller(), codes, str(period), level.value, parent_code)
        return ReportingCompletenessConnection.of(offset_page(rows, first, after))

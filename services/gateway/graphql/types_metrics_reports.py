# mypy: disallow-untyped-decorators=False
"""What the metrics service reports beyond a value: a value's history (who reported what,
when), how complete a level's reporting is, a ranking's breakdown, and the answers of the
catalogue and threshold commands; with the Relay connections that page them."""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from contracts.api.metrics import CompletenessView, HistoryView
from services.gateway.graphql.context import context_of
from services.gateway.graphql.offset_pages import OffsetPage
from services.gateway.graphql.reading import PERSONAL_DATA
from services.gateway.graphql.scalars import Period
from services.gateway.graphql.types_metrics import Indicator, IndicatorValue, indicator_named
from services.gateway.graphql.types_units import AdministrativeUnit, PageInfo, required_unit

Ctx = Info[Any, Any]


@strawberry.type(description="One report or correction of a value: what it became, from what, who sent it and when.")
class IndicatorValueChange:
    version: int = strawberry.field(description="1 for the first report, then one more per correction.")
    value: float
    previous_value: float | None
    source: str
    comment: str | None
    partner: str | None = strawberry.field(description="The partner whose key or token sent it.")
    actor: str | None = strawberry.field(
        description="Who sent it (the credential's subject): shown with the `personal-data` scope only."
    )
    recorded_at: datetime.datetime

    @classmethod
    def of(cls, view: HistoryView, personal: bool) -> IndicatorValueChange:
        return cls(
            version=view.version,
            value=view.value,
            previous_value=view.previous_value,
            source=view.source,
            comment=view.comment,
            partner=view.partner,
            actor=view.actor if personal else None,
            recorded_at=view.recorded_at,
        )


@strawberry.type
class IndicatorValueChangeEdge:
    node: IndicatorValueChange
    cursor: str


@strawberry.type
class IndicatorValueChangeConnection:
    edges: list[IndicatorValueChangeEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def of(cls, page: OffsetPage[HistoryView], principal_allows: bool) -> IndicatorValueChangeConnection:
        edges = [
            IndicatorValueChangeEdge(node=IndicatorValueChange.of(v, principal_allows), cursor=c)
            for v, c in zip(page.items, page.cursors, strict=True)
        ]
        return cls(edges=edges, page_info=_info(page), total_count=page.total_count)


@strawberry.type
class IndicatorValueEdge:
    node: IndicatorValue
    cursor: str


@strawberry.type
class IndicatorValueConnection:
    edges: list[IndicatorValueEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type(description="How many units of a level reported an indicator for a period, and which did not.")
class ReportingCompleteness:
    period: Period
    expected: int
    reported: int
    indicator_code: strawberry.Private[str]
    missing_ids: strawberry.Private[list[str]]

    @classmethod
    def of(cls, view: CompletenessView) -> ReportingCompleteness:
        return cls(
            period=Period(view.period),
            expected=view.expected,
            reported=view.reported,
            indicator_code=view.indicator_code,
            missing_ids=[u.unit_id for u in view.missing],
        )

    @strawberry.field
    async def indicator(self, info: Ctx) -> Indicator:
        return await indicator_named(info, self.indicator_code)

    @strawberry.field(description="The units that have not reported.")
    async def missing(self, info: Ctx) -> list[AdministrativeUnit]:
        # Gathered, so the loader asks the registry for them in one call.
        return list(await asyncio.gather(*(required_unit(info, unit_id) for unit_id in self.missing_ids)))


@strawberry.type
class ReportingCompletenessEdge:
    node: ReportingCompleteness
    cursor: str


@strawberry.type
class ReportingCompletenessConnection:
    edges: list[ReportingCompletenessEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type(description="An indicator taken out of the catalogue; its code is never reused.")
class RetiredIndicator:
    code: str
    reason: str | None
    replayed: bool = strawberry.field(description="The idempotency key was used before: nothing was done again.")


@strawberry.type(description="An indicator's alert threshold as set: a value crossing it raises an alert.")
class AlertThreshold:
    indicator_code: str
    operator: str
    threshold: float
    level: str | None
    severity: str
    replayed: bool


@strawberry.type
class RemovedAlertThreshold:
    indicator_code: str
    replayed: bool


def _info(page: OffsetPage[Any]) -> PageInfo:
    return PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor)


def value_connection(page: OffsetPage[Any]) -> IndicatorValueConnection:
    edges = [
        IndicatorValueEdge(node=IndicatorValue.of(v), cursor=c) for v, c in zip(page.items, page.cursors, strict=True)
    ]
    return IndicatorValueConnection(edges=edges, page_info=_info(page), total_count=page.total_count)


def completeness_connection(page: OffsetPage[CompletenessView]) -> ReportingCompletenessConnection:
    edges = [
        ReportingCompletenessEdge(node=ReportingCompleteness.of(v), cursor=c)
        for v, c in zip(page.items, page.cursors, strict=True)
    ]
    return ReportingCompletenessConnection(edges=edges, page_info=_info(page), total_count=page.total_count)


def personal(info: Ctx) -> bool:
    principal = context_of(info).principal
    return principal is not None and principal.allows(PERSONAL_DATA)

# mypy: disallow-untyped-decorators=False
"""What the metrics service reports beyond a value: a value's history (who reported what,
when), how complete a level's reporting is, and the answers of the catalogue and threshold
commands, built from their contract shapes; with the Relay connections that page them."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
import strawberry
from strawberry.types import Info

from contracts.api.metrics import CompletenessView, HistoryView, MissingUnit, ValueView
from services.gateway.graphql.context import context_of
from services.gateway.graphql.contract_types import FromContract, contract_type
from services.gateway.graphql.inputs_metrics import AlertLevel, AlertSeverity, ThresholdOperator
from services.gateway.graphql.offset_pages import OffsetPage
from services.gateway.graphql.reading import PERSONAL_DATA
from services.gateway.graphql.scalars import Period
from services.gateway.graphql.types_metrics import Indicator, IndicatorValue, indicator_named
from services.gateway.graphql.types_units import AdministrativeUnit, PageInfo, required_unit
from services.gateway.rest import metrics_public

Ctx = Info[Any, Any]


async def missing_units(info: Ctx, missing: list[MissingUnit]) -> list[AdministrativeUnit]:
    """The units a report names as missing, gathered so the loader asks the registry once."""
    return list(await asyncio.gather(*(required_unit(info, u.unit_id) for u in missing)))


def may_see_people(info: Ctx) -> bool:
    principal = context_of(info).principal
    return principal is not None and principal.allows(PERSONAL_DATA)


@contract_type(
    HistoryView,
    fields=("version", "value", "previous_value", "source", "comment", "partner", "actor", "recorded_at"),
    descriptions={
        "version": "The value's version after this change: later changes have higher ones.",
        "partner": "The partner whose key or token sent it.",
        "actor": "Who sent it (the credential's subject): shown with the `personal-data` scope only.",
    },
    description="One report or correction of a value: what it became, from what, who sent it and when.",
)
class IndicatorValueChange(FromContract[HistoryView]):
    @classmethod
    def seen_by(cls, view: HistoryView, personal: bool) -> IndicatorValueChange:
        """The change as a caller sees it: the actor only with ``personal-data``."""
        return cls.from_view(view if personal else msgspec.structs.replace(view, actor=None))


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
    def of(cls, page: OffsetPage[HistoryView], personal: bool) -> IndicatorValueChangeConnection:
        pairs = zip(page.items, page.cursors, strict=True)
        edges = [IndicatorValueChangeEdge(node=IndicatorValueChange.seen_by(v, personal), cursor=c) for v, c in pairs]
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

    @classmethod
    def of(cls, page: OffsetPage[ValueView]) -> IndicatorValueConnection:
        pairs = zip(page.items, page.cursors, strict=True)
        edges = [IndicatorValueEdge(node=IndicatorValue.of(v), cursor=c) for v, c in pairs]
        return cls(edges=edges, page_info=_info(page), total_count=page.total_count)


@contract_type(
    CompletenessView,
    fields=("period", "expected", "reported"),
    description="How many units of a level reported an indicator for a period, and which did not.",
)
class ReportingCompleteness(FromContract[CompletenessView]):
    period: Period

    @strawberry.field
    async def indicator(self, info: Ctx) -> Indicator:
        return await indicator_named(info, self.view.indicator_code)

    @strawberry.field(description="The units that have not reported.")
    async def missing(self, info: Ctx) -> list[AdministrativeUnit]:
        return await missing_units(info, self.view.missing)


@strawberry.type
class ReportingCompletenessEdge:
    node: ReportingCompleteness
    cursor: str


@strawberry.type
class ReportingCompletenessConnection:
    edges: list[ReportingCompletenessEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def of(cls, page: OffsetPage[CompletenessView]) -> ReportingCompletenessConnection:
        pairs = zip(page.items, page.cursors, strict=True)
        edges = [ReportingCompletenessEdge(node=ReportingCompleteness.of(v), cursor=c) for v, c in pairs]
        return cls(edges=edges, page_info=_info(page), total_count=page.total_count)


REPLAYED = "The idempotency key was used before: nothing was done again."


@contract_type(
    metrics_public.RetiredIndicator,
    fields=("code", "reason", "replayed"),
    descriptions={"replayed": REPLAYED},
    description="An indicator taken out of the catalogue; its code is never reused.",
)
class RetiredIndicator(FromContract[metrics_public.RetiredIndicator]):
    pass


@contract_type(
    metrics_public.AlertThreshold,
    fields=("indicator_code", "operator", "threshold", "level", "severity", "replayed"),
    descriptions={"level": "The level of units it applies to (every level without it).", "replayed": REPLAYED},
    description="An indicator's alert threshold as set: a value crossing it raises an alert.",
)
class AlertThreshold(FromContract[metrics_public.AlertThreshold]):
    operator: ThresholdOperator
    level: AlertLevel | None
    severity: AlertSeverity


@contract_type(
    metrics_public.RemovedAlertThreshold,
    fields=("indicator_code", "replayed"),
    descriptions={"replayed": REPLAYED},
    description="An indicator's alert threshold removed: its values raise no more alerts.",
)
class RemovedAlertThreshold(FromContract[metrics_public.RemovedAlertThreshold]):
    pass


def _info(page: OffsetPage[Any]) -> PageInfo:
    return PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor)

# mypy: disallow-untyped-decorators=False
"""Reporting timeliness through the gateway: each reported indicator's reports for a period set
against its deadline (on time, late, missing), built from the metrics service's contract shapes,
with the Relay connection that pages them."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from contracts.api.metrics import LateUnit, TimelinessView
from services.gateway.graphql.contract_types import FromContract, contract_type
from services.gateway.graphql.offset_pages import OffsetPage
from services.gateway.graphql.scalars import Period
from services.gateway.graphql.types_metrics import Indicator, indicator_named
from services.gateway.graphql.types_metrics_reports import missing_units
from services.gateway.graphql.types_units import AdministrativeUnit, PageInfo, required_unit

Ctx = Info[Any, Any]


@contract_type(
    LateUnit,
    fields=("first_reported_at", "days_late"),
    descriptions={
        "first_reported_at": "When the unit first reported the period (a correction does not move it).",
        "days_late": "Whole days after the deadline, in the province's calendar (1: the day after).",
    },
    description="A unit whose first report for the period came after the deadline.",
)
class LateReport(FromContract[LateUnit]):
    @strawberry.field
    async def unit(self, info: Ctx) -> AdministrativeUnit:
        return await required_unit(info, self.view.unit_id)


@contract_type(
    TimelinessView,
    fields=("period", "deadline", "expected", "on_time", "timeliness_rate", "completeness_rate"),
    descriptions={
        "deadline": "The last day a report is on time: the period's last day plus the indicator's deadline.",
        "on_time": "Units whose first report came by the deadline.",
        "timeliness_rate": "On-time reports as a percentage of the expected ones; null when none are expected.",
        "completeness_rate": "Reports received, on time or not, as a percentage of the expected ones.",
    },
    description="A reported indicator's reports for a period against its deadline (DHIS2's timeliness).",
)
class ReportingTimeliness(FromContract[TimelinessView]):
    period: Period

    @strawberry.field
    async def indicator(self, info: Ctx) -> Indicator:
        return await indicator_named(info, self.view.indicator_code)

    @strawberry.field(description="The units that reported after the deadline.")
    def late(self) -> list[LateReport]:
        return [LateReport.of(late) for late in self.view.late]

    @strawberry.field(description="The units with no report yet (late too, once the deadline has passed).")
    async def missing(self, info: Ctx) -> list[AdministrativeUnit]:
        return await missing_units(info, self.view.missing)


@strawberry.type
class ReportingTimelinessEdge:
    node: ReportingTimeliness
    cursor: str


@strawberry.type
class ReportingTimelinessConnection:
    edges: list[ReportingTimelinessEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def of(cls, page: OffsetPage[TimelinessView]) -> ReportingTimelinessConnection:
        pairs = zip(page.items, page.cursors, strict=True)
        edges = [ReportingTimelinessEdge(node=ReportingTimeliness.of(v), cursor=c) for v, c in pairs]
        info = PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor)
        return cls(edges=edges, page_info=info, total_count=page.total_count)

# mypy: disallow-untyped-decorators=False
"""A unit's broadcast figures over a period, everything under it rolled up: its programmes
(counts, duration, segments, topics) and its stations' airtime per source (from the broadcast
service's answers, built with ``contract_type``)."""

from __future__ import annotations

import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from contracts.api.broadcast_views import PriorityFigures, ProgrammeSummary, TopicCount, UnitAirtime, UnitAirtimePart
from services.gateway.graphql.context import context_of
from services.gateway.graphql.contract_types import FromContract, contract_type
from services.gateway.graphql.scalars import Period
from services.gateway.graphql.types_broadcast import Airtime
from services.gateway.graphql.types_programme_approval import BulletinPriority
from services.gateway.graphql.types_units import AdministrativeUnit

Ctx = Info[Any, Any]

__all__ = ["Airtime", "ProgrammeFigures", "UnitAirtimeFigures"]
"""``Airtime`` (built for ``SourceAirtime``) comes first: the airtime types here nest it."""


@contract_type(
    TopicCount, fields=("topic", "news_items", "articles"), description="News items and articles on a topic."
)
class TopicFigures(FromContract[TopicCount]):
    pass


@contract_type(
    PriorityFigures,
    fields=("priority", "programmes", "news_items", "deliveries", "aired"),
    descriptions={
        "news_items": "News items of this priority: a listed item's is the higher of its own and its programme's.",
        "deliveries": "Deliveries sent of the period's programmes of this priority.",
        "aired": "Those of them aired.",
    },
    description="A unit's programmes and their deliveries of one priority over a period.",
)
class PriorityBreakdown(FromContract[PriorityFigures]):
    priority: BulletinPriority


@strawberry.type(description="Programmes carrying a thematic segment.")
class SegmentCount:
    segment: str
    programmes: int


@contract_type(
    ProgrammeSummary,
    fields=(
        "unit_code",
        "period",
        "programmes",
        "news_items",
        "articles",
        "duration_seconds",
        "duration",
        "topics",
        "by_priority",
    ),
    descriptions={
        "duration": 'As the reports write it: "1,345 h 22 min".',
        "by_priority": "The programmes and their deliveries per priority, every priority listed.",
    },
    description="A unit's programmes over a period: its producers' and those under it.",
)
class ProgrammeFigures(FromContract[ProgrammeSummary]):
    period: Period
    as_of: strawberry.Private[datetime.date | None] = None
    """The day whose unit tree the figures were read in (None: today's): its ``unit`` is the
    holder of the code that day, as codes are reused after merges."""

    @strawberry.field(description="Programmes carrying each thematic segment, by segment.")
    def segments(self) -> list[SegmentCount]:
        return [SegmentCount(segment=name, programmes=n) for name, n in self.view.segments.items()]

    @strawberry.field
    async def unit(self, info: Ctx) -> AdministrativeUnit | None:
        view = await context_of(info).loaders.unit_by_code.load((self.view.unit_code, self.as_of))
        return AdministrativeUnit.of(view, self.as_of) if view else None


@contract_type(
    UnitAirtimePart,
    fields=("unit_code", "name", "sources", "total_seconds", "total"),
    description="A unit's airtime over a period, everything under it.",
)
class UnitAirtimeShare(FromContract[UnitAirtimePart]):
    pass


@contract_type(
    UnitAirtime,
    fields=("unit_code", "name", "period", "sources", "total_seconds", "total", "children"),
    descriptions={"children": "The unit's direct children, each with everything under it."},
    description="A unit's stations' airtime per source over a period, rolled up, and each child's.",
)
class UnitAirtimeFigures(FromContract[UnitAirtime]):
    period: Period

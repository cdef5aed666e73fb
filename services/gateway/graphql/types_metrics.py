# mypy: disallow-untyped-decorators=False
"""Indicators, their values per unit and period, and rankings (from the metrics service)."""

from __future__ import annotations

import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from contracts.api.metrics import IndicatorDefinition, IndicatorValueView, PartView
from services.gateway.graphql.context import context_of
from services.gateway.graphql.scalars import Period
from services.gateway.graphql.types_units import AdministrativeUnit, required_unit

Ctx = Info[Any, Any]


@strawberry.type(description="A programme indicator (chỉ tiêu) of the catalogue.")
class Indicator:
    code: str
    name: str = strawberry.field(description="The name in Vietnamese, as the programme's documents use it.")
    name_en: str | None
    unit: str
    description: str | None

    @classmethod
    def of(cls, view: IndicatorDefinition) -> Indicator:
        return cls(
            code=view.code, name=view.name_vi, name_en=view.name_en, unit=view.unit, description=view.description
        )


@strawberry.type(description="An indicator's value for a unit and a period, with its target.")
class IndicatorValue:
    period: Period
    value: float | None
    target: float | None
    source: str
    as_of: datetime.datetime
    event_id: strawberry.ID | None = strawberry.field(
        description="On a live change: the event's id (`after` takes it while this gateway still holds the event)."
    )
    cursor: strawberry.ID | None = strawberry.field(
        description="On a live change: where the feed stands after it; pass it as `after` to any gateway."
    )
    view: strawberry.Private[IndicatorValueView]

    @classmethod
    def of(cls, view: IndicatorValueView, event_id: str | None = None, cursor: str | None = None) -> IndicatorValue:
        return cls(
            period=Period(view.period),
            value=view.value,
            target=view.target,
            source=view.source,
            as_of=view.as_of,
            event_id=strawberry.ID(event_id) if event_id else None,
            cursor=strawberry.ID(cursor) if cursor else None,
            view=view,
        )

    @strawberry.field
    async def indicator(self, info: Ctx) -> Indicator:
        found = await context_of(info).loaders.indicator_by_code.load(self.view.indicator_code)
        if found is None:
            return Indicator(
                code=self.view.indicator_code, name=self.view.indicator_code, name_en=None, unit="", description=None
            )
        return Indicator.of(found)

    @strawberry.field
    async def unit(self, info: Ctx) -> AdministrativeUnit:
        return await required_unit(info, self.view.unit_id)


async def indicator_named(info: Ctx, code: str) -> Indicator:
    found = await context_of(info).loaders.indicator_by_code.load(code)
    if found is None:  # retired since: the code is all there is to show
        return Indicator(code=code, name=code, name_en=None, unit="", description=None)
    return Indicator.of(found)


@strawberry.type(description="One weighted part of a composite index's score.")
class RankingPart:
    weight: float
    value: float | None
    contribution: float = strawberry.field(description="What the part adds to the score.")
    missing: bool = strawberry.field(description="The part has no value for the unit (it adds nothing).")
    indicator_code: strawberry.Private[str]

    @classmethod
    def of(cls, view: PartView) -> RankingPart:
        return cls(
            weight=view.weight,
            value=view.value,
            contribution=view.contribution,
            missing=view.missing,
            indicator_code=view.indicator_code,
        )

    @strawberry.field
    async def indicator(self, info: Ctx) -> Indicator:
        return await indicator_named(info, self.indicator_code)


@strawberry.type(description="A unit's place in a ranking by an index.")
class Ranking:
    score: float
    rank: int
    unit_id: strawberry.Private[str]
    parts: strawberry.Private[list[PartView] | None] = None

    @strawberry.field(description="For a composite index: each weighted part and what it adds to the score.")
    def breakdown(self) -> list[RankingPart]:
        return [RankingPart.of(part) for part in self.parts or []]

    @strawberry.field
    async def unit(self, info: Ctx) -> AdministrativeUnit:
        return await required_unit(info, self.unit_id)

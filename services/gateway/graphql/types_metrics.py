# mypy: disallow-untyped-decorators=False
"""Indicators, their values per unit and period, and rankings (from the metrics service),
built from the service's answers (``contracts.api.metrics``) with ``contract_type``."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from contracts.api.metrics import IndicatorDefinition, IndicatorValueView, PartView, RankingView
from services.gateway.graphql.context import context_of
from services.gateway.graphql.contract_types import FromContract, contract_type
from services.gateway.graphql.scalars import Period
from services.gateway.graphql.types_units import AdministrativeUnit, required_unit

Ctx = Info[Any, Any]


@contract_type(
    IndicatorDefinition,
    fields=("code", "name_en", "unit", "description", "reporting_deadline_days"),
    renamed={"name": "name_vi"},
    descriptions={
        "name": "The name in Vietnamese, as the programme's documents use it.",
        "reporting_deadline_days": "For a reported indicator: a period's report is on time within this many days "
        "after the period ends (its timeliness); null: no deadline.",
    },
    # An indicator known only by its code (retired since it was reported) has no English name.
    convert={"name_en": lambda name: name or None},
    description="A programme indicator (chỉ tiêu) of the catalogue.",
)
class Indicator(FromContract[IndicatorDefinition]):
    name_en: str | None


def _only_code(code: str) -> IndicatorDefinition:
    return IndicatorDefinition(
        code=code, name_vi=code, name_en="", unit="", kind="stock", rollup="sum", method="reported", group=""
    )


async def indicator_named(info: Ctx, code: str) -> Indicator:
    """The catalogue's indicator; one retired since shows its code and nothing else."""
    found = await context_of(info).loaders.indicator_by_code.load(code)
    return Indicator.of(found or _only_code(code))


@contract_type(
    IndicatorValueView,
    fields=("period", "value", "target", "source", "as_of"),
    description="An indicator's value for a unit and a period, with its target.",
)
class IndicatorValue(FromContract[IndicatorValueView]):
    period: Period
    event_id: strawberry.ID | None = strawberry.field(
        description="On a live change: the event's id (`after` takes it while this gateway still holds the event)."
    )
    cursor: strawberry.ID | None = strawberry.field(
        description="On a live change: where the feed stands after it; pass it as `after` to any gateway."
    )

    @classmethod
    def of(
        cls, view: IndicatorValueView, /, event_id: str | None = None, cursor: str | None = None, **extra: Any
    ) -> IndicatorValue:
        return cls.from_view(
            view,
            event_id=strawberry.ID(event_id) if event_id else None,
            cursor=strawberry.ID(cursor) if cursor else None,
            **extra,
        )

    @strawberry.field
    async def indicator(self, info: Ctx) -> Indicator:
        return await indicator_named(info, self.view.indicator_code)

    @strawberry.field
    async def unit(self, info: Ctx) -> AdministrativeUnit:
        return await required_unit(info, self.view.unit_id)


@contract_type(
    PartView,
    fields=("weight", "value", "contribution", "missing"),
    descriptions={
        "contribution": "What the part adds to the score.",
        "missing": "The part has no value for the unit (it adds nothing).",
    },
    description="One weighted part of a composite index's score.",
)
class RankingPart(FromContract[PartView]):
    @strawberry.field
    async def indicator(self, info: Ctx) -> Indicator:
        return await indicator_named(info, self.view.indicator_code)


@contract_type(RankingView, fields=("score", "rank"), description="A unit's place in a ranking by an index.")
class Ranking(FromContract[RankingView]):
    score: float  # the resolver leaves out units without a score

    @strawberry.field(description="For a composite index: each weighted part and what it adds to the score.")
    def breakdown(self) -> list[RankingPart]:
        return [RankingPart.of(part) for part in self.view.value.breakdown or []]

    @strawberry.field
    async def unit(self, info: Ctx) -> AdministrativeUnit:
        return await required_unit(info, self.view.value.unit_id)

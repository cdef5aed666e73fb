"""The metrics service's queries as their HTTP answers: each method is what one query route
returns, in the wire shapes of ``contracts.api.metrics``, built from ``queries.MetricsQueries``
(whose evaluations the change emitter and the CSV export share)."""

from __future__ import annotations

import datetime

from contracts.api.metrics import (
    CompletenessView,
    HistoryView,
    IndicatorDefinition,
    LateUnit,
    MissingUnit,
    PartView,
    RankingView,
    TimelinessView,
    ValueView,
)
from services.metrics.application.approvals import ApprovalReads
from services.metrics.application.evaluated import Value
from services.metrics.application.queries import MetricsQueries
from services.metrics.domain.periods import Period


def value_view(v: Value) -> ValueView:
    return ValueView(
        indicator_code=v.code, unit_id=v.unit.unit_id, unit_code=v.unit.code, unit_name=v.unit.name,
        unit_level=v.unit.level, period=v.period, value=v.value, reason=v.reason, origin=v.origin,
        source=v.source, as_of=v.as_of, target=v.target, progress=v.progress,
        breakdown=[PartView(indicator_code=p.code, weight=p.weight, value=p.value, contribution=p.contribution,
                            missing=p.missing) for p in v.breakdown] or None,
    )  # fmt: skip


class MetricsAnswers:
    def __init__(self, queries: MetricsQueries) -> None:
        self.queries = queries
        self.approvals = ApprovalReads(queries.pool)
        """Data approval's status (ADR 0055)."""

    async def indicators(self, codes: list[str] | None) -> list[IndicatorDefinition]:
        """The catalogue, or the known ones of ``codes`` in their order."""
        catalogue = await self.queries.catalogue()
        return [catalogue[c] for c in (codes or sorted(catalogue)) if c in catalogue]

    async def values(
        self, codes: list[str], unit_codes: list[str], period: Period, as_of: datetime.date | None
    ) -> list[ValueView]:
        return [value_view(v) for v in await self.queries.values(codes, unit_codes, period, as_of)]

    async def at_level(  # noqa: PLR0917 - the route's query parameters
        self,
        codes: list[str],
        period: Period,
        level: str,
        parent_code: str | None,
        as_of: datetime.date | None,
        group_code: str | None = None,
    ) -> list[ValueView]:
        found = await self.queries.at_level(codes, period, level, parent_code, as_of, group_code=group_code)
        return [value_view(v) for v in found]

    async def group_values(
        self, codes: list[str], group_code: str, period: Period, as_of: datetime.date | None
    ) -> list[ValueView]:
        return [value_view(v) for v in await self.queries.group_values(codes, group_code, period, as_of)]

    async def history(self, code: str, unit_code: str, period: Period) -> list[HistoryView]:
        rows = await self.queries.history(code, unit_code, period)
        return [
            HistoryView(
                version=r["version"], value=r["value"], previous_value=r["previous_value"], source=r["source"],
                comment=r["comment"], actor=r["actor"], partner=r["partner"], recorded_at=r["recorded_at"],
            )
            for r in rows
        ]  # fmt: skip

    async def ranking(
        self, index_code: str, period: Period, level: str, parent_code: str | None, group_code: str | None = None
    ) -> list[RankingView]:
        ranked = await self.queries.ranking(index_code, period, level, parent_code, group_code)
        return [RankingView(rank=r.rank, score=r.value.value, value=value_view(r.value)) for r in ranked]

    async def behind_target(
        self, code: str, period: Period, level: str, parent_code: str | None, group_code: str | None = None
    ) -> list[ValueView]:
        return [value_view(v) for v in await self.queries.behind_target(code, period, level, parent_code, group_code)]

    async def completeness(
        self, codes: list[str], period: Period, level: str, parent_code: str | None, group_code: str | None = None
    ) -> list[CompletenessView]:
        units, missing = await self.queries.completeness(codes, period, level, parent_code, group_code)
        return [
            CompletenessView(
                indicator_code=code, period=str(period), expected=len(units), reported=len(units) - len(absent),
                missing=[MissingUnit(unit_id=u.unit_id, unit_code=u.code, unit_name=u.name) for u in absent],
            )
            for code, absent in missing.items()
        ]  # fmt: skip

    async def timeliness(
        self, codes: list[str], period: Period, level: str, parent_code: str | None, group_code: str | None = None
    ) -> list[TimelinessView]:
        found = await self.queries.timeliness(codes, period, level, parent_code, group_code)
        return [
            TimelinessView(
                indicator_code=code, period=str(period), deadline=t.due, expected=t.expected, on_time=len(t.on_time),
                late=[
                    LateUnit(unit_id=x.unit.unit_id, unit_code=x.unit.code, unit_name=x.unit.name,
                             first_reported_at=x.first_reported_at, days_late=x.days_late)
                    for x in t.late
                ],
                missing=[MissingUnit(unit_id=u.unit_id, unit_code=u.code, unit_name=u.name) for u in t.missing],
                timeliness_rate=t.timeliness_rate, completeness_rate=t.completeness_rate,
            )
            for code, t in found.items()
        ]  # fmt: skip

    async def export_csv(
        self,
        codes: list[str],
        periods: list[Period],
        level: str,
        parent_code: str | None,
        group_code: str | None = None,
    ) -> str:
        return await self.queries.export_csv(codes, periods, level, parent_code, group_code)

"""Internal REST queries of the metrics service, batched for the gateway's DataLoaders: one call
answers many units x codes for one period."""

from __future__ import annotations

import datetime

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromQuery

from contracts.api.metrics import (
    CompletenessView,
    HistoryView,
    IndicatorDefinition,
    PartView,
    RankingView,
    UnitView,
    ValueView,
)
from libs.common.errors import InvalidInputError
from libs.common.http.context import Reader, reader
from services.metrics.application.evaluated import Value
from services.metrics.application.queries import MetricsQueries
from services.metrics.domain.periods import Period

MAX_BATCH = 1000
Queries = NamedDependency[MetricsQueries]


def view(v: Value) -> ValueView:
    return ValueView(
        indicator_code=v.code,
        unit_id=v.unit.unit_id,
        unit_code=v.unit.code,
        unit_name=v.unit.name,
        unit_level=v.unit.level,
        period=v.period,
        value=v.value,
        reason=v.reason,
        origin=v.origin,
        source=v.source,
        as_of=v.as_of,
        target=v.target,
        progress=v.progress,
        breakdown=[PartView(indicator_code=p.code, weight=p.weight, value=p.value, contribution=p.contribution,
                            missing=p.missing) for p in v.breakdown] or None,
    )  # fmt: skip


def split_list(raw: str, what: str) -> list[str]:
    items = list(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    if not items:
        raise InvalidInputError(f"give at least one {what}", code="invalid_query")
    if len(items) > MAX_BATCH:
        raise InvalidInputError(f"at most {MAX_BATCH} {what}s per request", code="invalid_query")
    return items


class MetricsQueriesController(Controller):
    path = "/"
    tags = ["metrics: queries"]  # noqa: RUF012
    # Who writes may read what it wrote.
    dependencies = {"reader": reader("read", "metrics:write")}  # noqa: RUF012

    @get("/indicators", operation_id="indicators", description="The catalogue (optionally only some codes).")
    async def indicators(
        self, reader: Reader, queries: Queries, codes: FromQuery[str | None] = None
    ) -> list[IndicatorDefinition]:
        catalogue = await queries.catalogue()
        wanted = split_list(codes, "code") if codes else sorted(catalogue)
        return [catalogue[c] for c in wanted if c in catalogue]

    @get("/values", operation_id="indicatorValues", description="Many units x codes for one period (DataLoader).")
    async def values(
        self,
        *,
        reader: Reader,
        queries: Queries,
        codes: FromQuery[str],
        unit_codes: FromQuery[str],
        period: FromQuery[str],
        as_of: FromQuery[datetime.date | None] = None,
    ) -> list[ValueView]:
        found = await queries.values(
            split_list(codes, "code"), split_list(unit_codes, "unit code"), Period.parse(period), as_of
        )
        return [view(v) for v in found]

    @get("/values/at-level", operation_id="indicatorValuesAtLevel", description="Codes for every unit of a level.")
    async def at_level(
        self,
        *,
        reader: Reader,
        queries: Queries,
        codes: FromQuery[str],
        period: FromQuery[str],
        level: FromQuery[str],
        parent_code: FromQuery[str | None] = None,
        as_of: FromQuery[datetime.date | None] = None,
    ) -> list[ValueView]:
        found = await queries.at_level(split_list(codes, "code"), Period.parse(period), level, parent_code, as_of)
        return [view(v) for v in found]

    @get("/values/history", operation_id="indicatorValueHistory", description="Reports and corrections: who, when.")
    async def history(
        self,
        *,
        reader: Reader,
        queries: Queries,
        code: FromQuery[str],
        unit_code: FromQuery[str],
        period: FromQuery[str],
    ) -> list[HistoryView]:
        rows = await queries.history(code, unit_code, Period.parse(period))
        return [
            HistoryView(
                version=r["version"], value=r["value"], previous_value=r["previous_value"], source=r["source"],
                comment=r["comment"], actor=r["actor"], partner=r["partner"], recorded_at=r["recorded_at"],
            )
            for r in rows
        ]  # fmt: skip

    @get("/ranking", operation_id="ranking", description="Units of a level ranked by an index, with its breakdown.")
    async def ranking(
        self,
        *,
        reader: Reader,
        queries: Queries,
        index_code: FromQuery[str],
        period: FromQuery[str],
        level: FromQuery[str],
        parent_code: FromQuery[str | None] = None,
    ) -> list[RankingView]:
        ranked = await queries.ranking(index_code, Period.parse(period), level, parent_code)
        return [RankingView(rank=r.rank, score=r.value.value, value=view(r.value)) for r in ranked]

    @get("/targets/behind", operation_id="unitsBehindTarget", description="Units whose value trails their target.")
    async def behind(
        self,
        *,
        reader: Reader,
        queries: Queries,
        code: FromQuery[str],
        period: FromQuery[str],
        level: FromQuery[str],
        parent_code: FromQuery[str | None] = None,
    ) -> list[ValueView]:
        return [view(v) for v in await queries.behind_target(code, Period.parse(period), level, parent_code)]

    @get("/completeness", operation_id="completeness", description="Units that have not reported, per indicator.")
    async def completeness(
        self,
        *,
        reader: Reader,
        queries: Queries,
        codes: FromQuery[str],
        period: FromQuery[str],
        level: FromQuery[str],
        parent_code: FromQuery[str | None] = None,
    ) -> list[CompletenessView]:
        parsed = Period.parse(period)
        units, missing = await queries.completeness(split_list(codes, "code"), parsed, level, parent_code)
        return [
            CompletenessView(
                indicator_code=code, period=str(parsed), expected=len(units), reported=len(units) - len(absent),
                missing=[UnitView(unit_id=u.unit_id, unit_code=u.code, unit_name=u.name) for u in absent],
            )
            for code, absent in missing.items()
        ]  # fmt: skip

    @get("/export.csv", operation_id="exportCsv", description="Indicators x units x periods as CSV.")
    async def export(
        self,
        *,
        reader: Reader,
        queries: Queries,
        codes: FromQuery[str],
        periods: FromQuery[str],
        level: FromQuery[str],
        parent_code: FromQuery[str | None] = None,
    ) -> Response[str]:
        parsed = [Period.parse(p) for p in split_list(periods, "period")]
        body = await queries.export_csv(split_list(codes, "code"), parsed, level, parent_code)
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="indicators.csv"'},
        )

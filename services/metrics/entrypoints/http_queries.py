"""Internal REST queries of the metrics service, batched for the gateway's DataLoaders: one call
answers many units x codes for one period."""

from __future__ import annotations

import datetime
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromQuery

from contracts.metrics_events import IndicatorDefinition
from libs.common.errors import ForbiddenError, InvalidInputError, UnauthorizedError
from libs.common.principal import Principal
from libs.common.runtime import ServiceRuntime
from services.metrics.application.evaluation import Value
from services.metrics.application.queries import MetricsQueries
from services.metrics.domain.periods import Period

MAX_BATCH = 1000
Req = Request[Any, Any, Any]


async def provide_queries(runtime: NamedDependency[ServiceRuntime]) -> MetricsQueries:
    return MetricsQueries(runtime.pool)


class PartView(msgspec.Struct, frozen=True, kw_only=True):
    indicator_code: str
    weight: float
    value: float | None
    contribution: float
    missing: bool


class ValueView(msgspec.Struct, frozen=True, kw_only=True):
    indicator_code: str
    unit_id: str
    unit_code: str
    unit_name: str
    unit_level: str
    period: str
    value: float | None
    reason: str | None
    origin: str
    source: str
    as_of: datetime.datetime
    target: float | None
    progress: float | None
    breakdown: list[PartView] | None = None


class RankingView(msgspec.Struct, frozen=True, kw_only=True):
    rank: int
    score: float | None
    value: ValueView


class UnitView(msgspec.Struct, frozen=True, kw_only=True):
    unit_id: str
    unit_code: str
    unit_name: str


class CompletenessView(msgspec.Struct, frozen=True, kw_only=True):
    indicator_code: str
    period: str
    expected: int
    reported: int
    missing: list[UnitView]


class HistoryView(msgspec.Struct, frozen=True, kw_only=True):
    version: int
    value: float
    previous_value: float | None
    source: str
    comment: str | None
    actor: str | None
    partner: str | None
    recorded_at: datetime.datetime


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


def read_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Reads need the ``read`` scope, or ``metrics:write`` (who writes may read what it wrote)."""
    user = connection.scope.get("user")
    if not isinstance(user, Principal):
        raise UnauthorizedError("this route needs the gateway's principal token", code="principal_missing")
    if not (user.allows("read") or user.allows("metrics:write")):
        raise ForbiddenError("this needs the scope 'read'", code="forbidden", details={"scope": "read"})


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
    dependencies = {"queries": Provide(provide_queries)}  # noqa: RUF012
    guards = [read_guard]  # noqa: RUF012

    @get("/indicators", operation_id="indicators", description="The catalogue (optionally only some codes).")
    async def indicators(
        self, queries: NamedDependency[MetricsQueries], codes: FromQuery[str | None] = None
    ) -> list[IndicatorDefinition]:
        catalogue = await queries.catalogue()
        wanted = split_list(codes, "code") if codes else sorted(catalogue)
        return [catalogue[c] for c in wanted if c in catalogue]

    @get("/values", operation_id="indicatorValues", description="Many units x codes for one period (DataLoader).")
    async def values(
        self,
        queries: NamedDependency[MetricsQueries],
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
        queries: NamedDependency[MetricsQueries],
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
        queries: NamedDependency[MetricsQueries],
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
        queries: NamedDependency[MetricsQueries],
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
        queries: NamedDependency[MetricsQueries],
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
        queries: NamedDependency[MetricsQueries],
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
        queries: NamedDependency[MetricsQueries],
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

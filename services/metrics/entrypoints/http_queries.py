"""Internal REST queries of the metrics service, batched for the gateway's DataLoaders: one call
answers many units x codes for one period. Reads need ``read``, or ``metrics:write`` (who writes
may read what it wrote)."""

from __future__ import annotations

import datetime

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromQuery

from contracts.api.metrics import (
    ApprovalView,
    CompletenessView,
    HistoryView,
    IndicatorDefinition,
    RankingView,
    TimelinessView,
    ValueView,
)
from libs.common.errors import InvalidInputError
from libs.common.http.context import Reader, reader
from services.metrics.application.answers import MetricsAnswers
from services.metrics.domain.periods import Period

MAX_BATCH = 1000
Answers = NamedDependency[MetricsAnswers]
CSV_HEADERS = {"content-disposition": 'attachment; filename="indicators.csv"'}


def split_list(raw: str, what: str) -> list[str]:
    items = list(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    if not items:
        raise InvalidInputError(f"give at least one {what}", code="invalid_query")
    if len(items) > MAX_BATCH:
        raise InvalidInputError(f"at most {MAX_BATCH} {what}s per request", code="invalid_query")
    return items


def _periods(raw: str) -> list[Period]:
    return [Period.parse(p) for p in split_list(raw, "period")]


class MetricsQueriesController(Controller):
    path = "/"
    tags = ["metrics: queries"]  # noqa: RUF012
    dependencies = {"reader": reader("read", "metrics:write")}  # noqa: RUF012

    @get("/indicators", operation_id="indicators", description="The catalogue (optionally only some codes).")
    async def indicators(
        self, reader: Reader, answers: Answers, codes: FromQuery[str | None] = None
    ) -> list[IndicatorDefinition]:
        return await answers.indicators(split_list(codes, "code") if codes else None)

    @get("/values", operation_id="indicatorValues", description="Many units x codes for one period (DataLoader).")
    async def values(
        self,
        *,
        reader: Reader,
        answers: Answers,
        codes: FromQuery[str],
        unit_codes: FromQuery[str],
        period: FromQuery[str],
        as_of: FromQuery[datetime.date | None] = None,
    ) -> list[ValueView]:
        return await answers.values(
            split_list(codes, "code"), split_list(unit_codes, "unit code"), Period.parse(period), as_of
        )

    @get("/values/at-level", operation_id="indicatorValuesAtLevel", description="Codes for every unit of a level.")
    async def at_level(
        self,
        *,
        reader: Reader,
        answers: Answers,
        codes: FromQuery[str],
        period: FromQuery[str],
        level: FromQuery[str],
        parent_code: FromQuery[str | None] = None,
        group_code: FromQuery[str | None] = None,
        as_of: FromQuery[datetime.date | None] = None,
    ) -> list[ValueView]:
        return await answers.at_level(
            split_list(codes, "code"), Period.parse(period), level, parent_code, as_of, group_code
        )

    @get(
        "/values/group",
        operation_id="indicatorValuesOfGroup",
        description="Codes for a unit group as a whole: its members' values on the period's last day rolled up.",
    )
    async def of_group(
        self,
        *,
        reader: Reader,
        answers: Answers,
        codes: FromQuery[str],
        group_code: FromQuery[str],
        period: FromQuery[str],
        as_of: FromQuery[datetime.date | None] = None,
    ) -> list[ValueView]:
        return await answers.group_values(split_list(codes, "code"), group_code, Period.parse(period), as_of)

    @get("/values/history", operation_id="indicatorValueHistory", description="Reports and corrections: who, when.")
    async def history(
        self,
        *,
        reader: Reader,
        answers: Answers,
        code: FromQuery[str],
        unit_code: FromQuery[str],
        period: FromQuery[str],
    ) -> list[HistoryView]:
        return await answers.history(code, unit_code, Period.parse(period))

    @get("/ranking", operation_id="ranking", description="Units of a level ranked by an index, with its breakdown.")
    async def ranking(
        self,
        *,
        reader: Reader,
        answers: Answers,
        index_code: FromQuery[str],
        period: FromQuery[str],
        level: FromQuery[str],
        parent_code: FromQuery[str | None] = None,
        group_code: FromQuery[str | None] = None,
    ) -> list[RankingView]:
        return await answers.ranking(index_code, Period.parse(period), level, parent_code, group_code)

    @get("/targets/behind", operation_id="unitsBehindTarget", description="Units whose value trails their target.")
    async def behind(
        self,
        *,
        reader: Reader,
        answers: Answers,
        code: FromQuery[str],
        period: FromQuery[str],
        level: FromQuery[str],
        parent_code: FromQuery[str | None] = None,
        group_code: FromQuery[str | None] = None,
    ) -> list[ValueView]:
        return await answers.behind_target(code, Period.parse(period), level, parent_code, group_code)

    @get("/completeness", operation_id="completeness", description="Units that have not reported, per indicator.")
    async def completeness(
        self,
        *,
        reader: Reader,
        answers: Answers,
        codes: FromQuery[str],
        period: FromQuery[str],
        level: FromQuery[str],
        parent_code: FromQuery[str | None] = None,
        group_code: FromQuery[str | None] = None,
    ) -> list[CompletenessView]:
        return await answers.completeness(
            split_list(codes, "code"), Period.parse(period), level, parent_code, group_code
        )

    @get(
        "/timeliness",
        operation_id="timeliness",
        description="Reports on time, late and missing against each indicator's deadline.",
    )
    async def timeliness(
        self,
        *,
        reader: Reader,
        answers: Answers,
        codes: FromQuery[str],
        period: FromQuery[str],
        level: FromQuery[str],
        parent_code: FromQuery[str | None] = None,
        group_code: FromQuery[str | None] = None,
    ) -> list[TimelinessView]:
        return await answers.timeliness(split_list(codes, "code"), Period.parse(period), level, parent_code, group_code)

    @get(
        "/approvals/one",
        operation_id="dataApproval",
        description="Where a unit's values of an indicator set for a period stand in their approval.",
    )
    async def approval(
        self, *, reader: Reader, answers: Answers, indicator_set: FromQuery[str], unit_code: FromQuery[str],
        period: FromQuery[str],
    ) -> ApprovalView:  # fmt: skip
        return await answers.approvals.approval(indicator_set, unit_code, Period.parse(period))

    @get(
        "/approvals",
        operation_id="dataApprovals",
        description="The approvals of a level's units (under a parent: a district's communes) for a period.",
    )
    async def approvals(
        self, *, reader: Reader, answers: Answers, indicator_set: FromQuery[str], period: FromQuery[str],
        level: FromQuery[str] = "commune", parent_code: FromQuery[str | None] = None,
    ) -> list[ApprovalView]:  # fmt: skip
        return await answers.approvals.under(indicator_set, Period.parse(period), level, parent_code)

    @get("/export.csv", operation_id="exportCsv", description="Indicators x units x periods as CSV.")
    async def export(
        self,
        *,
        reader: Reader,
        answers: Answers,
        codes: FromQuery[str],
        periods: FromQuery[str],
        level: FromQuery[str],
        parent_code: FromQuery[str | None] = None,
        group_code: FromQuery[str | None] = None,
    ) -> Response[str]:
        csv = await answers.export_csv(split_list(codes, "code"), _periods(periods), level, parent_code, group_code)
        return Response(csv, media_type="text/csv; charset=utf-8", headers=CSV_HEADERS)

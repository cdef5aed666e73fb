"""The metrics service's reads, one row each (ADR 0044): the indicator catalogue, a value's
history, the units behind target, reporting completeness and timeliness, the ranking with
its breakdown, and data approval (one unit's, or a level's units under a parent: ADR 0055).

The service answers a report whole (it is bounded by the units of one level), so the gateway
pages it: ``first`` and ``after`` stay with the answer (``Asked.page``), which is a Relay
connection with ``totalCount`` on GraphQL and a page (``items``, ``total_count``,
``has_next_page``, ``end_cursor``) on REST. ``parent_code`` narrows a report to the units
under one (a district's communes). Who changed a value is a person: shown with the
``personal-data`` scope only (ADR 0039).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import replace
from typing import Annotated, Any

import msgspec
import strawberry
from litestar import Response
from litestar.openapi.spec import Example
from litestar.params import QueryParameter

from contracts.api.metrics import ApprovalView, HistoryView, IndicatorDefinition, ValueView
from libs.common.principal import Principal
from services.gateway.adapters import metrics_api
from services.gateway.graphql.reading import PERSONAL_DATA
from services.gateway.graphql.scalars import PERIOD_PATTERN, Period, UnitLevel
from services.gateway.graphql.types_metrics import Indicator, Ranking
from services.gateway.graphql.types_metrics_approval import DataApproval, DataApprovalConnection
from services.gateway.graphql.types_metrics_reports import (
    IndicatorValueChangeConnection,
    IndicatorValueConnection,
    ReportingCompletenessConnection,
)
from services.gateway.graphql.types_metrics_timeliness import ReportingTimelinessConnection
from services.gateway.graphql.types_unit_groups import UnitGroupIndicatorValue
from services.gateway.reads.table import PAGE_SIZE, Answer, Arg, Asked, Field, Read, ReadTable, Route, rest_only
from services.gateway.rest.metrics_public import (
    ApprovalPage,
    CompletenessPage,
    HistoryPage,
    RankingPage,
    TimelinessPage,
    ValuePage,
)

CSV = "text/csv; charset=utf-8"
CSV_HEADERS = {"content-disposition": 'attachment; filename="indicators.csv"'}


def comma_separated(raw: str) -> list[str]:
    return [c.strip() for c in raw.split(",") if c.strip()]


def some_codes(raw: str | None) -> list[str] | None:
    """The codes asked for, or ``None`` for all of them (no parameter, or an empty one)."""
    return comma_separated(raw) if raw else None


def text(name: str, example: str, **more: Any) -> Arg:
    """A required string argument, shown on REST with an example."""
    return Arg(name, graphql=str, rest=Annotated[str, QueryParameter(examples=[Example(value=example)])], **more)


CODE = text("code", "citizens.internet_users", graphql_name="indicator_code")
UNIT_CODE = text("unit_code", "06100")
INDEX_CODE = text("index_code", "index.dti")
CODES = Arg(
    "codes",
    graphql=list[str],
    rest=Annotated[
        str, QueryParameter(description="comma-separated", examples=[Example(value="citizens.internet_users")])
    ],
    from_rest=comma_separated,
)
PERIOD = Arg(
    "period",
    graphql=Period,
    rest=Annotated[str, QueryParameter(pattern=PERIOD_PATTERN.pattern, examples=[Example(value="2023")])],
)
LEVEL = Arg("level", graphql=UnitLevel, rest=Annotated[str, QueryParameter(examples=[Example(value="commune")])])
PARENT_CODE = Arg(
    "parent_code",
    graphql=Annotated[
        str | None, strawberry.argument(description="Only the units under this one (a district's communes).")
    ],
    rest=Annotated[
        str | None, QueryParameter(description="Only the units under this one.", examples=[Example(value="061")])
    ],
    default=None,
)
INDICATOR_SET = Arg(
    "indicator_set",
    graphql=Annotated[str, strawberry.argument(description="The catalogue's group: telecom, egov, citizens...")],
    rest=Annotated[str, QueryParameter(examples=[Example(value="telecom")])],
)


GROUP = Arg(
    "group",
    graphql=Annotated[
        str | None,
        strawberry.argument(description="Only the members of this unit group on the period's last day (its code)."),
    ],
    rest=Annotated[
        str | None,
        QueryParameter(
            description="Only the members of this unit group (its code).", examples=[Example(value="PILOT")]
        ),
    ],
    default=None,
)
"""A unit group (ADR 0056) as the scope of a report over a level's units."""
FIRST = replace(PAGE_SIZE, to_call=False)
"""Read by the answer, which pages the whole report the service answered."""
AFTER = Arg(
    "after",
    graphql=str | None,
    rest=Annotated[str | None, QueryParameter(description="The end cursor of the page before.")],
    default=None,
    to_call=False,
)


def rest_page(shape: type[Any]) -> Answer:
    """REST's page ``shape`` of the slice of a whole answer that the request asked for."""

    def build(items: Sequence[Any], asked: Asked) -> Any:
        page = asked.page(items)
        return shape(
            items=page.items, total_count=page.total_count, has_next_page=page.has_next_page, end_cursor=page.end_cursor
        )

    return Answer(shape, build)


def connection(shape: Any) -> Answer:
    """GraphQL's connection ``shape`` (its ``of`` takes an ``OffsetPage``) of the slice asked for."""
    return Answer(shape, lambda items, asked: shape.of(asked.page(items)))


def _may_see_people(principal: Principal) -> bool:
    return principal.allows(PERSONAL_DATA)


def _history_page(rows: list[HistoryView], asked: Asked) -> HistoryPage:
    if not _may_see_people(asked.principal):
        rows = [msgspec.structs.replace(row, actor=None) for row in rows]
    built: HistoryPage = rest_page(HistoryPage).build(rows, asked)
    return built


METRICS_READS = ReadTable(
    "MetricsQuery",
    "indicators",
    (
        Read(
            "indicators",
            metrics_api.indicators,
            (Arg("codes", rest=Annotated[str | None, QueryParameter()], default=None, from_rest=some_codes),),
            Field(
                "indicators",
                Answer(list[Indicator], lambda found, _: [Indicator.of(i) for i in found]),
                "The indicator catalogue.",
            ),
            Route("/indicators", Answer(list[IndicatorDefinition], lambda found, _: found), "The indicator catalogue"),
        ),
        Read(
            "indicatorValueHistory",
            metrics_api.value_history,
            (
                CODE,
                UNIT_CODE,
                PERIOD,
                FIRST,
                AFTER,
            ),
            Field(
                "indicator_value_history",
                Answer(
                    IndicatorValueChangeConnection,
                    lambda rows, asked: IndicatorValueChangeConnection.of(
                        asked.page(rows), _may_see_people(asked.principal)
                    ),
                ),
                "A value's reports and corrections, oldest first: what, from what, who, when.",
            ),
            Route(
                "/indicator-values/history",
                Answer(HistoryPage, _history_page),
                "A value's reports and corrections: who, when, from what",
            ),
        ),
        Read(
            "unitGroupIndicatorValues",
            metrics_api.group_values,
            (
                CODES,
                text("group", "PILOT"),
                PERIOD,
                Arg(
                    "as_of",
                    graphql=Annotated[
                        datetime.date | None,
                        strawberry.argument(description="A day inside the period: the members and values that day."),
                    ],
                    rest=Annotated[datetime.date | None, QueryParameter(description="A day inside the period.")],
                    default=None,
                ),
            ),
            Field(
                "unit_group_indicator_values",
                Answer(list[UnitGroupIndicatorValue], lambda found, _: [UnitGroupIndicatorValue.of(v) for v in found]),
                "Indicators for a unit group as a whole: its members' values rolled up (ADR 0056).",
            ),
            Route(
                "/unit-groups/indicator-values",
                Answer(list[ValueView], lambda found, _: found),
                "Indicators for a unit group as a whole, its members' values rolled up",
            ),
        ),
        Read(
            "unitsBehindTarget",
            metrics_api.behind_target,
            (CODE, PERIOD, LEVEL, PARENT_CODE, GROUP, FIRST, AFTER),
            Field(
                "units_behind_target",
                connection(IndicatorValueConnection),
                "Units of a level whose value of an indicator trails their target for a period.",
            ),
            Route(
                "/indicator-values/behind-target",
                rest_page(ValuePage),
                "Units of a level whose value trails their target",
            ),
        ),
        Read(
            "completeness",
            metrics_api.completeness,
            (CODES, PERIOD, LEVEL, PARENT_CODE, GROUP, FIRST, AFTER),
            Field(
                "completeness",
                connection(ReportingCompletenessConnection),
                "Per indicator: how many units of a level reported for a period, and which did not.",
            ),
            Route(
                "/completeness",
                rest_page(CompletenessPage),
                "Per indicator: the units of a level expected to report, and those that have not",
            ),
        ),
        Read(
            "timeliness",
            metrics_api.timeliness,
            (CODES, PERIOD, LEVEL, PARENT_CODE, GROUP, FIRST, AFTER),
            Field(
                "reportingTimeliness",
                connection(ReportingTimelinessConnection),
                "Per reported indicator: the units of a level that reported a period on time, late or not at all.",
            ),
            Route(
                "/timeliness",
                rest_page(TimelinessPage),
                "Per reported indicator: reports on time, late and missing against its deadline",
            ),
        ),
        Read(
            "dataApproval",
            metrics_api.approval,
            (INDICATOR_SET, UNIT_CODE, PERIOD),
            Field(
                "data_approval",
                Answer(DataApproval, lambda found, _: DataApproval.of(found)),
                "Where a unit's values of an indicator set for a period stand in their approval, step by step.",
            ),
            Route(
                "/approvals/one",
                Answer(ApprovalView, lambda found, _: found),
                "A unit's data approval for an indicator set and period: its status and steps",
            ),
        ),
        Read(
            "dataApprovals",
            metrics_api.approvals,
            (INDICATOR_SET, PERIOD, LEVEL, PARENT_CODE, FIRST, AFTER),
            Field(
                "data_approvals",
                connection(DataApprovalConnection),
                "The data approvals of a level's units (a district's communes, under a parent) for a set and period.",
            ),
            Route(
                "/approvals",
                rest_page(ApprovalPage),
                "The data approvals of a level's units (a district's communes) for an indicator set and period",
            ),
        ),
        Read(
            "exportCsv",
            metrics_api.export_csv,
            (
                CODES,
                Arg(
                    "periods",
                    rest=Annotated[
                        str, QueryParameter(description="comma-separated", examples=[Example(value="2023")])
                    ],
                    from_rest=comma_separated,
                ),
                LEVEL,
                PARENT_CODE,
                GROUP,
            ),
            None,
            Route(
                "/indicator-values/export.csv",
                Answer(Response[bytes], lambda csv, _: Response(csv, media_type=CSV, headers=CSV_HEADERS)),
                "Indicators x units x periods as CSV (UTF-8, a header row)",
                media_type="text/csv",
            ),
        ),
        Read(
            "ranking",
            metrics_api.ranking,
            (
                INDEX_CODE,
                PERIOD,
                LEVEL,
                replace(PARENT_CODE, graphql=str | None),
                GROUP,
                rest_only(FIRST),
                rest_only(AFTER),
            ),
            Field(
                "ranking",
                # A unit without a score is not ranked (the contract's score is not null).
                Answer(list[Ranking], lambda rows, _: [Ranking.of(r) for r in rows if r.score is not None]),
                "Units of a level ranked by an index (e.g. the DTI) for a period.",
            ),
            Route(
                "/ranking",
                rest_page(RankingPage),
                "Units of a level ranked by an index, each with its score's breakdown",
            ),
        ),
    ),
)

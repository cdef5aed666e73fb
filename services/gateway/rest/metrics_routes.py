"""``/api/v1`` for indicators: the catalogue defined and retired, values reported and targets
set, alert thresholds set and removed, and the metrics service's reports (a value's history,
the units behind target, reporting completeness, a ranking with its breakdown, the CSV export).

Each operation is named as the metrics service names it (``operationId``) and is the same call
GraphQL makes (``graphql.metrics_commands``, ``adapters.metrics_api``): reads need ``read``;
commands go to the service as the caller, who decides ``metrics:write``, the province-wide
catalogue and thresholds, and a district centre's own units. Every command takes an
``Idempotency-Key``. Reports over a level take ``parent_code``, the subtree to cover.

A value reported or a target set answers the value as the read model shows it once the change is
there; a read model still behind after the read-back's wait (ADR 0047) answers the value as last
shown with the header ``Tinhso-Warning: read_model_lag; <message>``, never an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import Example
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter

from contracts.api.metrics import (
    DefineIndicators,
    IndicatorDefinition,
    IndicatorValueView,
    ReportValue,
    RetireIndicatorBody,
    SetTarget,
    SetThreshold,
)
from services.gateway.adapters import metrics_api
from services.gateway.adapters.internal import ServiceCaller, ServiceError, ServiceUnavailableError
from services.gateway.graphql import metrics_commands
from services.gateway.graphql.context import Gateway, GatewayContext
from services.gateway.graphql.offset_pages import offset_page
from services.gateway.graphql.reading import PERSONAL_DATA
from services.gateway.graphql.scalars import PERIOD_PATTERN
from services.gateway.rest.metrics_public import (
    AlertThreshold,
    CompletenessPage,
    HistoryPage,
    RankingPage,
    RemovedAlertThreshold,
    RetiredIndicator,
    ValuePage,
)
from services.gateway.rest.routes import BEARER, CallerFactory, service_error, service_unavailable
from services.gateway.security.wiring import GatewaySecurity

Req = Request[Any, Any, Any]
T = TypeVar("T")

WARNING_HEADER = "Tinhso-Warning"


def _warnings(caller: ServiceCaller) -> dict[str, str]:
    """What GraphQL says in ``extensions.warnings``, as ``code; message`` (several: comma-separated)."""
    if not caller.warnings:
        return {}
    return {WARNING_HEADER: ", ".join(f"{w.code}; {w.message}" for w in caller.warnings)}


IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="idempotency-key",
        required=False,
        description="Retry-safe: the same key with the same body answers the first result instead of acting twice.",
    ),
]
Code = Annotated[str, QueryParameter(examples=[Example(value="citizens.internet_users")])]
Codes = Annotated[
    str, QueryParameter(description="comma-separated", examples=[Example(value="citizens.internet_users")])
]
PeriodParam = Annotated[str, QueryParameter(pattern=PERIOD_PATTERN.pattern, examples=[Example(value="2023")])]
Level = Annotated[str, QueryParameter(examples=[Example(value="commune")])]
ParentCode = Annotated[
    str | None, QueryParameter(description="Only the units under this one.", examples=[Example(value="061")])
]
First = Annotated[int, QueryParameter(ge=1, le=200, examples=[Example(value=50)])]
After = Annotated[str | None, QueryParameter(description="The end cursor of the page before.")]
Caller = NamedDependency[ServiceCaller]
CSV_HEADERS = {"content-disposition": 'attachment; filename="indicators.csv"'}


def _codes(raw: str) -> list[str]:
    return [c.strip() for c in raw.split(",") if c.strip()]


def _page(items: Sequence[T], first: int, after: str | None) -> dict[str, Any]:
    page = offset_page(items, first, after)
    return {
        "items": page.items,
        "total_count": page.total_count,
        "has_next_page": page.has_next_page,
        "end_cursor": page.end_cursor,
    }


def metrics_controllers(gateway: Gateway, security: GatewaySecurity) -> list[type[Controller]]:
    factory = CallerFactory(gateway, security)

    async def reader(request: Req) -> ServiceCaller:
        context = GatewayContext.create(gateway, await factory.admit(request))
        context.reader()
        return context.caller()

    async def writer(request: Req) -> ServiceCaller:
        context = GatewayContext.create(gateway, await factory.admit(request))
        return context.writer()

    read, write = {"caller": Provide(reader)}, {"caller": Provide(writer)}

    class MetricsApi(Controller):
        path = "/api/v1"
        tags = ["indicators"]  # noqa: RUF012 - Litestar declares it as an instance attribute
        security = [{BEARER: []}]  # noqa: RUF012
        exception_handlers = {  # noqa: RUF012
            ServiceError: service_error,
            ServiceUnavailableError: service_unavailable,
        }

        @get("/indicators", operation_id="indicators", dependencies=read, summary="The indicator catalogue")
        async def indicators(
            self, caller: Caller, codes: Annotated[str | None, QueryParameter()] = None
        ) -> list[IndicatorDefinition]:
            return await metrics_api.indicators(caller, _codes(codes) if codes else None)

        @post(
            "/indicators",
            operation_id="defineIndicators",
            status_code=200,
            dependencies=write,
            summary="Define or revise indicators (province-wide: admin)",
        )
        async def define(
            self, caller: Caller, data: JSONBody[DefineIndicators], idempotency_key: IdempotencyKey = None
        ) -> list[IndicatorDefinition]:
            return await metrics_commands.define_indicators(caller, data, idempotency_key)

        @post(
            "/indicators/{code:str}/retire",
            operation_id="retireIndicator",
            status_code=200,
            dependencies=write,
            summary="Retire an indicator: it leaves the catalogue, its code is never reused",
        )
        async def retire(
            self,
            caller: Caller,
            code: FromPath[str],
            data: JSONBody[RetireIndicatorBody],
            idempotency_key: IdempotencyKey = None,
        ) -> RetiredIndicator:
            return await metrics_commands.retire_indicator(caller, code, data.reason, idempotency_key)

        @post(
            "/thresholds",
            operation_id="setAlertThreshold",
            status_code=200,
            dependencies=write,
            summary="Set an indicator's alert threshold (province-wide: admin)",
        )
        async def set_threshold(
            self, caller: Caller, data: JSONBody[SetThreshold], idempotency_key: IdempotencyKey = None
        ) -> AlertThreshold:
            return await metrics_commands.set_threshold(caller, data, idempotency_key)

        @post(
            "/thresholds/{code:str}/remove",
            operation_id="removeAlertThreshold",
            status_code=200,
            dependencies=write,
            summary="Remove an indicator's alert threshold",
        )
        async def remove_threshold(
            self, caller: Caller, code: FromPath[str], idempotency_key: IdempotencyKey = None
        ) -> RemovedAlertThreshold:
            return await metrics_commands.remove_threshold(caller, code, idempotency_key)

        @post(
            "/indicator-values/report",
            operation_id="reportIndicatorValue",
            status_code=200,
            dependencies=write,
            summary="Report or correct an indicator's value for a unit and period",
        )
        async def report(
            self, caller: Caller, data: JSONBody[ReportValue], idempotency_key: IdempotencyKey = None
        ) -> Response[IndicatorValueView]:
            view = await metrics_commands.report_value(caller, data, idempotency_key)
            return Response(view, headers=_warnings(caller))

        @post(
            "/targets",
            operation_id="setIndicatorTarget",
            status_code=200,
            dependencies=write,
            summary="Set an indicator's target for a unit and year",
        )
        async def set_target(
            self, caller: Caller, data: JSONBody[SetTarget], idempotency_key: IdempotencyKey = None
        ) -> Response[IndicatorValueView]:
            view = await metrics_commands.set_target(caller, data, idempotency_key)
            return Response(view, headers=_warnings(caller))

        @get(
            "/indicator-values/history",
            operation_id="indicatorValueHistory",
            dependencies=read,
            summary="A value's reports and corrections: who, when, from what",
        )
        async def history(  # noqa: PLR0917 - query parameters, passed by name
            self,
            caller: Caller,
            code: Code,
            unit_code: Annotated[str, QueryParameter(examples=[Example(value="06100")])],
            period: PeriodParam,
            first: First = 50,
            after: After = None,
        ) -> HistoryPage:
            rows = await metrics_api.value_history(caller, code, unit_code, period)
            if not caller.principal.allows(PERSONAL_DATA):  # who sent it is a person: ADR 0039
                rows = [msgspec.structs.replace(row, actor=None) for row in rows]
            return HistoryPage(**_page(rows, first, after))

        @get(
            "/indicator-values/behind-target",
            operation_id="unitsBehindTarget",
            dependencies=read,
            summary="Units of a level whose value trails their target",
        )
        async def behind(  # noqa: PLR0917 - query parameters, passed by name
            self,
            caller: Caller,
            code: Code,
            period: PeriodParam,
            level: Level,
            parent_code: ParentCode = None,
            first: First = 50,
            after: After = None,
        ) -> ValuePage:
            rows = await metrics_api.behind_target(caller, code, period, level, parent_code)
            return ValuePage(**_page(rows, first, after))

        @get(
            "/completeness",
            operation_id="completeness",
            dependencies=read,
            summary="Per indicator: the units of a level expected to report, and those that have not",
        )
        async def completeness(  # noqa: PLR0917 - query parameters, passed by name
            self,
            caller: Caller,
            codes: Codes,
            period: PeriodParam,
            level: Level,
            parent_code: ParentCode = None,
            first: First = 50,
            after: After = None,
        ) -> CompletenessPage:
            rows = await metrics_api.completeness(caller, _codes(codes), period, level, parent_code)
            return CompletenessPage(**_page(rows, first, after))

        @get(
            "/ranking",
            operation_id="ranking",
            dependencies=read,
            summary="Units of a level ranked by an index, each with its score's breakdown",
        )
        async def ranking(  # noqa: PLR0917 - query parameters, passed by name
            self,
            caller: Caller,
            index_code: Annotated[str, QueryParameter(examples=[Example(value="index.dti")])],
            period: PeriodParam,
            level: Level,
            parent_code: ParentCode = None,
            first: First = 50,
            after: After = None,
        ) -> RankingPage:
            rows = await metrics_api.ranking(caller, index_code, period, level, parent_code)
            return RankingPage(**_page(rows, first, after))

        @get(
            "/indicator-values/export.csv",
            operation_id="exportCsv",
            dependencies=read,
            media_type="text/csv",
            summary="Indicators x units x periods as CSV (UTF-8, a header row)",
        )
        async def export(
            self,
            caller: Caller,
            codes: Codes,
            periods: Annotated[str, QueryParameter(description="comma-separated", examples=[Example(value="2023")])],
            level: Level,
            parent_code: ParentCode = None,
        ) -> Response[bytes]:
            csv = await metrics_api.export_csv(caller, _codes(codes), _codes(periods), level, parent_code)
            return Response(csv, media_type="text/csv; charset=utf-8", headers=CSV_HEADERS)

    return [MetricsApi]

"""``/api/v1`` for the indicators' commands: the catalogue defined and retired, values reported
and targets set, alert thresholds set and removed, data approval's steps (the reads are rows of
``reads.metrics``).

Each operation is named as the metrics service names it (``operationId``) and is the same call
GraphQL makes (``graphql.metrics_commands``): commands go to the service as the caller, who
decides ``metrics:write``, the province-wide catalogue and thresholds, and a district centre's
own units. Every command takes an ``Idempotency-Key``.

A value reported or a target set answers the value as the read model shows it once the change is
there; a read model still behind after the read-back's wait (ADR 0047) answers the value as last
shown with the header ``Tinhso-Warning: read_model_lag; <message>``, never an error.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, HeaderParameter, JSONBody

from contracts.api.metrics import (
    ApprovalView,
    ApproveData,
    DefineIndicators,
    IndicatorDefinition,
    IndicatorValueView,
    ReopenData,
    ReportValue,
    RetireIndicatorBody,
    SetTarget,
    SetThreshold,
    SubmitData,
)
from services.gateway.adapters.internal import ServiceCaller
from services.gateway.graphql import metrics_commands
from services.gateway.graphql.context import Gateway, GatewayContext
from services.gateway.rest.metrics_public import (
    AlertThreshold,
    RemovedAlertThreshold,
    RetiredIndicator,
)
from services.gateway.rest.routes import CallerFactory
from services.gateway.security.wiring import GatewaySecurity

Req = Request[Any, Any, Any]

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
Caller = NamedDependency[ServiceCaller]


def metrics_controllers(gateway: Gateway, security: GatewaySecurity) -> list[type[Controller]]:
    factory = CallerFactory(gateway, security)

    async def writer(request: Req) -> ServiceCaller:
        context = GatewayContext.create(gateway, await factory.admit(request))
        return context.writer()

    write = {"caller": Provide(writer)}

    class MetricsApi(Controller):
        # Under the metrics reads' router (``reads.rest_routes.read_router``), which gives it the
        # bearer scheme and the services' refusals.
        path = "/"
        tags = ["indicators"]  # noqa: RUF012 - Litestar declares it as an instance attribute

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

        @post(
            "/approvals/submit",
            operation_id="submitData",
            status_code=200,
            dependencies=write,
            summary="Submit a unit's values of an indicator set for a period for approval",
        )
        async def submit_data(
            self, caller: Caller, data: JSONBody[SubmitData], idempotency_key: IdempotencyKey = None
        ) -> ApprovalView:
            return await metrics_commands.submit_data(caller, data, idempotency_key)

        @post(
            "/approvals/approve",
            operation_id="approveData",
            status_code=200,
            dependencies=write,
            summary="Approve submitted values: the district, then the province (which locks them)",
        )
        async def approve_data(
            self, caller: Caller, data: JSONBody[ApproveData], idempotency_key: IdempotencyKey = None
        ) -> ApprovalView:
            return await metrics_commands.approve_data(caller, data, idempotency_key)

        @post(
            "/approvals/reopen",
            operation_id="reopenData",
            status_code=200,
            dependencies=write,
            summary="Reopen an approval with a reason: its values take reports again",
        )
        async def reopen_data(
            self, caller: Caller, data: JSONBody[ReopenData], idempotency_key: IdempotencyKey = None
        ) -> ApprovalView:
            return await metrics_commands.reopen_data(caller, data, idempotency_key)

    return [MetricsApi]

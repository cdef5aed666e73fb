"""Internal REST commands of the metrics service. Writes need the ``metrics:write`` scope; a
principal bound to a unit (a district centre) writes for that unit and its descendants only,
and never the province's indicator catalogue or alert thresholds (ADR 0021)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from contracts.metrics_events import CATALOGUE as EVENTS
from contracts.metrics_events import AlertLevel, IndicatorDefinition, Severity, ThresholdOperator
from libs.common.eventstore.commands import CommandExecutor, CommandResult
from libs.common.http.auth import require_province_wide, require_scope
from libs.common.http.commands import command_metadata, idempotency_key
from libs.common.runtime import ServiceRuntime
from services.metrics.application.commands import MetricsCommands
from services.metrics.domain.values import Threshold
from services.metrics.seed.indicators import province_indicators

WRITE = "metrics:write"
Req = Request[Any, Any, Any]


async def provide_commands(runtime: NamedDependency[ServiceRuntime]) -> MetricsCommands:
    return MetricsCommands(CommandExecutor(runtime.pool, "metrics", EVENTS))


class DefineIndicatorsBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    indicators: list[IndicatorDefinition]


class RetireBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: str | None = None


class ReportValueBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    indicator_code: str
    unit_code: str
    period: str
    value: float
    source: str | None = None
    """Defaults to the reporting partner."""
    comment: str | None = None


class SetTargetBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    indicator_code: str
    unit_code: str
    year: int
    target: float


class SetThresholdBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    indicator_code: str
    operator: ThresholdOperator
    threshold: float
    level: AlertLevel | None = None
    severity: Severity = "warning"


class MetricsCommandsController(Controller):
    path = "/commands"
    tags = ["metrics: commands"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    dependencies = {"commands": Provide(provide_commands)}  # noqa: RUF012

    @post("/catalogue/define", operation_id="defineIndicators", description="Define or revise indicators.")
    async def define(
        self, data: JSONBody[DefineIndicatorsBody], request: Req, commands: NamedDependency[MetricsCommands]
    ) -> CommandResult:
        require_province_wide(request, WRITE)
        meta = command_metadata(request)
        return await commands.define(data.indicators, metadata=meta, idempotency=idempotency_key(request, meta, data))

    @post("/catalogue/seed", operation_id="seedIndicators", description="Define the shipped indicator set.")
    async def seed(self, request: Req, commands: NamedDependency[MetricsCommands]) -> CommandResult:
        require_province_wide(request, WRITE)
        return await commands.seed(province_indicators())

    @post("/catalogue/{code:str}/retire", operation_id="retireIndicator")
    async def retire(
        self, code: FromPath[str], data: JSONBody[RetireBody], request: Req, commands: NamedDependency[MetricsCommands]
    ) -> CommandResult:
        require_province_wide(request, WRITE)
        return await commands.retire(code, data.reason, metadata=command_metadata(request))

    @post("/values/report", operation_id="reportIndicatorValue", description="Report or correct a value.")
    async def report(
        self, data: JSONBody[ReportValueBody], request: Req, commands: NamedDependency[MetricsCommands]
    ) -> CommandResult:
        principal = require_scope(request, WRITE)
        meta = command_metadata(request)
        return await commands.report(
            data.indicator_code,
            data.unit_code,
            data.period,
            data.value,
            data.source or principal.partner or principal.subject,
            data.comment,
            principal=principal,
            metadata=meta,
            idempotency=idempotency_key(request, meta, data),
        )

    @post("/targets/set", operation_id="setIndicatorTarget")
    async def set_target(
        self, data: JSONBody[SetTargetBody], request: Req, commands: NamedDependency[MetricsCommands]
    ) -> CommandResult:
        principal = require_scope(request, WRITE)
        meta = command_metadata(request)
        return await commands.set_target(
            data.indicator_code,
            data.unit_code,
            data.year,
            data.target,
            principal=principal,
            metadata=meta,
            idempotency=idempotency_key(request, meta, data),
        )

    @post("/thresholds/set", operation_id="setAlertThreshold")
    async def set_threshold(
        self, data: JSONBody[SetThresholdBody], request: Req, commands: NamedDependency[MetricsCommands]
    ) -> CommandResult:
        require_province_wide(request, WRITE)
        threshold = Threshold(data.operator, data.threshold, data.level, data.severity)
        return await commands.set_threshold(data.indicator_code, threshold, metadata=command_metadata(request))

    @post("/thresholds/{code:str}/remove", operation_id="removeAlertThreshold")
    async def remove_threshold(
        self, code: FromPath[str], request: Req, commands: NamedDependency[MetricsCommands]
    ) -> CommandResult:
        require_province_wide(request, WRITE)
        return await commands.set_threshold(code, None, metadata=command_metadata(request))

"""Internal REST commands of the metrics service. Writes need the ``metrics:write`` scope; a
principal bound to a unit (a district centre) writes for that unit and its descendants only,
and never the province's indicator catalogue or alert thresholds (ADR 0021)."""

from __future__ import annotations

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from contracts.api.metrics import (
    DefineIndicators,
    RemoveThreshold,
    ReportValue,
    RetireIndicator,
    RetireIndicatorBody,
    SetTarget,
    SetThreshold,
)
from libs.common.eventstore.results import CommandResult
from libs.common.http.context import Ctx, command_context
from services.metrics.application.commands import MetricsCommands
from services.metrics.seed.indicators import province_indicators

WRITE = "metrics:write"
Commands = NamedDependency[MetricsCommands]


class UnitCommands(Controller):
    """Commands a caller confined to a unit may send, for its own units."""

    path = "/commands"
    tags = ["metrics: commands"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    dependencies = {"ctx": command_context(WRITE)}  # noqa: RUF012

    @post("/values/report", operation_id="reportIndicatorValue", description="Report or correct a value.")
    async def report(self, data: JSONBody[ReportValue], ctx: Ctx, commands: Commands) -> CommandResult:
        return await commands.report(data, ctx)

    @post("/targets/set", operation_id="setIndicatorTarget")
    async def set_target(self, data: JSONBody[SetTarget], ctx: Ctx, commands: Commands) -> CommandResult:
        return await commands.set_target(data, ctx)


class ProvinceCommands(Controller):
    """The province's catalogue and alert thresholds: refused to a caller bound to a unit."""

    path = "/commands"
    tags = ["metrics: commands"]  # noqa: RUF012
    dependencies = {"ctx": command_context(WRITE, province_wide=True)}  # noqa: RUF012

    @post("/catalogue/define", operation_id="defineIndicators", description="Define or revise indicators.")
    async def define(self, data: JSONBody[DefineIndicators], ctx: Ctx, commands: Commands) -> CommandResult:
        return await commands.define(data, ctx)

    @post("/catalogue/seed", operation_id="seedIndicators", description="Define the shipped indicator set.")
    async def seed(self, ctx: Ctx, commands: Commands) -> CommandResult:
        return await commands.define(DefineIndicators(indicators=province_indicators()), ctx)

    @post("/catalogue/{code:str}/retire", operation_id="retireIndicator")
    async def retire(
        self, code: FromPath[str], data: JSONBody[RetireIndicatorBody], ctx: Ctx, commands: Commands
    ) -> CommandResult:
        return await commands.retire(RetireIndicator(code=code, reason=data.reason), ctx)

    @post("/thresholds/set", operation_id="setAlertThreshold")
    async def set_threshold(self, data: JSONBody[SetThreshold], ctx: Ctx, commands: Commands) -> CommandResult:
        return await commands.set_threshold(data, ctx)

    @post("/thresholds/{code:str}/remove", operation_id="removeAlertThreshold")
    async def remove_threshold(self, code: FromPath[str], ctx: Ctx, commands: Commands) -> CommandResult:
        return await commands.remove_threshold(RemoveThreshold(indicator_code=code), ctx)

# mypy: disallow-untyped-decorators=False
"""Mutations of the indicator catalogue and its alert thresholds, named as the metrics service
names the operations. The service refuses them to anyone but a province-wide ``metrics:write``
caller (a district centre is confined to its units and may not change the province's
catalogue); its refusal reaches the caller with its code. Data approval's steps (ADR 0055) are
the service's to allow by the caller's unit. Each takes an idempotency key."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from contracts.api.metrics import (
    ApproveData,
    DefineIndicators,
    IndicatorDefinition,
    ReopenData,
    SetThreshold,
    SubmitData,
)
from contracts.metrics_events import Component
from services.gateway.graphql import metrics_commands
from services.gateway.graphql.context import context_of
from services.gateway.graphql.inputs_metrics import (
    DefineIndicatorsInput,
    IndicatorDefinitionInput,
    RemoveAlertThresholdInput,
    RetireIndicatorInput,
    SetAlertThresholdInput,
)
from services.gateway.graphql.types_metrics import Indicator
from services.gateway.graphql.types_metrics_approval import (
    ApproveDataInput,
    DataApproval,
    ReopenDataInput,
    SubmitDataInput,
)
from services.gateway.graphql.types_metrics_reports import AlertThreshold, RemovedAlertThreshold, RetiredIndicator

Ctx = Info[Any, Any]


def _definition(data: IndicatorDefinitionInput) -> IndicatorDefinition:
    return IndicatorDefinition(
        code=data.code,
        name_vi=data.name_vi,
        name_en=data.name_en,
        unit=data.unit,
        kind=data.kind.value,
        rollup=data.rollup.value,
        method=data.method.value,
        group=data.group,
        description=data.description,
        formula=data.formula,
        components=[Component(code=c.code, weight=c.weight) for c in data.components or []],
        fact=data.fact,
        aggregate=data.aggregate.value,
        minimum=data.minimum,
        maximum=data.maximum,
        higher_is_better=data.higher_is_better,
        reporting_deadline_days=data.reporting_deadline_days,
    )


@strawberry.type
class MetricsMutation:
    @strawberry.mutation(description="Define indicators, or revise those whose code exists (metrics; province-wide).")
    async def define_indicators(self, info: Ctx, input: DefineIndicatorsInput) -> list[Indicator]:
        body = DefineIndicators(indicators=[_definition(d) for d in input.indicators])
        found = await metrics_commands.define_indicators(context_of(info).writer(), body, input.idempotency_key)
        return [Indicator.of(d) for d in found]

    @strawberry.mutation(description="Retire an indicator: it leaves the catalogue; its code is never reused.")
    async def retire_indicator(self, info: Ctx, input: RetireIndicatorInput) -> RetiredIndicator:
        caller = context_of(info).writer()
        retired = await metrics_commands.retire_indicator(caller, input.code, input.reason, input.idempotency_key)
        return RetiredIndicator.of(retired)

    @strawberry.mutation(description="Set an indicator's alert threshold (metrics; province-wide).")
    async def set_alert_threshold(self, info: Ctx, input: SetAlertThresholdInput) -> AlertThreshold:
        body = SetThreshold(
            indicator_code=input.indicator_code,
            operator=input.operator.value,
            threshold=input.threshold,
            level=input.level.value if input.level else None,
            severity=input.severity.value,
        )
        found = await metrics_commands.set_threshold(context_of(info).writer(), body, input.idempotency_key)
        return AlertThreshold.of(found)

    @strawberry.mutation(description="Remove an indicator's alert threshold (metrics; province-wide).")
    async def remove_alert_threshold(self, info: Ctx, input: RemoveAlertThresholdInput) -> RemovedAlertThreshold:
        caller = context_of(info).writer()
        removed = await metrics_commands.remove_threshold(caller, input.indicator_code, input.idempotency_key)
        return RemovedAlertThreshold.of(removed)

    @strawberry.mutation(
        description="Submit a unit's values of an indicator set for a period for approval (the unit, or above it)."
    )
    async def submit_data(self, info: Ctx, input: SubmitDataInput) -> DataApproval:
        body = SubmitData(indicator_set=input.indicator_set, unit_code=input.unit_code, period=input.period)
        found = await metrics_commands.submit_data(context_of(info).writer(), body, input.idempotency_key)
        return DataApproval.of(found)

    @strawberry.mutation(
        description="Approve submitted values: the unit's district, then the province, whose approval locks them."
    )
    async def approve_data(self, info: Ctx, input: ApproveDataInput) -> DataApproval:
        body = ApproveData(
            indicator_set=input.indicator_set, unit_code=input.unit_code, period=input.period, level=input.level.value
        )
        found = await metrics_commands.approve_data(context_of(info).writer(), body, input.idempotency_key)
        return DataApproval.of(found)

    @strawberry.mutation(
        description="Reopen an approval with a reason (the level that approved last, or admin): values open again."
    )
    async def reopen_data(self, info: Ctx, input: ReopenDataInput) -> DataApproval:
        body = ReopenData(
            indicator_set=input.indicator_set, unit_code=input.unit_code, period=input.period, reason=input.reason
        )
        found = await metrics_commands.reopen_data(context_of(info).writer(), body, input.idempotency_key)
        return DataApproval.of(found)

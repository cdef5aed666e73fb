"""The metrics service's commands as the gateway answers them, for GraphQL and ``/api/v1``
alike: the command sent as the caller (the service decides scope and ownership), then what it
changed, read back as the writer. The catalogue is read from the service's event store, so a
definition shows at once; a value or target follows its projection, which ``read_back`` waits
for. A retired indicator leaves the catalogue and thresholds have no listing: those answers
state what the service accepted, and whether the key had been used already (``replayed``).
A data approval's step answers the approval as the service reads it from its stream, at once."""

from __future__ import annotations

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
from services.gateway.adapters import metrics_api
from services.gateway.adapters.internal import ServiceCaller
from services.gateway.graphql.read_back import read_back
from services.gateway.rest.metrics_public import AlertThreshold, RemovedAlertThreshold, RetiredIndicator


async def define_indicators(
    caller: ServiceCaller, body: DefineIndicators, key: str | None
) -> list[IndicatorDefinition]:
    """The definitions as the catalogue now holds them, in the order given."""
    await metrics_api.define_indicators(caller, body, key)
    return await metrics_api.indicators(caller, [d.code for d in body.indicators])


async def retire_indicator(caller: ServiceCaller, code: str, reason: str | None, key: str | None) -> RetiredIndicator:
    result = await metrics_api.retire_indicator(caller, code, RetireIndicatorBody(reason=reason), key)
    return RetiredIndicator(code=code, reason=reason, replayed=result.replayed)


async def set_threshold(caller: ServiceCaller, body: SetThreshold, key: str | None) -> AlertThreshold:
    result = await metrics_api.set_threshold(caller, body, key)
    return AlertThreshold(
        indicator_code=body.indicator_code,
        operator=body.operator,
        threshold=body.threshold,
        level=body.level,
        severity=body.severity,
        replayed=result.replayed,
    )


async def remove_threshold(caller: ServiceCaller, code: str, key: str | None) -> RemovedAlertThreshold:
    result = await metrics_api.remove_threshold(caller, code, key)
    return RemovedAlertThreshold(indicator_code=code, replayed=result.replayed)


async def report_value(caller: ServiceCaller, body: ReportValue, key: str | None) -> IndicatorValueView:
    await metrics_api.report_value(caller, body, key)

    async def current() -> IndicatorValueView | None:
        found = await metrics_api.values(caller, [body.indicator_code], [body.unit_code], body.period)
        return found[0] if found else None

    async def fetch() -> IndicatorValueView | None:
        shown = await current()
        return shown if shown is not None and shown.value == body.value else None

    return await read_back(caller, fetch, "value", reads=metrics_api.VALUES_READ_MODEL, accepted=current)


async def set_target(caller: ServiceCaller, body: SetTarget, key: str | None) -> IndicatorValueView:
    await metrics_api.set_target(caller, body, key)

    async def current() -> IndicatorValueView | None:
        found = await metrics_api.values(caller, [body.indicator_code], [body.unit_code], str(body.year))
        return found[0] if found else None

    async def fetch() -> IndicatorValueView | None:
        shown = await current()
        return shown if shown is not None and shown.target == body.target else None

    return await read_back(caller, fetch, "target", reads=metrics_api.VALUES_READ_MODEL, accepted=current)


async def submit_data(caller: ServiceCaller, body: SubmitData, key: str | None) -> ApprovalView:
    await metrics_api.submit_data(caller, body, key)
    return await metrics_api.approval(caller, body.indicator_set, body.unit_code, body.period)


async def approve_data(caller: ServiceCaller, body: ApproveData, key: str | None) -> ApprovalView:
    await metrics_api.approve_data(caller, body, key)
    return await metrics_api.approval(caller, body.indicator_set, body.unit_code, body.period)


async def reopen_data(caller: ServiceCaller, body: ReopenData, key: str | None) -> ApprovalView:
    await metrics_api.reopen_data(caller, body, key)
    return await metrics_api.approval(caller, body.indicator_set, body.unit_code, body.period)

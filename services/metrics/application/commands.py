"""Command handlers of the metrics service: define and retire indicators, report values, set
targets and thresholds. One signature each (the command's input and the caller's context,
answering ``CommandResult``); each resolves what the command is about from the service's own
read models (units from the registry's events, the catalogue from its stream) and runs one
decider through the ``CommandExecutor``. A caller confined to a unit is checked inside the
command's transaction (``libs.common.reach.require_within``), and so is the approval of the
value's indicator set: a locked one refuses the report (409 ``data_locked``, ADR 0055)."""

from __future__ import annotations

import datetime

import asyncpg

from contracts.api.batches import BatchResult, IndicatorValueBatch, IndicatorValueItem
from contracts.api.metrics import (
    DefineIndicators,
    RemoveThreshold,
    ReportValue,
    RetireIndicator,
    SetTarget,
    SetThreshold,
)
from contracts.metrics_events import IndicatorDefinition
from libs.common.errors import NotFoundError, outside_own_unit
from libs.common.eventstore.commands import Check, CommandContext, CommandExecutor, CommandResult, Transaction
from libs.common.eventstore.item_commands import each_item
from libs.common.reach import require_within
from services.metrics.adapters import approvals
from services.metrics.adapters import indicator_data as data
from services.metrics.adapters.catalogue_reader import SHARED
from services.metrics.adapters.unit_tree import UnitTreeOn
from services.metrics.application.approvals import ApprovalCommands
from services.metrics.domain import approval, catalogue, thresholds, values
from services.metrics.domain.periods import Period


class MetricsCommands:
    def __init__(self, executor: CommandExecutor) -> None:
        self.executor = executor
        self.pool: asyncpg.Pool = executor.pool
        self.approvals = ApprovalCommands(executor)
        """Data approval's steps (ADR 0055)."""

    async def define(self, cmd: DefineIndicators, ctx: CommandContext) -> CommandResult:
        """Define or revise indicators; appends nothing for those already there unchanged."""
        return await self.executor.execute(
            catalogue.DECIDER,
            catalogue.STREAM,
            catalogue.DefineIndicators(cmd.indicators),
            context=ctx,
            request=cmd,
            ids=[d.code for d in cmd.indicators],
        )

    async def retire(self, cmd: RetireIndicator, ctx: CommandContext) -> CommandResult:
        return await self.executor.execute(
            catalogue.DECIDER,
            catalogue.STREAM,
            catalogue.RetireIndicator(cmd.code, cmd.reason),
            context=ctx,
            request=cmd,
            ids=[cmd.code],
        )

    async def report(self, cmd: ReportValue, ctx: CommandContext) -> CommandResult:
        period = Period.parse(cmd.period)
        definition = await self._definition(cmd.indicator_code)
        unit = await self._unit(cmd.unit_code, period, ctx)
        async with self.pool.acquire() as conn:
            goals = await data.targets(conn, [definition.code], [unit.unit_id], period.year)
            threshold = await data.threshold(conn, definition.code)
        p = ctx.principal
        source = cmd.source or (p.partner or p.subject if p is not None else "metrics")
        command = values.ReportValue(
            definition, unit, period, cmd.value, source, cmd.comment, goals.get((definition.code, unit.unit_id)),
            threshold, datetime.datetime.now(datetime.UTC),
        )  # fmt: skip
        stream = values.value_stream(definition.code, unit.unit_id, period)
        checks = [_within(ctx, unit, period), _open(definition, unit, period)]
        return await self.executor.execute(
            values.REPORT, stream, command, context=ctx, request=cmd, ids=[stream], check=_all(checks)
        )

    async def report_batch(self, cmd: IndicatorValueBatch, ctx: CommandContext) -> BatchResult:
        """Every value its own :meth:`report`, with its own key and result (ADR 0046): whatever
        ``report`` checks, it checks for each item of a batch too."""

        def lane(item: IndicatorValueItem) -> tuple[str, str, str]:
            return (item.indicator_code, item.unit_code, item.period)

        return await each_item(
            "value",
            cmd.items,
            ctx,
            lambda item, own: self.report(_value(item), own),
            executor=self.executor,
            request=_value,
            lane=lane,
            path=_report_path,
        )

    async def set_target(self, cmd: SetTarget, ctx: CommandContext) -> CommandResult:
        period = Period.parse(str(cmd.year))
        definition = await self._definition(cmd.indicator_code)
        unit = await self._unit(cmd.unit_code, period, ctx)
        stream = values.target_stream(definition.code, unit.unit_id, cmd.year)
        return await self.executor.execute(
            values.TARGET,
            stream,
            values.SetTarget(definition, unit, cmd.year, cmd.target),
            context=ctx,
            request=cmd,
            ids=[stream],
            check=_within(ctx, unit, period),
        )

    async def set_threshold(self, cmd: SetThreshold, ctx: CommandContext) -> CommandResult:
        threshold = values.Threshold(cmd.operator, cmd.threshold, cmd.level, cmd.severity)
        return await self._threshold(cmd.indicator_code, threshold, cmd, ctx)

    async def remove_threshold(self, cmd: RemoveThreshold, ctx: CommandContext) -> CommandResult:
        return await self._threshold(cmd.indicator_code, None, cmd, ctx)

    async def _threshold(
        self, code: str, threshold: values.Threshold | None, cmd: object, ctx: CommandContext
    ) -> CommandResult:
        definition = await self._definition(code)
        return await self.executor.execute(
            thresholds.THRESHOLD,
            thresholds.threshold_stream(code),
            thresholds.SetThreshold(definition, threshold),
            context=ctx,
            request=cmd,
            ids=[code],
        )

    async def _definition(self, code: str) -> IndicatorDefinition:
        async with self.pool.acquire() as conn:
            return (await SHARED.current(conn)).get(code)

    async def _unit(self, unit_code: str, period: Period, ctx: CommandContext) -> values.UnitRef:
        """The unit holding ``unit_code`` in the period (404 ``unknown_unit`` if none; 403
        ``outside_own_unit`` to a caller confined to a unit)."""
        async with self.pool.acquire() as conn:
            found = (await data.units_by_code(conn, [unit_code], period.end, since=period.start)).get(unit_code)
        if found is None and ctx.unit_code is not None:
            # A caller confined to a unit does not learn which units exist outside it.
            raise outside_own_unit(f"a caller for unit {ctx.unit_code} may act only for the units under it",
                                   ctx.unit_code, unit_code=unit_code)  # fmt: skip
        if found is None:
            raise NotFoundError(
                f"no unit has the code {unit_code!r} on {period.end}",
                code="unknown_unit",
                details={"unit_code": unit_code},
            )
        return values.UnitRef(found.unit_id, found.code, found.level)


def _report_path(_: IndicatorValueItem) -> str:
    """The single command's path: an item is the request that path would have been."""
    return "/commands/values/report"


def _value(item: IndicatorValueItem) -> ReportValue:
    return ReportValue(
        indicator_code=item.indicator_code,
        unit_code=item.unit_code,
        period=item.period,
        value=item.value,
        source=item.source,
        comment=item.comment,
    )


def _open(definition: IndicatorDefinition, unit: values.UnitRef, period: Period) -> Check | None:
    """A reported value is refused while the approval of its indicator set (the catalogue's
    group) for the unit and period is locked. Read under the approval's shared lock, in the
    report's transaction: a province approval that locks it waits for this report, or this
    report reads the lock (``adapters.approvals``)."""
    if definition.method != "reported":
        return None  # refused as not reported, whatever its approval
    key = approval.ApprovalKey(definition.group, unit.unit_id, unit.code, str(period))
    stream = approval.approval_stream(key.indicator_set, key.unit_id, key.period)

    async def check(tx: Transaction) -> None:
        await approvals.hold_for_report(tx.conn, stream)
        state, _ = await tx.load(approval.APPROVAL, stream)
        approval.refuse_if_locked(state, key, definition.code)

    return check


def _all(checks: list[Check | None]) -> Check | None:
    """The checks given, one after the other in the command's transaction."""
    given = [c for c in checks if c is not None]
    if not given:
        return None

    async def check(tx: Transaction) -> None:
        for each in given:
            await each(tx)

    return check


def _within(ctx: CommandContext, unit: values.UnitRef, period: Period) -> Check | None:
    """A confined caller writes for its unit and the units under it, as the tree stands at the
    period's end; checked in the command's transaction (its group commit's, ADR 0064). ``None``
    for any other caller, who is not checked."""
    own = ctx.unit_code
    if own is None:
        return None

    async def check(tx: Transaction) -> None:
        await require_within(tx.conn, UnitTreeOn(period.end), own, [unit.unit_id])

    return check

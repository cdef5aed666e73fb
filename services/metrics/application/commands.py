"""Command handlers of the metrics service: define the catalogue, report values, set targets
and thresholds. Each resolves what it needs from the service's own read models (units from
the registry's events, the catalogue from its stream), checks who may write, then runs one
decider through the ``CommandExecutor``."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import asyncpg

from contracts.envelope import Metadata
from contracts.metrics_events import IndicatorDefinition
from libs.common.errors import NotFoundError, outside_own_unit
from libs.common.eventstore.commands import CommandExecutor, CommandResult
from libs.common.eventstore.idempotency import IdempotencyKey
from libs.common.principal import Principal
from services.metrics.adapters import indicator_data as data
from services.metrics.adapters.catalogue_reader import SHARED
from services.metrics.domain import catalogue, values
from services.metrics.domain.periods import Period

SEED_ACTOR = Metadata(actor="metrics:catalogue-seed")


class MetricsCommands:
    def __init__(self, executor: CommandExecutor) -> None:
        self.executor = executor
        self.pool: asyncpg.Pool = executor.pool

    async def define(
        self, definitions: Sequence[IndicatorDefinition], *, metadata: Metadata, idempotency: IdempotencyKey | None
    ) -> CommandResult:
        command = catalogue.DefineIndicators(list(definitions))
        return await self.executor.execute(
            catalogue.DECIDER, catalogue.STREAM, command, metadata=metadata, idempotency=idempotency
        )

    async def seed(self, definitions: Sequence[IndicatorDefinition]) -> CommandResult:
        """The shipped indicator set (``seed/indicators.py``, passed in by the caller: the
        application does not import seed data); appends nothing when it is there unchanged."""
        return await self.define(definitions, metadata=SEED_ACTOR, idempotency=None)

    async def retire(self, code: str, reason: str | None, *, metadata: Metadata) -> CommandResult:
        return await self.executor.execute(
            catalogue.DECIDER, catalogue.STREAM, catalogue.RetireIndicator(code, reason), metadata=metadata
        )

    async def _definition(self, code: str) -> IndicatorDefinition:
        async with self.pool.acquire() as conn:
            return (await SHARED.current(conn)).get(code)

    async def _unit(self, unit_code: str, period: Period, principal: Principal) -> values.UnitRef:
        day = period.end
        async with self.pool.acquire() as conn:
            found = (await data.units_by_code(conn, [unit_code], day, since=period.start)).get(unit_code)
            if found is None:
                raise NotFoundError(
                    f"no unit has the code {unit_code!r} on {day}",
                    code="unknown_unit",
                    details={"unit_code": unit_code},
                )
            if principal.unit_code is not None and not principal.is_admin:
                own = (await data.units_by_code(conn, [principal.unit_code], day)).get(principal.unit_code)
                if own is None or not await data.is_within(conn, found.unit_id, own.unit_id, day):
                    raise outside_own_unit(
                        f"{principal.subject} reports for {principal.unit_code} and its units only, not {unit_code}",
                        principal.unit_code,
                        unit_code=unit_code,
                    )
        return values.UnitRef(found.unit_id, found.code, found.level)

    async def report(  # noqa: PLR0917 - the fields of a report
        self,
        code: str,
        unit_code: str,
        period_text: str,
        value: float,
        source: str,
        comment: str | None,
        *,
        principal: Principal,
        metadata: Metadata,
        idempotency: IdempotencyKey | None,
    ) -> CommandResult:
        period = Period.parse(period_text)
        definition = await self._definition(code)
        unit = await self._unit(unit_code, period, principal)
        async with self.pool.acquire() as conn:
            goals = await data.targets(conn, [code], [unit.unit_id], period.year)
            threshold = await data.threshold(conn, code)
        command = values.ReportValue(
            definition, unit, period, value, source, comment, goals.get((code, unit.unit_id)), threshold,
            datetime.datetime.now(datetime.UTC),
        )  # fmt: skip
        return await self.executor.execute(
            values.REPORT,
            values.value_stream(code, unit.unit_id, period),
            command,
            metadata=metadata,
            idempotency=idempotency,
        )

    async def set_target(
        self,
        code: str,
        unit_code: str,
        year: int,
        target: float,
        *,
        principal: Principal,
        metadata: Metadata,
        idempotency: IdempotencyKey | None,
    ) -> CommandResult:
        period = Period.parse(str(year))
        definition = await self._definition(code)
        unit = await self._unit(unit_code, period, principal)
        return await self.executor.execute(
            values.TARGET,
            values.target_stream(code, unit.unit_id, year),
            values.SetTarget(definition, unit, year, target),
            metadata=metadata,
            idempotency=idempotency,
        )

    async def set_threshold(
        self, code: str, threshold: values.Threshold | None, *, metadata: Metadata
    ) -> CommandResult:
        definition = await self._definition(code)
        return await self.executor.execute(
            values.THRESHOLD,
            values.threshold_stream(code),
            values.SetThreshold(definition, threshold),
            metadata=metadata,
        )

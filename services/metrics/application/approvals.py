"""Data approval's commands and reads (ADR 0055): submit, approve at district or province level,
reopen; one approval, or those of a level's units under a parent (a district's communes).

Who the caller is to a unit (``roles_of``) follows the gateway's ownership rules: an
administrator may take any step; an operator's caller (``organisation``) none; a caller bound to
a unit acts for that unit and the units under it (403 ``outside_own_unit`` elsewhere), as their
district when its unit is a district and as the province when it is the province; a caller
bound to no unit is the province. The rule of which role takes which step is the domain's
(``domain.approval``).

Each step runs in one transaction that first takes the approval's exclusive lock
(``adapters.approvals``): a report of a value in the set holds the shared one while it reads
whether the approval is locked, so the two are ordered and a report never slips past a lock.
"""

from __future__ import annotations

import datetime

import asyncpg

from contracts.api.metrics import ApprovalStepName, ApprovalStepView, ApprovalView, ApproveData, ReopenData, SubmitData
from contracts.base import Event
from contracts.metrics_events import DataApproved, DataLocked, DataReopened, DataSubmitted
from libs.common.db import Conn
from libs.common.errors import InvalidInputError, NotFoundError, outside_own_unit
from libs.common.eventstore.commands import CommandExecutor, CommandResult, Transaction
from libs.common.eventstore.context import CommandContext
from services.metrics.adapters import approvals as store
from services.metrics.adapters import indicator_data as data
from services.metrics.adapters.catalogue_reader import SHARED
from services.metrics.adapters.indicator_data import UnitRow
from services.metrics.application.queries import LEVELS
from services.metrics.domain.approval import (
    APPROVAL,
    ApprovalCommand,
    ApprovalKey,
    Approve,
    Reopen,
    Role,
    Step,
    Submit,
    approval_stream,
)
from services.metrics.domain.periods import Period

SYSTEM_ACTOR = "metrics"
MAX_LISTED = 5000
"""The units one listing answers at most (a province has a few hundred communes)."""


def roles_of(ctx: CommandContext, line: list[UnitRow]) -> frozenset[Role]:
    """What the caller is to the unit ``line[0]``, whose units above it ``line`` lists."""
    p = ctx.principal
    if p is None or p.is_admin:
        return frozenset({"admin"})
    if p.organisation is not None:
        return frozenset()  # an operator reports figures; it does not vouch for a unit's
    if p.unit_code is None:
        return frozenset({"unit", "province"})
    mine = next((u for u in line if u.code == p.unit_code), None)
    if mine is None:
        raise outside_own_unit(
            f"a caller for unit {p.unit_code} may act only for the units under it", p.unit_code,
            unit_code=line[0].code,
        )  # fmt: skip
    roles: set[Role] = {"unit"}
    if mine.level == "district":
        roles.add("district")
    elif mine.level == "province":
        roles.add("province")
    return frozenset(roles)


async def indicator_sets(conn: Conn) -> set[str]:
    """The sets values are approved in: the catalogue's groups that have a reported indicator."""
    catalogue = await SHARED.current(conn)
    return {d.group for d in catalogue.indicators.values() if d.method == "reported"}


async def known_set(conn: Conn, indicator_set: str) -> str:
    sets = await indicator_sets(conn)
    if indicator_set not in sets:
        raise NotFoundError(
            f"no indicator set {indicator_set!r}: the sets are the catalogue's groups with reported indicators",
            code="unknown_indicator_set",
            details={"indicator_set": indicator_set, "known": sorted(sets)},
        )
    return indicator_set


async def unit_in(conn: Conn, unit_code: str, period: Period, ctx: CommandContext | None = None) -> UnitRow:
    found = (await data.units_by_code(conn, [unit_code], period.end, since=period.start)).get(unit_code)
    if found is None and ctx is not None and ctx.unit_code is not None:
        # A caller confined to a unit does not learn which units exist outside it.
        raise outside_own_unit(f"a caller for unit {ctx.unit_code} may act only for the units under it",
                               ctx.unit_code, unit_code=unit_code)  # fmt: skip
    if found is None:
        raise NotFoundError(
            f"no unit has the code {unit_code!r} in {period}", code="unknown_unit", details={"unit_code": unit_code}
        )
    return found


def _actor(ctx: CommandContext) -> str:
    return ctx.principal.subject if ctx.principal is not None else SYSTEM_ACTOR


class ApprovalCommands:
    def __init__(self, executor: CommandExecutor) -> None:
        self.executor = executor
        self.pool: asyncpg.Pool = executor.pool

    async def submit(self, cmd: SubmitData, ctx: CommandContext) -> CommandResult:
        now = datetime.datetime.now(datetime.UTC)
        return await self._step(cmd.indicator_set, cmd.unit_code, cmd.period, Submit(_actor(ctx), now), ctx, cmd)

    async def approve(self, cmd: ApproveData, ctx: CommandContext) -> CommandResult:
        step = Approve(cmd.level, _actor(ctx), datetime.datetime.now(datetime.UTC))
        return await self._step(cmd.indicator_set, cmd.unit_code, cmd.period, step, ctx, cmd)

    async def reopen(self, cmd: ReopenData, ctx: CommandContext) -> CommandResult:
        step = Reopen(cmd.reason, _actor(ctx), datetime.datetime.now(datetime.UTC))
        return await self._step(cmd.indicator_set, cmd.unit_code, cmd.period, step, ctx, cmd)

    async def _step(  # noqa: PLR0917 - the approval's key, the step and the request
        self, indicator_set: str, unit_code: str, period_text: str, step: Step, ctx: CommandContext, request: object
    ) -> CommandResult:
        period = Period.parse(period_text)
        async with self.pool.acquire() as conn:
            await known_set(conn, indicator_set)
            unit = await unit_in(conn, unit_code, period, ctx)
        key = ApprovalKey(indicator_set, unit.unit_id, unit.code, str(period))
        stream = approval_stream(indicator_set, unit.unit_id, str(period))

        async def work(tx: Transaction) -> str:
            await store.hold_for_step(tx.conn, stream)
            line = await store.line_above(tx.conn, unit.unit_id, period.end)
            roles = roles_of(tx.context, line)
            if not any(u.level == "district" for u in line):
                raise InvalidInputError(
                    f"{unit.code} is a {unit.level} with no district above it: its values are not approved "
                    "level by level",
                    code="approval_needs_district",
                    details={"unit_code": unit.code, "level": unit.level},
                )
            state, version = await tx.load(APPROVAL, stream)
            await tx.append(APPROVAL, stream, version, APPROVAL.decide(ApprovalCommand(key, step, roles), state))
            return stream

        return await self.executor.run(work, context=ctx, request=request, ids=[stream])


def _steps(events: list[Event]) -> list[ApprovalStepView]:
    steps: list[ApprovalStepView] = []
    for event in events:
        match event:
            case DataSubmitted():
                steps.append(ApprovalStepView(step="submitted", by=event.submitted_by, at=event.submitted_at))
            case DataApproved():
                name: ApprovalStepName = "district_approved" if event.level == "district" else "province_approved"
                steps.append(ApprovalStepView(step=name, by=event.approved_by, at=event.approved_at))
            case DataLocked():
                steps.append(ApprovalStepView(step="locked", by=None, at=event.locked_at))
            case DataReopened():
                steps.append(
                    ApprovalStepView(step="reopened", by=event.reopened_by, at=event.reopened_at, reason=event.reason)
                )
    return steps


class ApprovalReads:
    """Approvals read from their streams: one per key, so what a step appended shows at once."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def _views(self, conn: Conn, indicator_set: str, units: list[UnitRow], period: Period) -> list[ApprovalView]:
        streams = {u.unit_id: approval_stream(indicator_set, u.unit_id, str(period)) for u in units}
        loaded = await store.load_many(conn, list(streams.values()))
        views = []
        for unit in units:
            events = store.decoded(loaded.get(streams[unit.unit_id], []))
            views.append(
                ApprovalView(
                    indicator_set=indicator_set, unit_id=unit.unit_id, unit_code=unit.code, unit_name=unit.name,
                    period=str(period), status=APPROVAL.fold(events).status, steps=_steps(events),
                )
            )  # fmt: skip
        return views

    async def approval(self, indicator_set: str, unit_code: str, period: Period) -> ApprovalView:
        async with self.pool.acquire() as conn:
            await known_set(conn, indicator_set)
            unit = await unit_in(conn, unit_code, period)
            [view] = await self._views(conn, indicator_set, [unit], period)
            return view

    async def under(
        self, indicator_set: str, period: Period, level: str, parent_code: str | None
    ) -> list[ApprovalView]:
        """The approvals of the units of ``level`` under ``parent_code`` (anywhere without it), by code."""
        if level not in LEVELS:
            raise InvalidInputError(f"level is one of {', '.join(LEVELS)}", code="invalid_level")
        async with self.pool.acquire() as conn:
            await known_set(conn, indicator_set)
            parent_id = None
            if parent_code is not None:
                parent_id = (await unit_in(conn, parent_code, period)).unit_id
            units = await data.units_at_level(conn, parent_id, level, period.end)
            if len(units) > MAX_LISTED:
                raise InvalidInputError("too many units in one request; narrow it", code="too_many_values")
            return await self._views(conn, indicator_set, units, period)

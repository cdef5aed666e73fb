"""Broadcast schedules: a station's weekly slots and its exceptions for a day. One handler per command.

Who may edit a station's schedule is decided here, in the command's transaction, by the rule the
station's relay sessions follow: a caller confined to a unit (a district centre, a commune) edits
the schedules of the stations of its unit and the units under it; the province's callers and
admins, any. An operator's caller (``organisation``) runs networks, not programming, and edits
none (``operator_cannot_edit_schedule``). A decommissioned station's schedule takes no change.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from contracts.api.broadcast import (
    CancelScheduleSlotBody,
    RemoveScheduleSlotBody,
    ScheduleDaySlotBody,
    ScheduleSlotBody,
)
from libs.common.errors import ConflictError, ForbiddenError, NotFoundError
from libs.common.eventstore.commands import CommandExecutor, CommandResult, Transaction
from libs.common.eventstore.context import CommandContext
from services.broadcast.adapters import registry_view
from services.broadcast.adapters.registry_view import StationRow
from services.broadcast.application.units import within_reach
from services.broadcast.domain.period import province_today
from services.broadcast.domain.schedules import (
    SCHEDULE,
    AddSlot,
    CancelSlotOn,
    RemoveSlot,
    ScheduleCommand,
    schedule_stream,
)


class AddScheduleSlotInput(msgspec.Struct, frozen=True, kw_only=True):
    station_id: str
    body: ScheduleSlotBody


class AddScheduleDaySlotInput(msgspec.Struct, frozen=True, kw_only=True):
    station_id: str
    body: ScheduleDaySlotBody


class RemoveScheduleSlotInput(msgspec.Struct, frozen=True, kw_only=True):
    station_id: str
    slot_id: str
    body: RemoveScheduleSlotBody


class CancelScheduleSlotInput(msgspec.Struct, frozen=True, kw_only=True):
    station_id: str
    slot_id: str
    body: CancelScheduleSlotBody


_Make = Callable[[StationRow], ScheduleCommand]
"""The domain command, once the station is known."""


async def _editable_station(tx: Transaction, station_id: str) -> StationRow:
    if tx.context.organisation is not None:
        raise ForbiddenError("an operator does not edit broadcast schedules", code="operator_cannot_edit_schedule")
    station = (await registry_view.stations(tx.conn, [station_id])).get(station_id)
    if station is None:
        raise NotFoundError("unknown radio station", code="unknown_station", details={"station_ids": [station_id]})
    await within_reach(tx, [station.unit_id])
    if station.status == "DECOMMISSIONED":
        raise ConflictError("the radio station is decommissioned", code="station_decommissioned",
                            details={"station_ids": [station_id]})  # fmt: skip
    return station


class ScheduleHandlers:
    def __init__(self, executor: CommandExecutor) -> None:
        self.executor = executor

    async def _decide(
        self, station_id: str, ctx: CommandContext, request: object, slot_id: str, make: _Make
    ) -> CommandResult:
        async def work(tx: Transaction) -> str:
            station = await _editable_station(tx, station_id)
            stream = schedule_stream(station_id)
            schedule, version = await tx.load(SCHEDULE, stream)
            await tx.append(SCHEDULE, stream, version, SCHEDULE.decide(make(station), schedule))
            return stream

        return await self.executor.run(work, context=ctx, request=request, ids=[slot_id])

    async def add_slot(self, cmd: AddScheduleSlotInput, ctx: CommandContext) -> CommandResult:
        slot_id, body = ctx.new_ids(1)[0], cmd.body

        def make(station: StationRow) -> ScheduleCommand:
            return AddSlot(
                slot_id=slot_id, station_id=station.station_id, unit_code=station.unit_code, kind=body.kind,
                source=body.source, starts=body.starts, ends=body.ends, weekday=body.weekday,
                valid_from=body.valid_from or province_today(), title=body.title,
            )  # fmt: skip

        return await self._decide(cmd.station_id, ctx, cmd, slot_id, make)

    async def add_day_slot(self, cmd: AddScheduleDaySlotInput, ctx: CommandContext) -> CommandResult:
        slot_id, body = ctx.new_ids(1)[0], cmd.body

        def make(station: StationRow) -> ScheduleCommand:
            return AddSlot(
                slot_id=slot_id, station_id=station.station_id, unit_code=station.unit_code, kind=body.kind,
                source=body.source, starts=body.starts, ends=body.ends, on=body.on, title=body.title,
                reason=body.reason,
            )  # fmt: skip

        return await self._decide(cmd.station_id, ctx, cmd, slot_id, make)

    async def remove_slot(self, cmd: RemoveScheduleSlotInput, ctx: CommandContext) -> CommandResult:
        valid_from = cmd.body.valid_from or province_today()
        command = RemoveSlot(slot_id=cmd.slot_id, valid_from=valid_from, reason=cmd.body.reason)
        return await self._decide(cmd.station_id, ctx, cmd, cmd.slot_id, lambda _: command)

    async def cancel_slot_on(self, cmd: CancelScheduleSlotInput, ctx: CommandContext) -> CommandResult:
        command = CancelSlotOn(slot_id=cmd.slot_id, on=cmd.body.on, reason=cmd.body.reason)
        return await self._decide(cmd.station_id, ctx, cmd, cmd.slot_id, lambda _: command)

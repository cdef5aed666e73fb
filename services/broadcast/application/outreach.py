"""Mobile outreach sessions and loudspeaker-vehicle trips: one handler per command."""

from __future__ import annotations

from collections.abc import Callable

from contracts.api.broadcast import RecordOutreachSessionBody, RecordVehicleTripBody
from libs.common.eventstore.commands import CommandExecutor, CommandResult, Transaction
from libs.common.eventstore.context import CommandContext
from services.broadcast.application.units import known_unit
from services.broadcast.domain.outreach import (
    OUTREACH,
    Outreach,
    OutreachCommand,
    RecordSession,
    RecordTrip,
    outreach_stream,
)
from services.broadcast.domain.period import province_today


class OutreachHandlers:
    def __init__(self, executor: CommandExecutor) -> None:
        self.executor = executor

    async def record_session(self, cmd: RecordOutreachSessionBody, ctx: CommandContext) -> CommandResult:
        def build(outreach_id: str, code: str) -> OutreachCommand:
            return RecordSession(
                outreach_id=outreach_id,
                unit_code=code,
                held_on=cmd.held_on,
                today=province_today(),
                topic=cmd.topic,
                audience=cmd.audience,
            )

        return await self._record(cmd, cmd.unit_code, build, ctx)

    async def record_trip(self, cmd: RecordVehicleTripBody, ctx: CommandContext) -> CommandResult:
        def build(outreach_id: str, code: str) -> OutreachCommand:
            return RecordTrip(
                outreach_id=outreach_id,
                unit_code=code,
                made_on=cmd.made_on,
                today=province_today(),
                route=cmd.route,
                distance_km=cmd.distance_km,
            )

        return await self._record(cmd, cmd.unit_code, build, ctx)

    async def _record(
        self, cmd: object, unit_code: str, build: Callable[[str, str], OutreachCommand], ctx: CommandContext
    ) -> CommandResult:
        [outreach_id] = ctx.new_ids()

        async def work(tx: Transaction) -> str:
            unit = await known_unit(tx, unit_code)
            stream = outreach_stream(outreach_id)
            await tx.append(OUTREACH, stream, 0, OUTREACH.decide(build(outreach_id, unit.code), Outreach()))
            return stream

        return await self.executor.run(work, context=ctx, request=cmd, ids=[outreach_id])

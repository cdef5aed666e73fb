"""Mobile outreach sessions and loudspeaker-vehicle trips."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import msgspec

from libs.common.eventstore.commands import Transaction
from services.broadcast.application.access import require_units_within_reach, unit_by_code
from services.broadcast.application.base import Accepted, Caller, Commands, new_id
from services.broadcast.domain.outreach import (
    OUTREACH,
    Outreach,
    OutreachCommand,
    RecordSession,
    RecordTrip,
    outreach_stream,
)
from services.broadcast.domain.period import province_today


class RecordOutreachSessionInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    unit_code: str
    held_on: datetime.date
    topic: str | None = None
    audience: int | None = None


class RecordVehicleTripInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    unit_code: str
    made_on: datetime.date
    route: str | None = None
    distance_km: float | None = None


class OutreachCommands(Commands):
    async def _record(self, unit_code: str, build: Callable[[str, str], OutreachCommand], caller: Caller) -> Accepted:
        outreach_id = new_id(caller)

        async def work(tx: Transaction) -> str:
            unit = await unit_by_code(tx.conn, unit_code)
            await require_units_within_reach(tx.conn, caller.principal, [unit.unit_id])
            stream = outreach_stream(outreach_id)
            await tx.append(OUTREACH, stream, 0, OUTREACH.decide(build(outreach_id, unit.code), Outreach()))
            return stream

        return Accepted(ids=[outreach_id], result=await self._run(work, caller))

    async def record_session(self, data: RecordOutreachSessionInput, caller: Caller) -> Accepted:
        def build(outreach_id: str, code: str) -> OutreachCommand:
            return RecordSession(
                outreach_id=outreach_id,
                unit_code=code,
                held_on=data.held_on,
                today=province_today(),
                topic=data.topic,
                audience=data.audience,
            )

        return await self._record(data.unit_code, build, caller)

    async def record_trip(self, data: RecordVehicleTripInput, caller: Caller) -> Accepted:
        def build(outreach_id: str, code: str) -> OutreachCommand:
            return RecordTrip(
                outreach_id=outreach_id,
                unit_code=code,
                made_on=data.made_on,
                today=province_today(),
                route=data.route,
                distance_km=data.distance_km,
            )

        return await self._record(data.unit_code, build, caller)

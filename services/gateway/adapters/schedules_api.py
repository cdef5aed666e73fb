"""The broadcast service's schedule routes the gateway uses (ADR 0053), one function per route:
the editing commands, a station's schedule and a unit's airtime against the schedule."""

from __future__ import annotations

import datetime

from contracts.api.broadcast import (
    CancelScheduleSlotBody,
    RemoveScheduleSlotBody,
    ScheduleDaySlotBody,
    ScheduleSlotBody,
)
from contracts.api.broadcast_schedules import StationSchedule, UnitScheduleAdherence
from libs.common.eventstore.results import CommandResult
from services.gateway.adapters.internal import ServiceCaller

B = "broadcast"


def _schedule(station_id: str) -> str:
    return f"/commands/stations/{station_id}/schedule"


async def add_slot(caller: ServiceCaller, station_id: str, body: ScheduleSlotBody, key: str | None) -> CommandResult:
    return await caller.post(B, f"{_schedule(station_id)}/slots", body, CommandResult, idempotency_key=key)


async def add_day_slot(
    caller: ServiceCaller, station_id: str, body: ScheduleDaySlotBody, key: str | None
) -> CommandResult:
    return await caller.post(B, f"{_schedule(station_id)}/day-slots", body, CommandResult, idempotency_key=key)


async def remove_slot(
    caller: ServiceCaller, station_id: str, slot_id: str, body: RemoveScheduleSlotBody, key: str | None
) -> CommandResult:
    path = f"{_schedule(station_id)}/slots/{slot_id}/remove"
    return await caller.post(B, path, body, CommandResult, idempotency_key=key)


async def cancel_slot_on(
    caller: ServiceCaller, station_id: str, slot_id: str, body: CancelScheduleSlotBody, key: str | None
) -> CommandResult:
    path = f"{_schedule(station_id)}/slots/{slot_id}/cancel"
    return await caller.post(B, path, body, CommandResult, idempotency_key=key)


async def station_schedule(caller: ServiceCaller, station_id: str, period: str) -> StationSchedule:
    return await caller.get(B, f"/stations/{station_id}/schedule", {"period": period}, StationSchedule)


async def unit_adherence(
    caller: ServiceCaller, unit_code: str, period: str, as_of: datetime.date | None = None
) -> UnitScheduleAdherence:
    path = f"/schedule-adherence/units/{unit_code}"
    params = {"period": period} | ({"as_of": as_of.isoformat()} if as_of else {})
    return await caller.get(B, path, params, UnitScheduleAdherence)

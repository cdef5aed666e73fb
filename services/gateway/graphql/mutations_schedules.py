# mypy: disallow-untyped-decorators=False
"""Schedule mutations (ADR 0053): a weekly slot added or removed, a slot added or cancelled for a day.

Each is the broadcast service's command of the same name, made as the caller: the service decides
the scope (``broadcast:write``) and whose stations' schedules the caller edits (a district centre
or commune its own, an operator none). The answer is the station's schedule for the month of the
day the change takes effect, read back once the service's read model shows the change.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.types import Info

from contracts.api.broadcast import (
    CancelScheduleSlotBody,
    RemoveScheduleSlotBody,
    ScheduleDaySlotBody,
    ScheduleSlotBody,
)
from contracts.api.broadcast_schedules import StationSchedule as StationScheduleView
from contracts.province import PROVINCE_TZ
from services.gateway.adapters import schedules_api
from services.gateway.adapters.internal import ServiceCaller
from services.gateway.graphql.context import context_of
from services.gateway.graphql.ids import raw_id
from services.gateway.graphql.inputs_schedules import (
    AddScheduleDaySlotInput,
    AddScheduleSlotInput,
    CancelScheduleSlotOnInput,
    RemoveScheduleSlotInput,
)
from services.gateway.graphql.read_back import read_back
from services.gateway.graphql.types_schedules import StationSchedule

Ctx = Info[Any, Any]
STATION = "RadioStation"


def _month(day: datetime.date | None) -> str:
    day = day or datetime.datetime.now(PROVINCE_TZ).date()
    return f"{day.year}-{day.month:02d}"


async def _schedule_once(
    caller: ServiceCaller, station_id: str, period: str, shows: Callable[[StationScheduleView], bool]
) -> StationSchedule:
    """The schedule as the writer sees it, once its read model shows what the command changed; a
    read model still behind at the deadline answers the schedule as it shows it, with a warning."""

    async def fetch() -> StationSchedule | None:
        found = await schedules_api.station_schedule(caller, station_id, period)
        return StationSchedule.of(found) if shows(found) else None

    async def as_shown() -> StationSchedule | None:
        return StationSchedule.of(await schedules_api.station_schedule(caller, station_id, period))

    return await read_back(caller, fetch, f"schedule of station {station_id}", reads=None, accepted=as_shown)


def _has(slot_id: str) -> Callable[[StationScheduleView], bool]:
    return lambda schedule: any(s.slot_id == slot_id for s in schedule.slots)


@strawberry.type
class ScheduleMutation:
    @strawberry.mutation(description="Add a weekly slot to a station's broadcast schedule (broadcast).")
    async def add_schedule_slot(self, info: Ctx, input: AddScheduleSlotInput) -> StationSchedule:
        caller = context_of(info).writer()
        station_id = raw_id(input.station_id, STATION, "stationId")
        body = ScheduleSlotBody(
            weekday=input.weekday, starts=input.starts, ends=input.ends, kind=input.kind.value,
            source=input.source.value if input.source else None, valid_from=input.valid_from, title=input.title,
        )  # fmt: skip
        result = await schedules_api.add_slot(caller, station_id, body, input.idempotency_key)
        return await _schedule_once(caller, station_id, _month(input.valid_from), _has(result.ids[0]))

    @strawberry.mutation(description="Add a slot to a station's schedule for one day (broadcast).")
    async def add_schedule_day_slot(self, info: Ctx, input: AddScheduleDaySlotInput) -> StationSchedule:
        caller = context_of(info).writer()
        station_id = raw_id(input.station_id, STATION, "stationId")
        body = ScheduleDaySlotBody(
            on=input.on, starts=input.starts, ends=input.ends, kind=input.kind.value,
            source=input.source.value if input.source else None, title=input.title, reason=input.reason,
        )  # fmt: skip
        result = await schedules_api.add_day_slot(caller, station_id, body, input.idempotency_key)
        return await _schedule_once(caller, station_id, _month(input.on), _has(result.ids[0]))

    @strawberry.mutation(description="Remove a slot from a station's schedule from a day on (broadcast).")
    async def remove_schedule_slot(self, info: Ctx, input: RemoveScheduleSlotInput) -> StationSchedule:
        caller = context_of(info).writer()
        station_id = raw_id(input.station_id, STATION, "stationId")
        body = RemoveScheduleSlotBody(valid_from=input.valid_from, reason=input.reason)
        await schedules_api.remove_slot(caller, station_id, input.slot_id, body, input.idempotency_key)

        def removed(schedule: StationScheduleView) -> bool:
            return all(s.slot_id != input.slot_id or s.valid_until is not None for s in schedule.slots)

        return await _schedule_once(caller, station_id, _month(input.valid_from), removed)

    @strawberry.mutation(description="Cancel a slot of a station's schedule on one day (broadcast).")
    async def cancel_schedule_slot_on(self, info: Ctx, input: CancelScheduleSlotOnInput) -> StationSchedule:
        caller = context_of(info).writer()
        station_id = raw_id(input.station_id, STATION, "stationId")
        body = CancelScheduleSlotBody(on=input.on, reason=input.reason)
        await schedules_api.cancel_slot_on(caller, station_id, input.slot_id, body, input.idempotency_key)

        def cancelled(schedule: StationScheduleView) -> bool:
            return any(s.slot_id == input.slot_id and input.on in s.cancelled_on for s in schedule.slots)

        return await _schedule_once(caller, station_id, _month(input.on), cancelled)

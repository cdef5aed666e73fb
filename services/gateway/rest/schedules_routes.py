"""/api/v1 routes that edit broadcast schedules (ADR 0053): a weekly slot added or removed, a slot
added or cancelled for one day. A station's schedule and a unit's airtime against the schedule are
the area's reads (``reads/schedules.py``), registered with these in one router.

Bodies are the broadcast service's own (``contracts.api.broadcast``); a command answers the
service's ``CommandResult`` (the slot's id) and takes an ``Idempotency-Key``. The service decides
scope and whose stations' schedules the caller edits.
"""

from __future__ import annotations

from litestar import Controller, post
from litestar.params import FromPath, JSONBody

from contracts.api.broadcast import (
    CancelScheduleSlotBody,
    RemoveScheduleSlotBody,
    ScheduleDaySlotBody,
    ScheduleSlotBody,
)
from libs.common.eventstore.results import CommandResult
from services.gateway.adapters import schedules_api
from services.gateway.rest.callers import WRITER, Caller, idempotency_key
from services.gateway.rest.routes import Req

ID = FromPath[str]


class ScheduleRoutes(Controller):
    path = "/broadcast-schedules"
    tags = ["broadcast schedules"]  # noqa: RUF012 - Litestar declares it as an instance attribute

    @post("/{station_id:str}/slots", operation_id="addScheduleSlot", dependencies=WRITER,
          summary="Add a weekly slot to a station's schedule")  # fmt: skip
    async def add_slot(
        self, request: Req, caller: Caller, station_id: ID, data: JSONBody[ScheduleSlotBody]
    ) -> CommandResult:
        """Needs ``broadcast:write`` and the station in the caller's unit; overlapping slots are refused
        (409 ``schedule_overlap``)."""
        return await schedules_api.add_slot(caller, station_id, data, idempotency_key(request))

    @post("/{station_id:str}/day-slots", operation_id="addScheduleDaySlot", dependencies=WRITER,
          summary="Add a slot to a station's schedule for one day")  # fmt: skip
    async def add_day_slot(
        self, request: Req, caller: Caller, station_id: ID, data: JSONBody[ScheduleDaySlotBody]
    ) -> CommandResult:
        return await schedules_api.add_day_slot(caller, station_id, data, idempotency_key(request))

    @post("/{station_id:str}/slots/{slot_id:str}/remove", operation_id="removeScheduleSlot", dependencies=WRITER,
          summary="Remove a slot from a station's schedule from a day on")  # fmt: skip
    async def remove_slot(
        self, request: Req, caller: Caller, station_id: ID, slot_id: ID, data: JSONBody[RemoveScheduleSlotBody]
    ) -> CommandResult:
        return await schedules_api.remove_slot(caller, station_id, slot_id, data, idempotency_key(request))

    @post("/{station_id:str}/slots/{slot_id:str}/cancel", operation_id="cancelScheduleSlotOn", dependencies=WRITER,
          summary="Cancel a slot of a station's schedule on one day")  # fmt: skip
    async def cancel_slot_on(
        self, request: Req, caller: Caller, station_id: ID, slot_id: ID, data: JSONBody[CancelScheduleSlotBody]
    ) -> CommandResult:
        return await schedules_api.cancel_slot_on(caller, station_id, slot_id, data, idempotency_key(request))

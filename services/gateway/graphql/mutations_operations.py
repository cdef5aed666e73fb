# mypy: disallow-untyped-decorators=False
"""Mutations on a station's relay log and a unit's outreach: a relay session cancelled, a mobile
information session or a loudspeaker-vehicle trip recorded.

Each is the broadcast service's command of the same name, made as the caller
(``broadcast:write``, within the caller's unit, which the service checks); the answer is read
back once the service's read model shows it.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from contracts.api.broadcast import ReasonBody, RecordOutreachSessionBody, RecordVehicleTripBody
from services.gateway.adapters import broadcast_api
from services.gateway.adapters.internal import ServiceCaller
from services.gateway.graphql.context import context_of
from services.gateway.graphql.ids import raw_id
from services.gateway.graphql.inputs_operations import (
    CancelRelaySessionInput,
    RecordOutreachSessionInput,
    RecordVehicleTripInput,
)
from services.gateway.graphql.read_back import read_back
from services.gateway.graphql.types_operations import OutreachRecord, RelaySession

Ctx = Info[Any, Any]


async def _outreach(caller: ServiceCaller, outreach_id: str) -> OutreachRecord:
    async def fetch() -> OutreachRecord | None:
        found = await broadcast_api.outreach_by_ids(caller, [outreach_id])
        return OutreachRecord.of(found[0]) if found else None

    return await read_back(caller, fetch, f"outreach record {outreach_id}", reads=broadcast_api.OPERATIONS_READ_MODEL)


@strawberry.type
class OperationsMutation:
    @strawberry.mutation(description="Cancel a relay session logged in error (broadcast).")
    async def cancel_relay_session(self, info: Ctx, input: CancelRelaySessionInput) -> RelaySession:
        caller = context_of(info).writer()
        session_id = raw_id(input.session_id, "RelaySession", "sessionId")
        await broadcast_api.cancel_relay(caller, session_id, ReasonBody(reason=input.reason), input.idempotency_key)

        async def current() -> RelaySession | None:
            found = await broadcast_api.relay_sessions_by_ids(caller, [session_id])
            return RelaySession.of(found[0]) if found else None

        async def fetch() -> RelaySession | None:
            shown = await current()
            return shown if shown is not None and shown.view.cancelled else None

        return await read_back(
            caller, fetch, f"relay session {session_id}", reads=broadcast_api.AIRTIME_READ_MODEL, accepted=current
        )

    @strawberry.mutation(description="Record a mobile information session held in a unit (broadcast).")
    async def record_outreach_session(self, info: Ctx, input: RecordOutreachSessionInput) -> OutreachRecord:
        caller = context_of(info).writer()
        body = RecordOutreachSessionBody(
            unit_code=input.unit_code, held_on=input.held_on, topic=input.topic, audience=input.audience
        )
        result = await broadcast_api.record_outreach_session(caller, body, input.idempotency_key)
        return await _outreach(caller, result.ids[0])

    @strawberry.mutation(description="Record a loudspeaker-vehicle trip made in a unit (broadcast).")
    async def record_vehicle_trip(self, info: Ctx, input: RecordVehicleTripInput) -> OutreachRecord:
        caller = context_of(info).writer()
        body = RecordVehicleTripBody(
            unit_code=input.unit_code, made_on=input.made_on, route=input.route, distance_km=input.distance_km
        )
        result = await broadcast_api.record_vehicle_trip(caller, body, input.idempotency_key)
        return await _outreach(caller, result.ids[0])

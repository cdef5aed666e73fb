# mypy: disallow-untyped-decorators=False
"""Programme mutations beyond recording one: corrected, submitted, approved or rejected, sent
to stations, and each delivery received, aired or failed at its station.

Each is the broadcast service's command of the same name, made as the caller (``broadcast:write``;
approving and rejecting: ``broadcast:approve``, ADR 0052; a district centre acts only for its
district's programmes and stations, which the service checks). The answer is read back from the
service's read model once it shows the change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.types import Info

from contracts.api.broadcast import (
    ApproveProgrammeBody,
    CorrectProgrammeBody,
    DeliveryStepBody,
    RejectProgrammeBody,
    SendProgrammeBody,
    SubmitProgrammeBody,
)
from contracts.api.broadcast_views import DeliveryView, ProgrammeView
from services.gateway.adapters import broadcast_api
from services.gateway.adapters.broadcast_api import ApprovalStep, DeliveryStep
from services.gateway.adapters.internal import ServiceCaller
from services.gateway.graphql.context import context_of
from services.gateway.graphql.ids import raw_id
from services.gateway.graphql.inputs_operations import (
    AirDeliveryInput,
    ApproveProgrammeInput,
    CorrectProgrammeInput,
    DeliveryStepInput,
    FailDeliveryInput,
    ReceiveDeliveryInput,
    RejectProgrammeInput,
    SendProgrammeInput,
    SubmitProgrammeInput,
)
from services.gateway.graphql.read_back import read_back
from services.gateway.graphql.types_broadcast import Delivery, Programme

Ctx = Info[Any, Any]

STATUS_AFTER: dict[DeliveryStep, str] = {"receive": "received", "air": "aired", "fail": "failed"}
APPROVAL_AFTER: dict[ApprovalStep, str] = {"submit": "submitted", "approve": "approved", "reject": "rejected"}


async def _programme(caller: ServiceCaller, programme_id: str, shows: Callable[[ProgrammeView], bool]) -> Programme:
    async def current() -> Programme | None:
        found = await broadcast_api.programmes_by_ids(caller, [programme_id])
        return Programme.of(found[0]) if found else None

    async def fetch() -> Programme | None:
        shown = await current()
        return shown if shown is not None and shows(shown.view) else None

    return await read_back(
        caller, fetch, f"programme {programme_id}", reads=broadcast_api.OPERATIONS_READ_MODEL, accepted=current
    )


def _corrected(input: CorrectProgrammeInput) -> Callable[[ProgrammeView], bool]:
    """The read model shows a correction once it holds every value the input changes."""
    wanted = {
        "title": input.title,
        "air_date": input.air_date,
        "duration_seconds": input.duration_seconds,
        "news_items": input.news_items,
        "articles": input.articles,
        "segments": input.segments,
        "priority": input.priority.value if input.priority is not None else None,
    }
    given = {k: v for k, v in wanted.items() if v is not None}
    return lambda view: view.corrections > 0 and all(getattr(view, k) == v for k, v in given.items())


async def _approval(
    info: Ctx, step: ApprovalStep, input: SubmitProgrammeInput | ApproveProgrammeInput | RejectProgrammeInput
) -> Programme:
    caller = context_of(info).writer()
    programme_id = raw_id(input.programme_id, "Programme", "programmeId")
    body: SubmitProgrammeBody | ApproveProgrammeBody | RejectProgrammeBody
    if isinstance(input, RejectProgrammeInput):
        body = RejectProgrammeBody(reason=input.reason)
    elif isinstance(input, ApproveProgrammeInput):
        body = ApproveProgrammeBody(note=input.note)
    else:
        body = SubmitProgrammeBody(note=input.note)
    await broadcast_api.programme_approval(caller, step, programme_id, body, input.idempotency_key)
    return await _programme(caller, programme_id, lambda view: view.approval == APPROVAL_AFTER[step])


async def _step(info: Ctx, step: DeliveryStep, input: DeliveryStepInput) -> Delivery:
    caller = context_of(info).writer()
    programme_id = raw_id(input.programme_id, "Programme", "programmeId")
    station_id = raw_id(input.station_id, "RadioStation", "stationId")
    body = DeliveryStepBody(
        at=input.at,
        reason=input.reason if isinstance(input, FailDeliveryInput) else None,
        content_hash=input.content_hash if isinstance(input, ReceiveDeliveryInput) else None,
    )
    await broadcast_api.delivery_step(caller, step, programme_id, station_id, body, input.idempotency_key)

    async def fetch() -> Delivery | None:
        found: list[DeliveryView] = (await broadcast_api.deliveries(caller, [programme_id])).get(programme_id, [])
        shown = [d for d in found if d.station_id == station_id and d.status == STATUS_AFTER[step]]
        return Delivery.of(shown[0]) if shown else None

    return await read_back(
        caller, fetch, f"delivery of {programme_id} to {station_id}", reads=broadcast_api.OPERATIONS_READ_MODEL
    )


@strawberry.type
class ProgrammeMutation:
    @strawberry.mutation(description="Correct a recorded programme; fields left out keep their value (broadcast).")
    async def correct_programme(self, info: Ctx, input: CorrectProgrammeInput) -> Programme:
        caller = context_of(info).writer()
        programme_id = raw_id(input.programme_id, "Programme", "programmeId")
        body = CorrectProgrammeBody(
            reason=input.reason,
            title=input.title,
            air_date=input.air_date,
            duration_seconds=input.duration_seconds,
            news_items=input.news_items,
            articles=input.articles,
            segments=input.segments,
            priority=input.priority.value if input.priority is not None else None,
        )
        await broadcast_api.correct_programme(caller, programme_id, body, input.idempotency_key)
        return await _programme(caller, programme_id, _corrected(input))

    @strawberry.mutation(description="Submit a programme's content for approval (broadcast).")
    async def submit_programme(self, info: Ctx, input: SubmitProgrammeInput) -> Programme:
        return await _approval(info, "submit", input)

    @strawberry.mutation(
        description="Approve a programme's submitted content (broadcast:approve: an approver of the producer's "
        "unit, or the province's)."
    )
    async def approve_programme(self, info: Ctx, input: ApproveProgrammeInput) -> Programme:
        return await _approval(info, "approve", input)

    @strawberry.mutation(description="Reject a programme's submitted content with a reason (broadcast:approve).")
    async def reject_programme(self, info: Ctx, input: RejectProgrammeInput) -> Programme:
        return await _approval(info, "reject", input)

    @strawberry.mutation(
        description="Send approved content to commune stations, each to air it by dueAt (broadcast); "
        "each delivery carries the programme's priority."
    )
    async def send_programme(self, info: Ctx, input: SendProgrammeInput) -> Programme:
        caller = context_of(info).writer()
        programme_id = raw_id(input.programme_id, "Programme", "programmeId")
        stations = [raw_id(s, "RadioStation", "stationIds") for s in input.station_ids]
        body = SendProgrammeBody(station_ids=stations, due_at=input.due_at, sent_at=input.sent_at)
        await broadcast_api.send_programme(caller, programme_id, body, input.idempotency_key)

        async def fetch() -> Programme | None:
            delivered = (await broadcast_api.deliveries(caller, [programme_id])).get(programme_id, [])
            if not set(stations) <= {d.station_id for d in delivered}:
                return None
            found = await broadcast_api.programmes_by_ids(caller, [programme_id])
            return Programme.of(found[0]) if found else None

        async def current() -> Programme | None:
            found = await broadcast_api.programmes_by_ids(caller, [programme_id])
            return Programme.of(found[0]) if found else None

        return await read_back(
            caller,
            fetch,
            f"programme {programme_id}'s deliveries",
            reads=broadcast_api.OPERATIONS_READ_MODEL,
            accepted=current,
        )

    @strawberry.mutation(description="A station received a programme it was sent (broadcast).")
    async def receive_delivery(self, info: Ctx, input: ReceiveDeliveryInput) -> Delivery:
        return await _step(info, "receive", input)

    @strawberry.mutation(description="A station aired a programme it was sent (broadcast).")
    async def air_delivery(self, info: Ctx, input: AirDeliveryInput) -> Delivery:
        return await _step(info, "air", input)

    @strawberry.mutation(description="A programme could not be delivered or aired at a station; give the reason.")
    async def fail_delivery(self, info: Ctx, input: FailDeliveryInput) -> Delivery:
        return await _step(info, "fail", input)

"""Typed inputs of the schedule mutations (the service's bodies, in the contract's names; ADR 0053)."""

from __future__ import annotations

import datetime

import strawberry

from services.gateway.graphql.inputs import KEY_HELP
from services.gateway.graphql.scalars import RelaySource
from services.gateway.graphql.types_schedules import ScheduleSlotKind

TIME_HELP = "HH:MM on the province's clock; 24:00 ends the day."
SOURCE_HELP = "The channel a relay slot carries (VOV1, VTV1, PROVINCIAL, OTHER); a local slot's is LOCAL."


@strawberry.input
class AddScheduleSlotInput:
    station_id: strawberry.ID
    weekday: int = strawberry.field(description="1 Monday … 7 Sunday.")
    starts: str = strawberry.field(description=TIME_HELP)
    ends: str = strawberry.field(description=TIME_HELP)
    kind: ScheduleSlotKind
    source: RelaySource | None = strawberry.field(default=None, description=SOURCE_HELP)
    valid_from: datetime.date | None = strawberry.field(default=None, description="Default: today.")
    title: str | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class AddScheduleDaySlotInput:
    station_id: strawberry.ID
    on: datetime.date = strawberry.field(description="The one day the slot runs.")
    starts: str = strawberry.field(description=TIME_HELP)
    ends: str = strawberry.field(description=TIME_HELP)
    kind: ScheduleSlotKind
    source: RelaySource | None = strawberry.field(default=None, description=SOURCE_HELP)
    title: str | None = None
    reason: str | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class RemoveScheduleSlotInput:
    station_id: strawberry.ID
    slot_id: str
    valid_from: datetime.date | None = strawberry.field(
        default=None, description="The first day the slot no longer runs (default: today)."
    )
    reason: str | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class CancelScheduleSlotOnInput:
    station_id: strawberry.ID
    slot_id: str
    on: datetime.date = strawberry.field(description="The day the slot does not run.")
    reason: str
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)

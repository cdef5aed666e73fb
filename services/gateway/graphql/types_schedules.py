# mypy: disallow-untyped-decorators=False
"""Broadcast schedules as partners read them (ADR 0053): a station's slots, their exceptions and
the interruptions by emergency bulletins, and airtime against the schedule per unit, built from
the broadcast service's answers with ``contract_type``."""

from __future__ import annotations

import enum
from typing import Any

import strawberry
from strawberry.types import Info

from contracts.api.broadcast_schedules import (
    ScheduleInterruptionView,
    ScheduleSlotView,
    UnitScheduleAdherencePart,
)
from contracts.api.broadcast_schedules import StationSchedule as StationScheduleView
from contracts.api.broadcast_schedules import UnitScheduleAdherence as UnitScheduleAdherenceView
from services.gateway.graphql.context import context_of
from services.gateway.graphql.contract_types import FromContract, contract_type
from services.gateway.graphql.scalars import RelaySource
from services.gateway.graphql.types_units import RadioStation

Ctx = Info[Any, Any]
ADHERENCE = ("planned_minutes", "aired_minutes", "aired_in_schedule_minutes", "sessions_outside_schedule",
             "interruption_count")  # fmt: skip
ADHERENCE_HELP = {
    "planned_minutes": "Minutes of the slots planned on the period's days (cancelled ones left out).",
    "aired_minutes": "Minutes of relay sessions and local broadcasts recorded.",
    "aired_in_schedule_minutes": "Of the minutes aired, those inside a planned slot.",
    "sessions_outside_schedule": "Sessions that met no planned slot, at stations that have a schedule.",
    "interruption_count": "Slots pre-empted by emergency bulletins.",
}


@strawberry.enum(description="A schedule slot relays a national or provincial channel, or carries a local programme.")
class ScheduleSlotKind(enum.Enum):
    RELAY = "relay"
    LOCAL = "local"


@strawberry.enum(description="What pre-empted a schedule: an emergency alert, or a programme of emergency priority.")
class BulletinKind(enum.Enum):
    ALERT = "alert"
    DELIVERY = "delivery"


@contract_type(
    ScheduleSlotView,
    fields=(
        "slot_id",
        "kind",
        "source",
        "starts",
        "ends",
        "weekday",
        "valid_from",
        "valid_until",
        "on",
        "title",
        "cancelled_on",
        "unit_code",
    ),
    descriptions={
        "starts": "HH:MM, the province's clock.",
        "ends": "HH:MM, the province's clock; 24:00 ends the day.",
        "weekday": "1 Monday … 7 Sunday for a weekly slot; null for a one-day slot.",
        "on": "The day of a one-day slot (an exception that adds a slot).",
        "valid_until": "The first day a removed slot no longer runs.",
        "cancelled_on": "The days of the period asked for that it does not run.",
        "unit_code": "The station's commune.",
    },
    description="A slot of a station's broadcast schedule (Circular 39/2020/TT-BTTTT).",
)
class ScheduleSlot(FromContract[ScheduleSlotView]):
    kind: ScheduleSlotKind
    source: RelaySource


@contract_type(
    ScheduleInterruptionView,
    fields=("slot_id", "on", "interrupted_at", "bulletin_kind", "bulletin_id", "unit_code"),
    descriptions={"bulletin_id": "The emergency alert's id, or the emergency programme's."},
    description="A slot pre-empted by an emergency bulletin: which slot, when, by what.",
)
class ScheduleInterruption(FromContract[ScheduleInterruptionView]):
    bulletin_kind: BulletinKind


@contract_type(
    UnitScheduleAdherencePart,
    fields=("unit_code", "name", *ADHERENCE),
    descriptions=ADHERENCE_HELP,
    description="Airtime against the schedule of a unit's direct child, with everything under it.",
)
class ScheduleAdherencePart(FromContract[UnitScheduleAdherencePart]):
    pass


@contract_type(
    UnitScheduleAdherenceView,
    fields=("unit_code", "name", "period", "children", *ADHERENCE),
    descriptions=ADHERENCE_HELP,
    description="Planned against aired minutes at the stations of a unit and the units under it.",
)
class ScheduleAdherence(FromContract[UnitScheduleAdherenceView]):
    pass


@contract_type(
    StationScheduleView,
    fields=("period", "slots", "interruptions", *ADHERENCE),
    descriptions=ADHERENCE_HELP,
    description="A station's broadcast schedule over a period: its slots, exceptions and interruptions.",
)
class StationSchedule(FromContract[StationScheduleView]):
    @strawberry.field
    async def station(self, info: Ctx) -> RadioStation | None:
        view = await context_of(info).loaders.station_by_id.load(self.view.station_id)
        return RadioStation.of(view) if view else None

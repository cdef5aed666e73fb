"""Mobile outreach: sessions of the mobile information team and loudspeaker-vehicle trips,
each one fact in its own stream (recorded once; a mistaken record is a new fact, not an edit)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import msgspec

from contracts.base import Event
from contracts.broadcast_events import LoudspeakerVehicleTripMade, OutreachSessionHeld
from libs.common.errors import ConflictError, InvalidInputError
from libs.common.eventstore.decider import Decider
from services.broadcast.domain.common import clean_text, optional_name


class Outreach(msgspec.Struct, frozen=True, kw_only=True):
    recorded: bool = False


def outreach_stream(outreach_id: str) -> str:
    return f"outreach-{outreach_id}"


class RecordSession(msgspec.Struct, frozen=True, kw_only=True):
    outreach_id: str
    unit_code: str
    held_on: datetime.date
    today: datetime.date
    topic: str | None = None
    audience: int | None = None


class RecordTrip(msgspec.Struct, frozen=True, kw_only=True):
    outreach_id: str
    unit_code: str
    made_on: datetime.date
    today: datetime.date
    route: str | None = None
    distance_km: float | None = None


OutreachCommand = RecordSession | RecordTrip


def _not_future(day: datetime.date, today: datetime.date, field: str) -> None:
    if day > today:
        raise InvalidInputError(f"{field} is in the future", code="date_in_future", details={"field": field})


def decide_outreach(command: OutreachCommand, outreach: Outreach) -> Sequence[Event]:
    if outreach.recorded:
        raise ConflictError("already recorded", code="duplicate_outreach")
    match command:
        case RecordSession():
            _not_future(command.held_on, command.today, "held_on")
            if command.audience is not None and not 0 <= command.audience <= 1_000_000:
                raise InvalidInputError("audience must be between 0 and 1,000,000", code="invalid_audience")
            return [
                OutreachSessionHeld(
                    outreach_id=command.outreach_id,
                    unit_code=command.unit_code,
                    held_on=command.held_on,
                    topic=optional_name(command.topic, field="topic", max_length=200),
                    audience=command.audience,
                )
            ]
        case RecordTrip():
            _not_future(command.made_on, command.today, "made_on")
            if command.distance_km is not None and not 0 <= command.distance_km <= 2000:
                raise InvalidInputError("distance_km must be between 0 and 2,000", code="invalid_distance")
            return [
                LoudspeakerVehicleTripMade(
                    outreach_id=command.outreach_id,
                    unit_code=command.unit_code,
                    made_on=command.made_on,
                    route=clean_text(command.route, field="route", max_length=300),
                    distance_km=command.distance_km,
                )
            ]


def evolve_outreach(outreach: Outreach, event: Event) -> Outreach:
    return Outreach(recorded=True)


OUTREACH: Decider[OutreachCommand, Outreach] = Decider(
    stream_type="outreach", initial=Outreach, evolve=evolve_outreach, decide=decide_outreach
)

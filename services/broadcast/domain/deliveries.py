"""Distribution of a programme's file to commune stations: one delivery per (programme, station).

A delivery moves sent -> received -> aired, or to failed (with the reason) from sent or
received; a failed delivery may be sent again. Times never go backwards. A delivery past its
``due_at`` without being aired is late (still pending) or missing (never received); the read
model shows both per station. Every delivery event carries the programme's priority as it was
when sent, so a consumer (a station's schedule, pre-empted by an emergency) need not read the
programme.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Literal

import msgspec

from contracts.base import Event
from contracts.broadcast_events import (
    Priority,
    ProgrammeDeliveryAired,
    ProgrammeDeliveryFailed,
    ProgrammeDeliveryReceived,
    ProgrammeDeliverySent,
)
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from libs.common.eventstore.decider import Decider
from services.broadcast.domain.common import aware, content_hash, required_text

DeliveryStatus = Literal["absent", "sent", "received", "aired", "failed"]


class Delivery(msgspec.Struct, frozen=True, kw_only=True):
    programme_id: str = ""
    station_id: str = ""
    unit_code: str = ""
    status: DeliveryStatus = "absent"
    last_at: datetime.datetime | None = None
    priority: Priority = "normal"


def delivery_stream(programme_id: str, station_id: str) -> str:
    return f"delivery-{programme_id}:{station_id}"


class SendDelivery(msgspec.Struct, frozen=True, kw_only=True):
    programme_id: str
    producer_unit_code: str
    station_id: str
    station_unit_code: str
    station_in_area: bool
    """Whether the station's commune is the producer unit or under it."""
    sent_at: datetime.datetime
    due_at: datetime.datetime
    priority: Priority = "normal"


class ReceiveDelivery(msgspec.Struct, frozen=True, kw_only=True):
    received_at: datetime.datetime
    content_hash: str | None = None


class AirDelivery(msgspec.Struct, frozen=True, kw_only=True):
    aired_at: datetime.datetime


class FailDelivery(msgspec.Struct, frozen=True, kw_only=True):
    failed_at: datetime.datetime
    reason: str


DeliveryCommand = SendDelivery | ReceiveDelivery | AirDelivery | FailDelivery


def _after(delivery: Delivery, at: datetime.datetime, field: str) -> datetime.datetime:
    moment = aware(at, field=field)
    if delivery.last_at is not None and moment < delivery.last_at:
        raise InvalidInputError(
            f"{field} is before the delivery's previous step ({delivery.last_at.isoformat()})",
            code="delivery_out_of_order",
            details={"previous": delivery.last_at.isoformat()},
        )
    return moment


def _require(delivery: Delivery, allowed: tuple[DeliveryStatus, ...], step: str) -> None:
    if delivery.status == "absent":
        raise NotFoundError("the programme was not sent to this station", code="unknown_delivery")
    if delivery.status not in allowed:
        raise ConflictError(
            f"a delivery that is {delivery.status} cannot be {step}",
            code="invalid_delivery_transition",
            details={"status": delivery.status},
        )


def decide_delivery(command: DeliveryCommand, delivery: Delivery) -> Sequence[Event]:
    match command:
        case SendDelivery():
            if not command.station_in_area:
                raise InvalidInputError(
                    "the station is outside the programme's area (its producer unit and the units under it)",
                    code="station_outside_programme_area",
                    details={"station_id": command.station_id, "unit_code": command.station_unit_code},
                )
            if delivery.status not in ("absent", "failed"):
                return []  # already on its way: sending again changes nothing
            sent_at = aware(command.sent_at, field="sent_at")
            due_at = aware(command.due_at, field="due_at")
            if due_at < sent_at:
                raise InvalidInputError("due_at is before sent_at", code="due_before_sent")
            return [
                ProgrammeDeliverySent(
                    programme_id=command.programme_id,
                    station_id=command.station_id,
                    unit_code=command.station_unit_code,
                    producer_unit_code=command.producer_unit_code,
                    sent_at=sent_at,
                    due_at=due_at,
                    priority=command.priority,
                )
            ]
        case ReceiveDelivery():
            _require(delivery, ("sent",), "received")
            return [
                ProgrammeDeliveryReceived(
                    programme_id=delivery.programme_id,
                    station_id=delivery.station_id,
                    unit_code=delivery.unit_code,
                    received_at=_after(delivery, command.received_at, "received_at"),
                    content_hash=content_hash(command.content_hash),
                    priority=delivery.priority,
                )
            ]
        case AirDelivery():
            _require(delivery, ("received",), "aired")
            return [
                ProgrammeDeliveryAired(
                    programme_id=delivery.programme_id,
                    station_id=delivery.station_id,
                    unit_code=delivery.unit_code,
                    aired_at=_after(delivery, command.aired_at, "aired_at"),
                    priority=delivery.priority,
                )
            ]
        case FailDelivery():
            _require(delivery, ("sent", "received"), "failed")
            return [
                ProgrammeDeliveryFailed(
                    programme_id=delivery.programme_id,
                    station_id=delivery.station_id,
                    unit_code=delivery.unit_code,
                    failed_at=_after(delivery, command.failed_at, "failed_at"),
                    reason=required_text(command.reason, field="reason"),
                    priority=delivery.priority,
                )
            ]


def evolve_delivery(delivery: Delivery, event: Event) -> Delivery:
    match event:
        case ProgrammeDeliverySent():
            return Delivery(
                programme_id=event.programme_id,
                station_id=event.station_id,
                unit_code=event.unit_code,
                status="sent",
                last_at=event.sent_at,
                priority=event.priority,
            )
        case ProgrammeDeliveryReceived():
            return msgspec.structs.replace(delivery, status="received", last_at=event.received_at)
        case ProgrammeDeliveryAired():
            return msgspec.structs.replace(delivery, status="aired", last_at=event.aired_at)
        case ProgrammeDeliveryFailed():
            return msgspec.structs.replace(delivery, status="failed", last_at=event.failed_at)
    return delivery


DELIVERY: Decider[DeliveryCommand, Delivery] = Decider(
    stream_type="delivery", initial=Delivery, evolve=evolve_delivery, decide=decide_delivery
)

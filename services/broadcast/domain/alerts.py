"""Emergency alerts: issued to an area (a unit and every unit under it), fanned out to every
station of the area in the same command, acknowledged by each station.

Acknowledgements live in their own stream per (alert, station), so a hundred stations
answering at once do not contend on the alert's stream.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Literal

import msgspec

from contracts.base import Event
from contracts.broadcast_events import (
    AlertCategory,
    AlertPriority,
    EmergencyAlertAcknowledged,
    EmergencyAlertCancelled,
    EmergencyAlertDispatched,
    EmergencyAlertIssued,
)
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from libs.common.eventstore.decider import Decider
from services.broadcast.domain.common import aware, required_name, required_text

MAX_VALIDITY = datetime.timedelta(days=30)


class AlertStation(msgspec.Struct, frozen=True):
    station_id: str
    unit_code: str


class Alert(msgspec.Struct, frozen=True, kw_only=True):
    alert_id: str = ""
    unit_code: str = ""
    status: Literal["absent", "issued", "cancelled"] = "absent"
    issued_at: datetime.datetime | None = None
    expires_at: datetime.datetime | None = None
    stations: dict[str, str] = msgspec.field(default_factory=dict)
    """station id -> its commune's code."""


def alert_stream(alert_id: str) -> str:
    return f"alert-{alert_id}"


def ack_stream(alert_id: str, station_id: str) -> str:
    return f"alert_ack-{alert_id}:{station_id}"


class IssueAlert(msgspec.Struct, frozen=True, kw_only=True):
    alert_id: str
    area_unit_id: str
    area_unit_code: str
    category: AlertCategory
    priority: AlertPriority
    title: str
    message: str
    issued_at: datetime.datetime
    expires_at: datetime.datetime
    stations: list[AlertStation]


class CancelAlert(msgspec.Struct, frozen=True, kw_only=True):
    cancelled_at: datetime.datetime
    reason: str


AlertCommand = IssueAlert | CancelAlert


def decide_alert(command: AlertCommand, alert: Alert) -> Sequence[Event]:
    match command:
        case IssueAlert():
            if alert.status != "absent":
                raise ConflictError("the alert is already issued", code="duplicate_alert")
            expires_at = aware(command.expires_at, field="expires_at")
            if expires_at <= command.issued_at:
                raise InvalidInputError(
                    "the alert's expiry time has already passed",
                    code="alert_expired",
                    details={"expires_at": expires_at.isoformat(), "now": command.issued_at.isoformat()},
                )
            if expires_at - command.issued_at > MAX_VALIDITY:
                raise InvalidInputError("an alert may run for at most 30 days", code="alert_too_long")
            if not command.stations:
                raise InvalidInputError(
                    "no working radio station in the area", code="no_stations_in_area",
                    details={"unit_code": command.area_unit_code},
                )  # fmt: skip
            issued: list[Event] = [
                EmergencyAlertIssued(
                    alert_id=command.alert_id,
                    unit_code=command.area_unit_code,
                    unit_id=command.area_unit_id,
                    category=command.category,
                    priority=command.priority,
                    title=required_name(command.title, field="title", max_length=200),
                    message=required_text(command.message, field="message", max_length=5000),
                    issued_at=command.issued_at,
                    expires_at=expires_at,
                    station_count=len(command.stations),
                )
            ]
            return issued + [
                EmergencyAlertDispatched(
                    alert_id=command.alert_id,
                    station_id=s.station_id,
                    unit_code=s.unit_code,
                    area_unit_code=command.area_unit_code,
                    priority=command.priority,
                    expires_at=expires_at,
                )
                for s in command.stations
            ]
        case CancelAlert():
            if alert.status == "absent":
                raise NotFoundError("no such alert", code="unknown_alert")
            if alert.status == "cancelled":
                return []
            return [
                EmergencyAlertCancelled(
                    alert_id=alert.alert_id,
                    unit_code=alert.unit_code,
                    cancelled_at=aware(command.cancelled_at, field="cancelled_at"),
                    reason=required_text(command.reason, field="reason"),
                )
            ]


def evolve_alert(alert: Alert, event: Event) -> Alert:
    match event:
        case EmergencyAlertIssued():
            return Alert(
                alert_id=event.alert_id,
                unit_code=event.unit_code,
                status="issued",
                issued_at=event.issued_at,
                expires_at=event.expires_at,
            )
        case EmergencyAlertDispatched():
            return msgspec.structs.replace(alert, stations={**alert.stations, event.station_id: event.unit_code})
        case EmergencyAlertCancelled():
            return msgspec.structs.replace(alert, status="cancelled")
    return alert


ALERT: Decider[AlertCommand, Alert] = Decider(
    stream_type="alert", initial=Alert, evolve=evolve_alert, decide=decide_alert
)


# --- acknowledgements ---------------------------------------------------------------------


class Acknowledgement(msgspec.Struct, frozen=True, kw_only=True):
    acknowledged_at: datetime.datetime | None = None


class Acknowledge(msgspec.Struct, frozen=True, kw_only=True):
    alert: Alert
    station_id: str
    acknowledged_at: datetime.datetime


def decide_ack(command: Acknowledge, ack: Acknowledgement) -> Sequence[Event]:
    alert = command.alert
    if alert.status == "absent":
        raise NotFoundError("no such alert", code="unknown_alert")
    unit_code = alert.stations.get(command.station_id)
    if unit_code is None:
        raise NotFoundError(
            "the alert was not sent to this station", code="station_not_alerted",
            details={"station_id": command.station_id},
        )  # fmt: skip
    if alert.status == "cancelled":
        raise ConflictError("the alert was cancelled", code="alert_cancelled")
    if ack.acknowledged_at is not None:
        return []  # a repeated acknowledgement changes nothing
    at = aware(command.acknowledged_at, field="acknowledged_at")
    if alert.issued_at is not None and at < alert.issued_at:
        raise InvalidInputError("acknowledged_at is before the alert was issued", code="ack_before_issue")
    return [
        EmergencyAlertAcknowledged(
            alert_id=alert.alert_id, station_id=command.station_id, unit_code=unit_code, acknowledged_at=at
        )
    ]


def evolve_ack(ack: Acknowledgement, event: Event) -> Acknowledgement:
    if isinstance(event, EmergencyAlertAcknowledged):
        return Acknowledgement(acknowledged_at=event.acknowledged_at)
    return ack


ALERT_ACK: Decider[Acknowledge, Acknowledgement] = Decider(
    stream_type="alert_ack", initial=Acknowledgement, evolve=evolve_ack, decide=decide_ack
)

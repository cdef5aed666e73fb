"""Grassroots radio's stations: the commune's station (đài truyền thanh cơ sở).

One station per commune (enforced across streams by the command-side lookup); an upgrade
changes the technology from a date and keeps the previous one in the event; DECOMMISSIONED
is final. Its loudspeaker clusters are ``speaker_clusters``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Literal

import msgspec

from contracts.base import Event
from contracts.registry_events import (
    AssetOperatorAssigned,
    OperationalStatus,
    RadioStationRegistered,
    RadioStationStatusChanged,
    RadioStationUpgraded,
    StationTechnology,
)
from libs.common.errors import ConflictError, NotFoundError
from libs.common.eventstore.decider import Decider
from libs.common.text import clean_text
from services.registry.domain.assets import (
    AssignOperator,
    assign_operator,
    latest,
    require_order,
    require_organisation,
    require_unit,
)
from services.registry.domain.organisations import Organisation
from services.registry.domain.units import Unit


class Station(msgspec.Struct, frozen=True, kw_only=True):
    station_id: str = ""
    unit_id: str = ""
    status: OperationalStatus | Literal["absent"] = "absent"
    technology: StationTechnology = "WIRED"
    installed_on: datetime.date | None = None
    operator_id: str | None = None
    last_on: datetime.date | None = None
    """The date of the latest recorded fact: later facts may not precede it."""

    @property
    def exists(self) -> bool:
        return self.status != "absent"


def station_stream(station_id: str) -> str:
    return f"radio_station-{station_id}"


class RegisterStation(msgspec.Struct, frozen=True, kw_only=True):
    station_id: str
    unit: Unit
    technology: StationTechnology
    as_of: datetime.date
    """The day the unit is checked on: the install date, or today if it is unknown."""
    installed_on: datetime.date | None = None
    funding_source: str | None = None
    operator: Organisation | None = None


class UpgradeStation(msgspec.Struct, frozen=True, kw_only=True):
    technology: StationTechnology
    upgraded_on: datetime.date
    funding_source: str | None = None


class ChangeStationStatus(msgspec.Struct, frozen=True, kw_only=True):
    status: OperationalStatus
    effective_on: datetime.date
    reason: str | None = None


StationCommand = RegisterStation | UpgradeStation | ChangeStationStatus | AssignOperator


def require_station(station: Station) -> None:
    if not station.exists:
        raise NotFoundError("no such radio station", code="unknown_radio_station")
    if station.status == "DECOMMISSIONED":
        raise ConflictError("the radio station is decommissioned", code="station_decommissioned")


def decide_station(command: StationCommand, station: Station) -> Sequence[Event]:
    match command:
        case RegisterStation():
            if station.exists:
                raise ConflictError("the radio station is already registered", code="duplicate_radio_station")
            unit = require_unit(command.unit, ("commune",), command.as_of, what="radio station")
            operator = require_organisation(command.operator)
            return [
                RadioStationRegistered(
                    station_id=command.station_id,
                    unit_id=unit.unit_id,
                    technology=command.technology,
                    installed_on=command.installed_on,
                    funding_source=clean_text(command.funding_source, field="funding_source", max_length=200),
                    operator_id=operator.organisation_id if operator else None,
                )
            ]
        case UpgradeStation():
            require_station(station)
            require_order(station.last_on, command.upgraded_on, what="the upgrade")
            if command.technology == station.technology:
                return []
            return [
                RadioStationUpgraded(
                    station_id=station.station_id,
                    technology=command.technology,
                    previous_technology=station.technology,
                    upgraded_on=command.upgraded_on,
                    funding_source=clean_text(command.funding_source, field="funding_source", max_length=200),
                )
            ]
        case ChangeStationStatus():
            require_station(station)
            require_order(station.last_on, command.effective_on, what="the status change")
            if command.status == station.status:
                return []
            assert station.status != "absent"
            return [
                RadioStationStatusChanged(
                    station_id=station.station_id,
                    status=command.status,
                    previous_status=station.status,
                    effective_on=command.effective_on,
                    reason=clean_text(command.reason, field="reason"),
                )
            ]
        case AssignOperator():
            return assign_operator(
                command,
                asset_id=station.station_id,
                kind="radio_station",
                exists=station.exists,
                ended=station.status == "DECOMMISSIONED",
                operator_id=station.operator_id,
                not_before=station.last_on,
            )


def evolve_station(station: Station, event: Event) -> Station:
    match event:
        case RadioStationRegistered():
            return Station(
                station_id=event.station_id,
                unit_id=event.unit_id,
                status="OPERATIONAL",
                technology=event.technology,
                installed_on=event.installed_on,
                operator_id=event.operator_id,
                last_on=event.installed_on,
            )
        case RadioStationUpgraded():
            return msgspec.structs.replace(station, technology=event.technology, last_on=event.upgraded_on)
        case RadioStationStatusChanged():
            return msgspec.structs.replace(station, status=event.status, last_on=event.effective_on)
        case AssetOperatorAssigned():
            return msgspec.structs.replace(
                station, operator_id=event.organisation_id, last_on=latest(station.last_on, event.effective_on)
            )
    return station


RADIO_STATION: Decider[StationCommand, Station] = Decider(
    stream_type="radio_station", initial=Station, evolve=evolve_station, decide=decide_station
)

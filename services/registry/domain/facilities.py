"""Public service points counted per unit: postal service points (điểm phục vụ bưu chính),
video-conference endpoints (điểm cầu hội nghị truyền hình) and public Wi-Fi hotspots.

They stand in any unit below the province (a district's own post office, a commune's meeting
room, a village's hotspot), except video-conference endpoints, which the province has too.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Literal

import msgspec

from contracts.base import Event
from contracts.registry_events import (
    AssetOperatorAssigned,
    Coordinates,
    PostalPointClosed,
    PostalPointOpened,
    UnitLevel,
    VideoEndpointRegistered,
    WifiHotspotRegistered,
)
from libs.common.errors import ConflictError, NotFoundError
from libs.common.eventstore.decider import Decider
from libs.common.text import clean_name
from services.registry.domain.assets import (
    AssignOperator,
    assign_operator,
    clean_location,
    latest,
    require_order,
    require_organisation,
    require_unit,
)
from services.registry.domain.organisations import Organisation
from services.registry.domain.units import Unit

BELOW_PROVINCE: tuple[UnitLevel, ...] = ("district", "commune", "village")
ANY_LEVEL: tuple[UnitLevel, ...] = ("province", *BELOW_PROVINCE)


class Facility(msgspec.Struct, frozen=True, kw_only=True):
    """The state of a postal point, a video endpoint or a hotspot: they follow one life."""

    facility_id: str = ""
    status: Literal["absent", "open", "closed"] = "absent"
    operator_id: str | None = None
    last_on: datetime.date | None = None


def postal_stream(point_id: str) -> str:
    return f"postal_point-{point_id}"


def video_stream(endpoint_id: str) -> str:
    return f"video_endpoint-{endpoint_id}"


def hotspot_stream(hotspot_id: str) -> str:
    return f"wifi_hotspot-{hotspot_id}"


class OpenPostalPoint(msgspec.Struct, frozen=True, kw_only=True):
    point_id: str
    unit: Unit
    name: str
    as_of: datetime.date
    operator: Organisation | None = None
    opened_on: datetime.date | None = None


class ClosePostalPoint(msgspec.Struct, frozen=True, kw_only=True):
    effective_on: datetime.date


class RegisterVideoEndpoint(msgspec.Struct, frozen=True, kw_only=True):
    endpoint_id: str
    unit: Unit
    as_of: datetime.date
    installed_on: datetime.date | None = None


class RegisterWifiHotspot(msgspec.Struct, frozen=True, kw_only=True):
    hotspot_id: str
    unit: Unit
    as_of: datetime.date
    operator: Organisation | None = None
    location: Coordinates | None = None
    installed_on: datetime.date | None = None


def _new(state: Facility, what: str) -> None:
    if state.status != "absent":
        raise ConflictError(f"the {what} is already registered", code=f"duplicate_{what.replace(' ', '_')}")


def _assign(
    command: AssignOperator, state: Facility, kind: Literal["postal_point", "video_endpoint", "wifi_hotspot"]
) -> Sequence[Event]:
    return assign_operator(
        command,
        asset_id=state.facility_id,
        kind=kind,
        exists=state.status != "absent",
        ended=state.status == "closed",
        operator_id=state.operator_id,
        not_before=state.last_on,
    )


def decide_postal(command: OpenPostalPoint | ClosePostalPoint | AssignOperator, state: Facility) -> Sequence[Event]:
    match command:
        case OpenPostalPoint():
            _new(state, "postal point")
            unit = require_unit(command.unit, BELOW_PROVINCE, command.as_of, what="postal point")
            operator = require_organisation(command.operator)
            return [
                PostalPointOpened(
                    point_id=command.point_id,
                    unit_id=unit.unit_id,
                    name=clean_name(command.name),
                    operator_id=operator.organisation_id if operator else None,
                    opened_on=command.opened_on,
                )
            ]
        case ClosePostalPoint():
            if state.status == "absent":
                raise NotFoundError("no such postal point", code="unknown_postal_point")
            if state.status == "closed":
                raise ConflictError("the postal point is already closed", code="asset_decommissioned")
            require_order(state.last_on, command.effective_on, what="the closing")
            return [PostalPointClosed(point_id=state.facility_id, effective_on=command.effective_on)]
        case AssignOperator():
            return _assign(command, state, "postal_point")


def decide_video(command: RegisterVideoEndpoint | AssignOperator, state: Facility) -> Sequence[Event]:
    match command:
        case RegisterVideoEndpoint():
            _new(state, "video endpoint")
            unit = require_unit(command.unit, ANY_LEVEL, command.as_of, what="video-conference endpoint")
            return [
                VideoEndpointRegistered(
                    endpoint_id=command.endpoint_id, unit_id=unit.unit_id, installed_on=command.installed_on
                )
            ]
        case AssignOperator():
            return _assign(command, state, "video_endpoint")


def decide_hotspot(command: RegisterWifiHotspot | AssignOperator, state: Facility) -> Sequence[Event]:
    match command:
        case RegisterWifiHotspot():
            _new(state, "wifi hotspot")
            unit = require_unit(command.unit, BELOW_PROVINCE, command.as_of, what="Wi-Fi hotspot")
            operator = require_organisation(command.operator)
            return [
                WifiHotspotRegistered(
                    hotspot_id=command.hotspot_id,
                    unit_id=unit.unit_id,
                    operator_id=operator.organisation_id if operator else None,
                    location=clean_location(command.location),
                    installed_on=command.installed_on,
                )
            ]
        case AssignOperator():
            return _assign(command, state, "wifi_hotspot")


def evolve(state: Facility, event: Event) -> Facility:
    match event:
        case PostalPointOpened():
            return Facility(
                facility_id=event.point_id, status="open", operator_id=event.operator_id, last_on=event.opened_on
            )
        case VideoEndpointRegistered():
            return Facility(facility_id=event.endpoint_id, status="open", last_on=event.installed_on)
        case WifiHotspotRegistered():
            return Facility(
                facility_id=event.hotspot_id, status="open", operator_id=event.operator_id, last_on=event.installed_on
            )
        case PostalPointClosed():
            return msgspec.structs.replace(state, status="closed", last_on=event.effective_on)
        case AssetOperatorAssigned():
            return msgspec.structs.replace(
                state, operator_id=event.organisation_id, last_on=latest(state.last_on, event.effective_on)
            )
    return state


PostalCommand = OpenPostalPoint | ClosePostalPoint | AssignOperator
VideoCommand = RegisterVideoEndpoint | AssignOperator
HotspotCommand = RegisterWifiHotspot | AssignOperator

POSTAL_POINT: Decider[PostalCommand, Facility] = Decider(
    stream_type="postal_point", initial=Facility, evolve=evolve, decide=decide_postal
)
VIDEO_ENDPOINT: Decider[VideoCommand, Facility] = Decider(
    stream_type="video_endpoint", initial=Facility, evolve=evolve, decide=decide_video
)
WIFI_HOTSPOT: Decider[HotspotCommand, Facility] = Decider(
    stream_type="wifi_hotspot", initial=Facility, evolve=evolve, decide=decide_hotspot
)

"""Events of the registry's topic: administrative units with their history, and the assets
registered against them (digital teams, radio stations and loudspeaker clusters, telecom
infrastructure, postal points, video-conference endpoints, Wi-Fi hotspots, information
systems) with the organisations that operate them, and named groups of units with
membership over time (ADR 0056).

Dates (``*_on``, ``valid_from``) are calendar dates in the province's time zone. Ids are the
registry's own (UUIDv7 strings): an official code is not an identity, codes are reused
after merges (see ../shared/data/README.md).

``UnitRegistered`` is also the worked example of how a breaking change ships. Version 1 stored
the unit's name under the Vietnamese key ``ten`` and had no ``valid_from``. Version 2 renamed
the key and added the date from which the unit exists. Rows written as version 1 stay in the
append-only events table untouched; instead:

1. the class changes shape and its ``SCHEMA_VERSION`` goes from 1 to 2;
2. ``upcast_unit_registered_v1_v2`` is registered for ``("registry.unit_registered", 1)``;
   it works on the stored JSON as a plain dict, so it never needs the old class;
3. ``CATALOGUE.decode(type, 1, data)`` runs the chain of upcasters and then decodes the
   result as the current class, so every reader (aggregates, projections) sees version 2;
4. ``python -m contracts.generate`` replaces ``schemas/registry.unit_registered.v1.json`` by
   ``...v2.json``, so the version bump shows up in review as a renamed schema file.

Fields added later with a default (``unit_type``, ``predecessor_ids``) are additive: old
rows decode with the default, no new version is needed.
"""

from __future__ import annotations

import datetime
from typing import ClassVar, Literal

import msgspec

from contracts.base import Event
from contracts.catalogue import EventCatalogue
from contracts.upcasting import Data, Upcasters

UnitLevel = Literal["province", "district", "commune", "village"]
StationTechnology = Literal["WIRED", "FM", "IP"]
OperationalStatus = Literal["OPERATIONAL", "DEGRADED", "DOWN", "DECOMMISSIONED"]
RadioTech = Literal["2G", "3G", "4G", "5G"]
TeamLevel = Literal["commune", "village"]
OrganisationKind = Literal["telecom", "post", "district_centre", "commune", "province_agency", "other"]
AssetKind = Literal[
    "radio_station", "speaker_cluster", "bts_station", "postal_point", "video_endpoint", "wifi_hotspot",
    "information_system",
]  # fmt: skip


class Coordinates(msgspec.Struct, frozen=True):
    latitude: float
    longitude: float


class TeamMember(msgspec.Struct, frozen=True):
    name: str
    role: str | None = None


# --- administrative units --------------------------------------------------------------


class UnitRegistered(Event, frozen=True, kw_only=True, tag="registry.unit_registered"):
    """An administrative unit (province, district, commune or village) came into existence."""

    SCHEMA_VERSION: ClassVar[int] = 2

    unit_id: str
    code: str
    name: str
    level: UnitLevel
    parent_id: str | None = None
    valid_from: datetime.date
    unit_type: str | None = None
    """The official kind within the level: Tỉnh, Huyện, Thành phố, Xã, Phường, Thị trấn, Thôn, Bản…"""
    predecessor_ids: list[str] = msgspec.field(default_factory=list)
    """Units it was formed from by a merge or a split (their own streams say so too)."""


class UnitRenamed(Event, frozen=True, kw_only=True, tag="registry.unit_renamed"):
    unit_id: str
    name: str
    previous_name: str
    effective_on: datetime.date


class UnitReparented(Event, frozen=True, kw_only=True, tag="registry.unit_reparented"):
    unit_id: str
    parent_id: str
    previous_parent_id: str | None
    effective_on: datetime.date


class UnitMerged(Event, frozen=True, kw_only=True, tag="registry.unit_merged"):
    """This unit stopped existing on ``effective_on``: it went into ``successor_id``."""

    unit_id: str
    successor_id: str
    effective_on: datetime.date


class UnitSplit(Event, frozen=True, kw_only=True, tag="registry.unit_split"):
    """This unit stopped existing on ``effective_on``: it was divided into ``successor_ids``."""

    unit_id: str
    successor_ids: list[str]
    effective_on: datetime.date


class UnitDissolved(Event, frozen=True, kw_only=True, tag="registry.unit_dissolved"):
    unit_id: str
    effective_on: datetime.date
    reason: str | None = None


# --- unit groups (pilot communes, "Chợ 4.0" markets, border communes) -----------------------


class UnitGroupCreated(Event, frozen=True, kw_only=True, tag="registry.unit_group_created"):
    """A named group of units the province reports on as one (ADR 0056). Its code is its
    identity: chosen by the province, upper-case, never reused."""

    group_code: str
    name: str
    description: str | None = None
    source: str | None = None
    """The document the group and its members come from (a plan, a decision, a report)."""


class UnitGroupMemberAdded(Event, frozen=True, kw_only=True, tag="registry.unit_group_member_added"):
    """``unit_id`` belongs to the group from ``joined_on`` (until a ``UnitGroupMemberRemoved``)."""

    group_code: str
    unit_id: str
    unit_code: str
    joined_on: datetime.date


class UnitGroupMemberRemoved(Event, frozen=True, kw_only=True, tag="registry.unit_group_member_removed"):
    """``unit_id`` no longer belongs to the group from ``left_on`` (the first day it is out)."""

    group_code: str
    unit_id: str
    left_on: datetime.date
    reason: str | None = None


# --- organisations (who owns or operates an asset) ----------------------------------------


class OrganisationRegistered(Event, frozen=True, kw_only=True, tag="registry.organisation_registered"):
    organisation_id: str
    code: str
    """Short stable code partners use: VNPT, VIETTEL, MOBIFONE, VNPOST, or a unit's code."""
    name: str
    kind: OrganisationKind
    unit_id: str | None = None
    """For a district centre or a commune: the unit it is."""


class AssetOperatorAssigned(Event, frozen=True, kw_only=True, tag="registry.asset_operator_assigned"):
    asset_id: str
    asset_kind: AssetKind
    organisation_id: str
    previous_organisation_id: str | None = None
    effective_on: datetime.date


# --- community digital technology teams ---------------------------------------------------


class DigitalTeamEstablished(Event, frozen=True, kw_only=True, tag="registry.digital_team_established"):
    PERSONAL_DATA: ClassVar[frozenset[str]] = frozenset({"members"})

    team_id: str
    unit_id: str
    level: TeamLevel
    established_on: datetime.date
    member_count: int
    members: list[TeamMember] = msgspec.field(default_factory=list)


class DigitalTeamMembersChanged(Event, frozen=True, kw_only=True, tag="registry.digital_team_members_changed"):
    PERSONAL_DATA: ClassVar[frozenset[str]] = frozenset({"members"})

    team_id: str
    member_count: int
    members: list[TeamMember] | None = None
    effective_on: datetime.date


TEAM_ACTIVITY_WINDOW_DAYS = 90
"""A digital team is active on a day when it reported activity within this many days before
it (the province asks for a quarterly report); registry's answers and metrics' indicators
read the same rule."""


class DigitalTeamActivityReported(Event, frozen=True, kw_only=True, tag="registry.digital_team_activity_reported"):
    team_id: str
    reported_on: datetime.date
    households_supported: int = 0
    sessions: int = 0
    summary: str | None = None


class DigitalTeamDisbanded(Event, frozen=True, kw_only=True, tag="registry.digital_team_disbanded"):
    team_id: str
    effective_on: datetime.date
    reason: str | None = None


# --- grassroots radio ---------------------------------------------------------------------


class RadioStationRegistered(Event, frozen=True, kw_only=True, tag="registry.radio_station_registered"):
    station_id: str
    unit_id: str
    technology: StationTechnology
    installed_on: datetime.date | None = None
    funding_source: str | None = None
    operator_id: str | None = None


class RadioStationUpgraded(Event, frozen=True, kw_only=True, tag="registry.radio_station_upgraded"):
    station_id: str
    technology: StationTechnology
    previous_technology: StationTechnology
    upgraded_on: datetime.date
    funding_source: str | None = None


class RadioStationStatusChanged(Event, frozen=True, kw_only=True, tag="registry.radio_station_status_changed"):
    station_id: str
    status: OperationalStatus
    previous_status: OperationalStatus
    effective_on: datetime.date
    reason: str | None = None


class SpeakerClusterRegistered(Event, frozen=True, kw_only=True, tag="registry.speaker_cluster_registered"):
    cluster_id: str
    station_id: str
    village_id: str | None = None
    location: Coordinates | None = None
    installed_on: datetime.date | None = None


class SpeakerClusterDecommissioned(Event, frozen=True, kw_only=True, tag="registry.speaker_cluster_decommissioned"):
    cluster_id: str
    station_id: str
    effective_on: datetime.date
    reason: str | None = None


# --- telecom and public infrastructure ------------------------------------------------------


class BtsStationCommissioned(Event, frozen=True, kw_only=True, tag="registry.bts_station_commissioned"):
    bts_id: str
    operator_id: str
    unit_id: str
    technologies: list[RadioTech]
    location: Coordinates | None = None
    commissioned_on: datetime.date | None = None


class BtsTechnologiesChanged(Event, frozen=True, kw_only=True, tag="registry.bts_technologies_changed"):
    bts_id: str
    technologies: list[RadioTech]
    effective_on: datetime.date


class BtsStationDecommissioned(Event, frozen=True, kw_only=True, tag="registry.bts_station_decommissioned"):
    bts_id: str
    effective_on: datetime.date


class VillageFibreConnected(Event, frozen=True, kw_only=True, tag="registry.village_fibre_connected"):
    """Fibre-optic cable reached the village (the seeds count villages with fibre)."""

    village_id: str
    operator_id: str
    connected_on: datetime.date


class PostalPointOpened(Event, frozen=True, kw_only=True, tag="registry.postal_point_opened"):
    point_id: str
    unit_id: str
    name: str
    operator_id: str | None = None
    opened_on: datetime.date | None = None


class PostalPointClosed(Event, frozen=True, kw_only=True, tag="registry.postal_point_closed"):
    point_id: str
    effective_on: datetime.date


class VideoEndpointRegistered(Event, frozen=True, kw_only=True, tag="registry.video_endpoint_registered"):
    endpoint_id: str
    unit_id: str
    installed_on: datetime.date | None = None


class WifiHotspotRegistered(Event, frozen=True, kw_only=True, tag="registry.wifi_hotspot_registered"):
    hotspot_id: str
    unit_id: str
    operator_id: str | None = None
    location: Coordinates | None = None
    installed_on: datetime.date | None = None


# --- information systems ------------------------------------------------------------------


class InformationSystemRegistered(Event, frozen=True, kw_only=True, tag="registry.information_system_registered"):
    system_id: str
    name: str
    owner_agency: str
    hosted_in_data_centre: bool


class SecurityLevelApproved(Event, frozen=True, kw_only=True, tag="registry.security_level_approved"):
    system_id: str
    level: int
    approved_on: datetime.date
    decision: str | None = None
    """The approving decision's reference, e.g. "QĐ 123/QĐ-UBND"."""


class InformationSystemHostingChanged(
    Event, frozen=True, kw_only=True, tag="registry.information_system_hosting_changed"
):
    """The system moved into the provincial data centre (``hosted_in_data_centre``) or out of it."""

    system_id: str
    hosted_in_data_centre: bool
    effective_on: datetime.date


UPCASTERS = Upcasters()

# Version 1 rows carry no date. The registry's records start with the 2020 reports, so a unit
# registered under version 1 is taken to be valid from the first day of 2020.
_V1_VALID_FROM = "2020-01-01"


@UPCASTERS.register("registry.unit_registered", 1)
def upcast_unit_registered_v1_v2(data: Data) -> Data:
    """v1 -> v2: the key ``ten`` becomes ``name``; ``valid_from`` defaults to 2020-01-01."""
    lifted = {key: value for key, value in data.items() if key != "ten"}
    if "ten" in data:
        lifted["name"] = data["ten"]
    lifted.setdefault("valid_from", _V1_VALID_FROM)
    return lifted


UNIT_EVENTS: list[type[Event]] = [UnitRegistered, UnitRenamed, UnitReparented, UnitMerged, UnitSplit, UnitDissolved]
UNIT_GROUP_EVENTS: list[type[Event]] = [UnitGroupCreated, UnitGroupMemberAdded, UnitGroupMemberRemoved]
ASSET_EVENTS: list[type[Event]] = [
    OrganisationRegistered,
    AssetOperatorAssigned,
    DigitalTeamEstablished,
    DigitalTeamMembersChanged,
    DigitalTeamActivityReported,
    DigitalTeamDisbanded,
    RadioStationRegistered,
    RadioStationUpgraded,
    RadioStationStatusChanged,
    SpeakerClusterRegistered,
    SpeakerClusterDecommissioned,
    BtsStationCommissioned,
    BtsTechnologiesChanged,
    BtsStationDecommissioned,
    VillageFibreConnected,
    PostalPointOpened,
    PostalPointClosed,
    VideoEndpointRegistered,
    WifiHotspotRegistered,
    InformationSystemRegistered,
    SecurityLevelApproved,
    InformationSystemHostingChanged,
]

CATALOGUE = EventCatalogue("registry", [*UNIT_EVENTS, *ASSET_EVENTS, *UNIT_GROUP_EVENTS], UPCASTERS)

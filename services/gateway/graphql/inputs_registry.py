"""Typed inputs of the registry's mutations beyond registering units, stations, clusters and
base stations (``inputs``). Assets are named by their global id (or the registry's bare id),
units and organisations by their official code; ``effectiveDate`` is the day a change counts
from, as in ``MergeUnitsInput``."""

from __future__ import annotations

import datetime
import enum
from typing import Any

import strawberry

from services.gateway.graphql.inputs import KEY_HELP, RegisterUnitInput
from services.gateway.graphql.registry_values import TeamLevel
from services.gateway.graphql.scalars import OperationalStatus, RadioTech, StationTechnology


def _key() -> Any:
    """The optional idempotency key every command takes."""
    return strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class RenameUnitInput:
    code: str = strawberry.field(description="The unit's code on effectiveDate.")
    name: str
    effective_date: datetime.date
    idempotency_key: str | None = _key()


@strawberry.input
class ReparentUnitInput:
    code: str = strawberry.field(description="The unit's code on effectiveDate.")
    parent_code: str = strawberry.field(description="The new parent, one level up.")
    effective_date: datetime.date
    idempotency_key: str | None = _key()


@strawberry.input
class SplitUnitInput:
    code: str = strawberry.field(description="The unit that stops existing on effectiveDate.")
    successors: list[RegisterUnitInput] = strawberry.field(description="The new units (two or more).")
    effective_date: datetime.date
    idempotency_key: str | None = _key()


@strawberry.input
class DissolveUnitInput:
    code: str = strawberry.field(description="The unit that stops existing on effectiveDate, without successor.")
    effective_date: datetime.date
    reason: str | None = None
    idempotency_key: str | None = _key()


@strawberry.input(description="A member's name is personal data: shown only to callers with personal-data.")
class TeamMemberInput:
    name: str
    role: str | None = None


@strawberry.input
class EstablishDigitalTeamInput:
    unit_code: str = strawberry.field(description="A commune or a village, on establishedOn.")
    level: TeamLevel
    established_on: datetime.date
    member_count: int
    members: list[TeamMemberInput] | None = None
    idempotency_key: str | None = _key()


@strawberry.input
class ChangeDigitalTeamMembersInput:
    team_id: strawberry.ID
    member_count: int
    effective_date: datetime.date
    members: list[TeamMemberInput] | None = strawberry.field(default=None, description="Null: the names stay.")
    idempotency_key: str | None = _key()


@strawberry.input
class ReportDigitalTeamActivityInput:
    team_id: strawberry.ID
    reported_on: datetime.date
    households_supported: int = 0
    sessions: int = 0
    summary: str | None = None
    idempotency_key: str | None = _key()


@strawberry.input
class DisbandDigitalTeamInput:
    team_id: strawberry.ID
    effective_date: datetime.date
    reason: str | None = None
    idempotency_key: str | None = _key()


@strawberry.input
class UpgradeRadioStationInput:
    station_id: strawberry.ID
    technology: StationTechnology
    upgraded_on: datetime.date
    funding_source: str | None = None
    idempotency_key: str | None = _key()


@strawberry.input
class ChangeRadioStationStatusInput:
    station_id: strawberry.ID
    status: OperationalStatus = strawberry.field(description="DECOMMISSIONED takes the station out of service.")
    effective_date: datetime.date
    reason: str | None = None
    idempotency_key: str | None = _key()


@strawberry.enum(description="The kinds of asset an operator is assigned to.")
class AssetKind(enum.Enum):
    RADIO_STATION = "radio_station"
    SPEAKER_CLUSTER = "speaker_cluster"
    BTS_STATION = "bts_station"
    POSTAL_POINT = "postal_point"
    VIDEO_ENDPOINT = "video_endpoint"
    WIFI_HOTSPOT = "wifi_hotspot"
    INFORMATION_SYSTEM = "information_system"


@strawberry.input
class AssignAssetOperatorInput:
    asset_id: strawberry.ID = strawberry.field(description="The asset's global id (its type says its kind).")
    organisation_code: str = strawberry.field(description="The operator from effectiveDate: VNPT, VIETTEL, VNPOST…")
    effective_date: datetime.date
    idempotency_key: str | None = _key()


@strawberry.input
class DecommissionSpeakerClusterInput:
    cluster_id: strawberry.ID
    effective_date: datetime.date
    reason: str | None = None
    idempotency_key: str | None = _key()


@strawberry.input
class ChangeBtsTechnologiesInput:
    bts_id: strawberry.ID
    technologies: list[RadioTech]
    effective_date: datetime.date
    idempotency_key: str | None = _key()


@strawberry.input
class DecommissionBtsStationInput:
    bts_id: strawberry.ID
    effective_date: datetime.date
    idempotency_key: str | None = _key()


@strawberry.input
class ConnectVillageFibreInput:
    village_code: str
    operator_code: str
    connected_on: datetime.date
    idempotency_key: str | None = _key()


@strawberry.input
class OpenPostalPointInput:
    unit_code: str
    name: str
    operator_code: str | None = strawberry.field(default=None, description="Null: the caller's organisation.")
    opened_on: datetime.date | None = None
    idempotency_key: str | None = _key()


@strawberry.input
class ClosePostalPointInput:
    point_id: strawberry.ID
    effective_date: datetime.date
    idempotency_key: str | None = _key()


@strawberry.input
class RegisterVideoEndpointInput:
    unit_code: str
    installed_on: datetime.date | None = None
    idempotency_key: str | None = _key()


@strawberry.input
class RegisterWifiHotspotInput:
    unit_code: str
    operator_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    installed_on: datetime.date | None = None
    idempotency_key: str | None = _key()


@strawberry.input
class RegisterInformationSystemInput:
    name: str
    owner_agency: str
    hosted_in_data_centre: bool
    idempotency_key: str | None = _key()


@strawberry.input
class ApproveSecurityLevelInput:
    system_id: strawberry.ID
    level: int = strawberry.field(description="1 to 5 (Decree 85/2016).")
    approved_on: datetime.date
    decision: str | None = None
    idempotency_key: str | None = _key()


@strawberry.input
class ChangeDataCentreHostingInput:
    system_id: strawberry.ID
    hosted_in_data_centre: bool = strawberry.field(description="Whether the provincial data centre hosts it from then.")
    effective_on: datetime.date
    idempotency_key: str | None = _key()

"""The registry's command bodies: what its ``/commands/...`` routes take, as the registry
decodes them and the gateway encodes them.

Bodies refuse unknown fields, so a misspelt field is a 400, not a silent default; ``None``
fields are left out when encoded, so the registry's own defaults apply. Partners name units
and organisations by official code; an id in a route's path is not repeated here. The answers
are in :mod:`contracts.api.registry_views`; every command answers a ``CommandResult``.
"""

from __future__ import annotations

import datetime
from typing import Annotated

import msgspec

from contracts.registry_events import (
    AssetKind,
    OperationalStatus,
    OrganisationKind,
    RadioTech,
    StationTechnology,
    TeamLevel,
    UnitLevel,
)

Count = Annotated[int, msgspec.Meta(ge=0, le=2**31 - 1)]
"""A head count the read model stores as a PostgreSQL integer."""


class Body(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    pass


# --- administrative units: /commands/units/... ----------------------------------------------


class RegisterUnitBody(Body, frozen=True):
    code: str
    name: str
    level: UnitLevel
    valid_from: datetime.date
    parent_code: str | None = None
    unit_type: str | None = None


class MergeUnitsBody(Body, frozen=True):
    """Several units end on ``effective_on`` and go into one successor: a new unit
    (``successor``, whose code may reuse a source's) or an existing one (``successor_code``)."""

    source_codes: list[str]
    effective_on: datetime.date
    successor: RegisterUnitBody | None = None
    successor_code: str | None = None


class RenameUnitBody(Body, frozen=True):
    name: str
    effective_on: datetime.date


class ReparentUnitBody(Body, frozen=True):
    parent_code: str
    effective_on: datetime.date


class SplitUnitBody(Body, frozen=True):
    successors: list[RegisterUnitBody]
    effective_on: datetime.date


class DissolveUnitBody(Body, frozen=True):
    effective_on: datetime.date
    reason: str | None = None


# --- organisations and operators ------------------------------------------------------------


class RegisterOrganisationBody(Body, frozen=True):
    code: str
    name: str
    kind: OrganisationKind
    unit_code: str | None = None
    """For a district centre or a commune: the unit it is."""
    as_of: datetime.date | None = None
    """The day ``unit_code`` is resolved on (default: today)."""


class AssignOperatorBody(Body, frozen=True):
    asset_kind: AssetKind
    asset_id: str
    organisation_code: str
    effective_on: datetime.date


# --- community digital teams ----------------------------------------------------------------


class TeamMemberBody(Body, frozen=True):
    name: str
    role: str | None = None


class EstablishTeamBody(Body, frozen=True):
    unit_code: str
    """A commune or a village, resolved on ``established_on``."""
    level: TeamLevel
    established_on: datetime.date
    member_count: Count
    members: list[TeamMemberBody] = msgspec.field(default_factory=list)


class ChangeTeamMembersBody(Body, frozen=True):
    member_count: Count
    effective_on: datetime.date
    members: list[TeamMemberBody] | None = None


class ReportTeamActivityBody(Body, frozen=True):
    reported_on: datetime.date
    households_supported: Count = 0
    sessions: Count = 0
    summary: str | None = None


class DisbandTeamBody(Body, frozen=True):
    effective_on: datetime.date
    reason: str | None = None


# --- radio stations and loudspeaker clusters ------------------------------------------------


class RegisterRadioStationBody(Body, frozen=True):
    unit_code: str
    """A commune, resolved on ``installed_on`` (today if the date is unknown)."""
    technology: StationTechnology
    installed_on: datetime.date | None = None
    funding_source: str | None = None
    operator_code: str | None = None


class UpgradeRadioStationBody(Body, frozen=True):
    technology: StationTechnology
    upgraded_on: datetime.date
    funding_source: str | None = None


class ChangeRadioStationStatusBody(Body, frozen=True):
    status: OperationalStatus
    effective_on: datetime.date
    reason: str | None = None


class RegisterSpeakerClusterBody(Body, frozen=True):
    station_id: str
    village_code: str | None = None
    """A village of the station's commune, resolved on ``installed_on`` (or today)."""
    latitude: float | None = None
    longitude: float | None = None
    installed_on: datetime.date | None = None


class DecommissionSpeakerClusterBody(Body, frozen=True):
    effective_on: datetime.date
    reason: str | None = None


# --- telecom ----------------------------------------------------------------------------------


class CommissionBtsBody(Body, frozen=True):
    operator_code: str
    """A telecom organisation: VNPT, VIETTEL, MOBIFONE…"""
    unit_code: str
    """The commune it stands in, resolved on ``commissioned_on`` (today if unknown)."""
    technologies: list[RadioTech]
    latitude: float | None = None
    longitude: float | None = None
    commissioned_on: datetime.date | None = None


class ChangeBtsTechnologiesBody(Body, frozen=True):
    technologies: list[RadioTech]
    effective_on: datetime.date


class DecommissionBtsBody(Body, frozen=True):
    effective_on: datetime.date


class ConnectVillageFibreBody(Body, frozen=True):
    village_code: str
    operator_code: str
    connected_on: datetime.date


# --- postal points, video-conference endpoints, Wi-Fi hotspots --------------------------------


class OpenPostalPointBody(Body, frozen=True):
    unit_code: str
    name: str
    operator_code: str | None = None
    opened_on: datetime.date | None = None


class ClosePostalPointBody(Body, frozen=True):
    effective_on: datetime.date


class RegisterVideoEndpointBody(Body, frozen=True):
    unit_code: str
    installed_on: datetime.date | None = None


class RegisterWifiHotspotBody(Body, frozen=True):
    unit_code: str
    operator_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    installed_on: datetime.date | None = None


# --- information systems ----------------------------------------------------------------------


class RegisterInformationSystemBody(Body, frozen=True):
    name: str
    owner_agency: str
    hosted_in_data_centre: bool


class ApproveSecurityLevelBody(Body, frozen=True):
    level: int
    approved_on: datetime.date
    decision: str | None = None
    """The approving decision's reference, e.g. "QĐ 123/QĐ-UBND"."""


class ChangeDataCentreHostingBody(Body, frozen=True):
    hosted_in_data_centre: bool
    """Whether the provincial data centre hosts the system from ``effective_on``."""
    effective_on: datetime.date

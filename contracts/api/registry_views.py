"""What the registry's query routes and its bulk import answer, as the registry encodes them
and the gateway decodes them.

Batched queries answer in the order of the ids asked and leave unknown ids out; every query
can be asked "as of" a date where it says so. Unit summaries count over the unit and
everything under it.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

import msgspec

from contracts.registry_events import (
    Coordinates,
    OperationalStatus,
    RadioTech,
    StationTechnology,
    TeamLevel,
    TeamMember,
    UnitLevel,
)

ItemStatus = Literal["created", "unchanged", "rejected"]


# --- administrative units ----------------------------------------------------------------------


class UnitView(msgspec.Struct, frozen=True, kw_only=True):
    unit_id: str
    code: str
    name: str
    level: UnitLevel
    unit_type: str | None
    parent_id: str | None
    valid_from: datetime.date
    valid_to: datetime.date | None
    status: str
    successor_ids: list[str]
    predecessor_ids: list[str]


class UnitPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[UnitView]
    total_count: int
    has_next_page: bool
    end_cursor: str | None


class ChildrenPage(msgspec.Struct, frozen=True, kw_only=True):
    parent_id: str
    page: UnitPage


# --- assets ------------------------------------------------------------------------------------


class OrganisationView(msgspec.Struct, frozen=True, kw_only=True):
    organisation_id: str
    code: str
    name: str
    kind: str
    unit_id: str | None


class DigitalTeamView(msgspec.Struct, frozen=True, kw_only=True):
    team_id: str
    unit_id: str
    level: TeamLevel
    established_on: datetime.date
    member_count: int
    members: list[TeamMember]
    active: bool
    disbanded_on: datetime.date | None
    last_activity_on: datetime.date | None
    activity_reports: int


class RadioStationView(msgspec.Struct, frozen=True, kw_only=True):
    station_id: str
    unit_id: str
    technology: StationTechnology
    status: OperationalStatus
    installed_on: datetime.date | None
    upgraded_on: datetime.date | None
    status_since: datetime.date | None
    funding_source: str | None
    operator_id: str | None
    operator_code: str | None


class SpeakerClusterView(msgspec.Struct, frozen=True, kw_only=True):
    cluster_id: str
    station_id: str
    village_id: str | None
    location: Coordinates | None
    installed_on: datetime.date | None
    status: str
    decommissioned_on: datetime.date | None
    operator_id: str | None


class BtsStationView(msgspec.Struct, frozen=True, kw_only=True):
    bts_id: str
    unit_id: str
    operator_id: str
    operator_code: str | None
    technologies: list[RadioTech]
    location: Coordinates | None
    commissioned_on: datetime.date | None
    decommissioned_on: datetime.date | None
    status: str


class VillageFibreView(msgspec.Struct, frozen=True, kw_only=True):
    village_id: str
    operator_id: str
    operator_code: str | None
    connected_on: datetime.date


class PostalPointView(msgspec.Struct, frozen=True, kw_only=True):
    point_id: str
    unit_id: str
    name: str
    operator_id: str | None
    opened_on: datetime.date | None
    closed_on: datetime.date | None
    status: str


class VideoEndpointView(msgspec.Struct, frozen=True, kw_only=True):
    endpoint_id: str
    unit_id: str
    installed_on: datetime.date | None
    operator_id: str | None


class WifiHotspotView(msgspec.Struct, frozen=True, kw_only=True):
    hotspot_id: str
    unit_id: str
    operator_id: str | None
    location: Coordinates | None
    installed_on: datetime.date | None


class InformationSystemView(msgspec.Struct, frozen=True, kw_only=True):
    system_id: str
    name: str
    owner_agency: str
    hosted_in_data_centre: bool
    security_level: int | None
    approved_on: datetime.date | None
    decision: str | None
    operator_id: str | None


# --- per-unit summaries ------------------------------------------------------------------------


class StationBrief(msgspec.Struct, frozen=True, kw_only=True):
    station_id: str
    technology: str
    status: str


class TeamBrief(msgspec.Struct, frozen=True, kw_only=True):
    team_id: str
    level: str
    member_count: int
    active: bool


class StationCounts(msgspec.Struct, kw_only=True):
    in_service: int = 0
    """Stations not decommissioned."""
    by_technology: dict[str, int] = msgspec.field(default_factory=dict)
    by_status: dict[str, int] = msgspec.field(default_factory=dict)


class ClusterCounts(msgspec.Struct, kw_only=True):
    active: int = 0
    decommissioned: int = 0


class BtsCounts(msgspec.Struct, kw_only=True):
    active: int = 0
    by_operator: dict[str, int] = msgspec.field(default_factory=dict)
    """Active base stations by operator code."""
    by_technology: dict[str, int] = msgspec.field(default_factory=dict)
    """Active base stations carrying each technology (a 3G/4G station counts for both)."""


class FibreCounts(msgspec.Struct, kw_only=True):
    """Over the villages that exist now under the unit (or the unit itself, for a village), so
    the two counts make a ratio (the seeds: fibre in 804 of 1,292 villages)."""

    villages_with_fibre: int = 0
    villages: int = 0


class TeamCounts(msgspec.Struct, kw_only=True):
    active: int = 0
    members: int = 0
    """Members of the active teams."""


class UnitSummary(msgspec.Struct, kw_only=True):
    unit_id: str
    code: str
    name: str
    level: str
    station: StationBrief | None = None
    """The unit's own station (a commune's)."""
    stations: StationCounts = msgspec.field(default_factory=StationCounts)
    clusters: ClusterCounts = msgspec.field(default_factory=ClusterCounts)
    bts: BtsCounts = msgspec.field(default_factory=BtsCounts)
    fibre: FibreCounts = msgspec.field(default_factory=FibreCounts)
    team: TeamBrief | None = None
    """The unit's own digital team: the active one, else the last disbanded."""
    teams: TeamCounts = msgspec.field(default_factory=TeamCounts)
    postal_points: int = 0
    """Open postal service points."""
    video_endpoints: int = 0
    wifi_hotspots: int = 0


# --- bulk import -------------------------------------------------------------------------------


class ItemError(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    code: str
    message: str
    details: dict[str, Any] = {}


class ItemResult(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """``created``: the item appended events; ``unchanged``: it was already done (its
    idempotency record replayed, or an identical unit exists); ``rejected``: ``error`` says why.
    ``line`` is the item's line in an NDJSON body."""

    index: int
    status: ItemStatus
    kind: str | None = None
    line: int | None = None
    unit_id: str | None = None
    code: str | None = None
    error: ItemError | None = None


class ImportReport(msgspec.Struct, frozen=True, kw_only=True):
    created: int
    unchanged: int
    rejected: int
    items: list[ItemResult]

    @classmethod
    def of(cls, items: list[ItemResult]) -> ImportReport:
        counts = dict.fromkeys(("created", "unchanged", "rejected"), 0)
        for item in items:
            counts[item.status] += 1
        return cls(created=counts["created"], unchanged=counts["unchanged"], rejected=counts["rejected"], items=items)


# --- asset listings (``/<assets>/list``): filtered by unit subtree, operator and date, paged ----


class RadioStationPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[RadioStationView]
    total_count: int
    has_next_page: bool
    end_cursor: str | None


class SpeakerClusterPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[SpeakerClusterView]
    total_count: int
    has_next_page: bool
    end_cursor: str | None


class BtsStationPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[BtsStationView]
    total_count: int
    has_next_page: bool
    end_cursor: str | None


class VillageFibrePage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[VillageFibreView]
    total_count: int
    has_next_page: bool
    end_cursor: str | None


class PostalPointPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[PostalPointView]
    total_count: int
    has_next_page: bool
    end_cursor: str | None


class VideoEndpointPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[VideoEndpointView]
    total_count: int
    has_next_page: bool
    end_cursor: str | None


class WifiHotspotPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[WifiHotspotView]
    total_count: int
    has_next_page: bool
    end_cursor: str | None


class DigitalTeamPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[DigitalTeamView]
    total_count: int
    has_next_page: bool
    end_cursor: str | None


class InformationSystemPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[InformationSystemView]
    total_count: int
    has_next_page: bool
    end_cursor: str | None

"""SQL that keeps the assets read model (``registry_assets``): one write per event, to rows of
the event's own stream's entity only (``entrypoints/assets_projection.py`` says why)."""

from __future__ import annotations

import msgspec

from contracts.base import Event
from contracts.envelope import Envelope
from contracts.registry_events import (
    AssetKind,
    AssetOperatorAssigned,
    BtsStationCommissioned,
    BtsStationDecommissioned,
    BtsTechnologiesChanged,
    DigitalTeamActivityReported,
    DigitalTeamDisbanded,
    DigitalTeamEstablished,
    DigitalTeamMembersChanged,
    InformationSystemHostingChanged,
    InformationSystemRegistered,
    OrganisationRegistered,
    PostalPointClosed,
    PostalPointOpened,
    RadioStationRegistered,
    RadioStationStatusChanged,
    RadioStationUpgraded,
    SecurityLevelApproved,
    SpeakerClusterDecommissioned,
    SpeakerClusterRegistered,
    VideoEndpointRegistered,
    VillageFibreConnected,
    WifiHotspotRegistered,
)
from libs.common.db import Conn
from services.registry.adapters import network_writer
from services.registry.adapters.network_writer import latitude_of, longitude_of

ASSET_TABLES: dict[AssetKind, tuple[str, str]] = {
    "radio_station": ("radio_stations", "station_id"),
    "speaker_cluster": ("speaker_clusters", "cluster_id"),
    "bts_station": ("bts_stations", "bts_id"),
    "postal_point": ("postal_points", "point_id"),
    "video_endpoint": ("video_endpoints", "endpoint_id"),
    "wifi_hotspot": ("wifi_hotspots", "hotspot_id"),
    "information_system": ("information_systems", "system_id"),
}
"""Where an operator assignment lands, by the asset kind it names."""


async def write(conn: Conn, s: str, event: Event, envelope: Envelope) -> None:
    """The rows of the event's own entity, in schema ``s``."""
    match event:
        case OrganisationRegistered():
            await conn.execute(
                f"INSERT INTO {s}.organisations (organisation_id, code, name, kind, unit_id) "
                "VALUES ($1, $2, $3, $4, $5)",
                event.organisation_id,
                event.code,
                event.name,
                event.kind,
                event.unit_id,
            )
        case AssetOperatorAssigned():
            table, key = ASSET_TABLES[event.asset_kind]
            await conn.execute(
                f"UPDATE {s}.{table} SET operator_id = $2 WHERE {key} = $1", event.asset_id, event.organisation_id
            )
            await conn.execute(
                f"INSERT INTO {s}.operator_history (event_id, asset_id, asset_kind, organisation_id, "
                "previous_organisation_id, effective_on) VALUES ($1, $2, $3, $4, $5, $6)",
                envelope.event_id,
                event.asset_id,
                event.asset_kind,
                event.organisation_id,
                event.previous_organisation_id,
                event.effective_on,
            )
        case (
            DigitalTeamEstablished()
            | DigitalTeamMembersChanged()
            | DigitalTeamActivityReported()
            | DigitalTeamDisbanded()
        ):
            await _team(conn, s, event, envelope)
        case RadioStationRegistered() | RadioStationUpgraded() | RadioStationStatusChanged():
            await _station(conn, s, event, envelope)
        case SpeakerClusterRegistered():
            await conn.execute(
                f"""INSERT INTO {s}.speaker_clusters
                    (cluster_id, station_id, village_id, latitude, longitude, installed_on, status)
                    VALUES ($1, $2, $3, $4, $5, $6, 'active')""",
                event.cluster_id,
                event.station_id,
                event.village_id,
                latitude_of(event.location),
                longitude_of(event.location),
                event.installed_on,
            )
        case SpeakerClusterDecommissioned():
            await conn.execute(
                f"UPDATE {s}.speaker_clusters SET status = 'decommissioned', decommissioned_on = $2 "
                "WHERE cluster_id = $1",
                event.cluster_id,
                event.effective_on,
            )
        case BtsStationCommissioned() | BtsTechnologiesChanged() | BtsStationDecommissioned() | VillageFibreConnected():
            await network_writer.telecom(conn, s, event)
        case PostalPointOpened() | PostalPointClosed() | VideoEndpointRegistered() | WifiHotspotRegistered():
            await network_writer.facility(conn, s, event)
        case InformationSystemRegistered():
            await conn.execute(
                f"""INSERT INTO {s}.information_systems (system_id, name, owner_agency, hosted_in_data_centre)
                    VALUES ($1, $2, $3, $4)""",
                event.system_id,
                event.name,
                event.owner_agency,
                event.hosted_in_data_centre,
            )
        case InformationSystemHostingChanged():
            await conn.execute(
                f"UPDATE {s}.information_systems SET hosted_in_data_centre = $2 WHERE system_id = $1",
                event.system_id,
                event.hosted_in_data_centre,
            )
        case SecurityLevelApproved():
            await conn.execute(
                f"UPDATE {s}.information_systems SET security_level = $2, approved_on = $3, decision = $4 "
                "WHERE system_id = $1",
                event.system_id,
                event.level,
                event.approved_on,
                event.decision,
            )
            await conn.execute(
                f"INSERT INTO {s}.security_approvals (event_id, system_id, level, approved_on, decision) "
                "VALUES ($1, $2, $3, $4, $5)",
                envelope.event_id,
                event.system_id,
                event.level,
                event.approved_on,
                event.decision,
            )


async def _team(conn: Conn, s: str, event: Event, envelope: Envelope) -> None:
    match event:
        case DigitalTeamEstablished():
            await conn.execute(
                f"""INSERT INTO {s}.digital_teams
                    (team_id, unit_id, level, established_on, member_count, members, active)
                    VALUES ($1, $2, $3, $4, $5, $6, true)""",
                event.team_id,
                event.unit_id,
                event.level,
                event.established_on,
                event.member_count,
                msgspec.json.encode(event.members),
            )
        case DigitalTeamMembersChanged():
            await conn.execute(
                f"UPDATE {s}.digital_teams SET member_count = $2, members = coalesce($3, members), "
                "members_changed_on = $4 WHERE team_id = $1",
                event.team_id,
                event.member_count,
                None if event.members is None else msgspec.json.encode(event.members),
                event.effective_on,
            )
        case DigitalTeamActivityReported():
            await conn.execute(
                f"""UPDATE {s}.digital_teams SET activity_reports = activity_reports + 1,
                    last_activity_on = greatest(last_activity_on, $2) WHERE team_id = $1""",
                event.team_id,
                event.reported_on,
            )
            await conn.execute(
                f"INSERT INTO {s}.team_activities (event_id, team_id, reported_on, households_supported, "
                "sessions, summary) VALUES ($1, $2, $3, $4, $5, $6)",
                envelope.event_id,
                event.team_id,
                event.reported_on,
                event.households_supported,
                event.sessions,
                event.summary,
            )
        case DigitalTeamDisbanded():
            await conn.execute(
                f"UPDATE {s}.digital_teams SET active = false, disbanded_on = $2, disband_reason = $3 "
                "WHERE team_id = $1",
                event.team_id,
                event.effective_on,
                event.reason,
            )


async def _station(conn: Conn, s: str, event: Event, envelope: Envelope) -> None:
    match event:
        case RadioStationRegistered():
            await conn.execute(
                f"""INSERT INTO {s}.radio_stations
                    (station_id, unit_id, technology, status, installed_on, funding_source, operator_id, status_since)
                    VALUES ($1, $2, $3, 'OPERATIONAL', $4, $5, $6, $4)""",
                event.station_id,
                event.unit_id,
                event.technology,
                event.installed_on,
                event.funding_source,
                event.operator_id,
            )
        case RadioStationUpgraded():
            await conn.execute(
                f"UPDATE {s}.radio_stations SET technology = $2, upgraded_on = $3 WHERE station_id = $1",
                event.station_id,
                event.technology,
                event.upgraded_on,
            )
            await conn.execute(
                f"INSERT INTO {s}.station_upgrades (event_id, station_id, upgraded_on, technology, "
                "previous_technology, funding_source) VALUES ($1, $2, $3, $4, $5, $6)",
                envelope.event_id,
                event.station_id,
                event.upgraded_on,
                event.technology,
                event.previous_technology,
                event.funding_source,
            )
        case RadioStationStatusChanged():
            await conn.execute(
                f"UPDATE {s}.radio_stations SET status = $2, status_since = $3 WHERE station_id = $1",
                event.station_id,
                event.status,
                event.effective_on,
            )

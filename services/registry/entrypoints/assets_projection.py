"""Read model of the registry's assets (schema ``registry_assets``): one table per kind.

Tables: ``organisations``, ``digital_teams`` (+ ``team_activities``), ``radio_stations``
(+ ``station_upgrades``), ``speaker_clusters``, ``bts_stations``, ``village_fibre``,
``postal_points``, ``video_endpoints``, ``wifi_hotspots``, ``information_systems``
(+ ``security_approvals``) and ``operator_history``.

Events of one stream arrive in order (the relay keys by stream), but streams land on
different partitions, so e.g. a cluster may be projected before its station, or a base
station before its operator. Every event therefore writes only rows of its own stream's
entity, and relations (cluster → station → commune, asset → operator code, unit → its
descendants in ``registry_units.closure``) are joined at query time, where whichever side
arrives last completes the answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from contracts import registry_events as r
from libs.common.db import Conn
from libs.common.projections.declared import ReadFields, read_model
from libs.common.projections.projection import Applied
from services.registry.adapters import assets_writer
from services.registry.adapters.assets_tables import TABLES_SQL


async def apply(conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
    for item in batch:
        await assets_writer.write(conn, schema, item.event, item.envelope)


READS: ReadFields = {
    r.OrganisationRegistered: ("code", "kind", "name", "organisation_id", "unit_id"),
    r.AssetOperatorAssigned: ("asset_id", "asset_kind", "effective_on", "organisation_id", "previous_organisation_id"),
    r.SpeakerClusterRegistered: ("cluster_id", "installed_on", "location", "station_id", "village_id"),
    r.SpeakerClusterDecommissioned: ("cluster_id", "effective_on"),
    r.InformationSystemRegistered: ("hosted_in_data_centre", "name", "owner_agency", "system_id"),
    r.SecurityLevelApproved: ("approved_on", "decision", "level", "system_id"),
    r.InformationSystemHostingChanged: ("hosted_in_data_centre", "system_id"),
    r.DigitalTeamEstablished: ("established_on", "level", "member_count", "members", "team_id", "unit_id"),
    r.DigitalTeamMembersChanged: ("effective_on", "member_count", "members", "team_id"),
    r.DigitalTeamActivityReported: ("households_supported", "reported_on", "sessions", "summary", "team_id"),
    r.DigitalTeamDisbanded: ("effective_on", "reason", "team_id"),
    r.RadioStationRegistered: ("funding_source", "installed_on", "operator_id", "station_id", "technology", "unit_id"),
    r.RadioStationUpgraded: ("funding_source", "previous_technology", "station_id", "technology", "upgraded_on"),
    r.RadioStationStatusChanged: ("effective_on", "station_id", "status"),
    r.BtsStationCommissioned: ("bts_id", "commissioned_on", "location", "operator_id", "technologies", "unit_id"),
    r.BtsTechnologiesChanged: ("bts_id", "technologies"),
    r.BtsStationDecommissioned: ("bts_id", "effective_on"),
    r.VillageFibreConnected: ("connected_on", "operator_id", "village_id"),
    r.PostalPointOpened: ("name", "opened_on", "operator_id", "point_id", "unit_id"),
    r.PostalPointClosed: ("effective_on", "point_id"),
    r.VideoEndpointRegistered: ("endpoint_id", "installed_on", "unit_id"),
    r.WifiHotspotRegistered: ("hotspot_id", "installed_on", "location", "operator_id", "unit_id"),
}
"""The events it applies and the fields of each it reads (checked against ``contracts``)."""

AssetsProjection = read_model("registry_assets", READS, tables=lambda schema: TABLES_SQL.format(s=schema), apply=apply)

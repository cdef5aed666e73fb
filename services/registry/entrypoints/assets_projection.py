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
from typing import ClassVar

from contracts.catalogue import EventCatalogue
from contracts.reads import Reads, reads
from contracts.registry_events import (
    CATALOGUE,
    AssetOperatorAssigned,
    BtsStationCommissioned,
    BtsStationDecommissioned,
    BtsTechnologiesChanged,
    DigitalTeamActivityReported,
    DigitalTeamDisbanded,
    DigitalTeamEstablished,
    DigitalTeamMembersChanged,
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
from libs.common.projections.projection import Applied, Projection
from services.registry.adapters import assets_writer
from services.registry.adapters.assets_tables import TABLES_SQL


class AssetsProjection(Projection):
    name: ClassVar[str] = "registry_assets"
    service: ClassVar[str] = "registry"
    sources: ClassVar[dict[str, EventCatalogue]] = {"registry": CATALOGUE}
    reads: ClassVar[Reads] = reads(
        {
            OrganisationRegistered: ("code", "kind", "name", "organisation_id", "unit_id"),
            AssetOperatorAssigned: (
                "asset_id",
                "asset_kind",
                "effective_on",
                "organisation_id",
                "previous_organisation_id",
            ),
            SpeakerClusterRegistered: ("cluster_id", "installed_on", "location", "station_id", "village_id"),
            SpeakerClusterDecommissioned: ("cluster_id", "effective_on"),
            InformationSystemRegistered: ("hosted_in_data_centre", "name", "owner_agency", "system_id"),
            SecurityLevelApproved: ("approved_on", "decision", "level", "system_id"),
            DigitalTeamEstablished: ("established_on", "level", "member_count", "members", "team_id", "unit_id"),
            DigitalTeamMembersChanged: ("effective_on", "member_count", "members", "team_id"),
            DigitalTeamActivityReported: ("households_supported", "reported_on", "sessions", "summary", "team_id"),
            DigitalTeamDisbanded: ("effective_on", "reason", "team_id"),
            RadioStationRegistered: (
                "funding_source",
                "installed_on",
                "operator_id",
                "station_id",
                "technology",
                "unit_id",
            ),
            RadioStationUpgraded: ("funding_source", "previous_technology", "station_id", "technology", "upgraded_on"),
            RadioStationStatusChanged: ("effective_on", "station_id", "status"),
            BtsStationCommissioned: ("bts_id", "commissioned_on", "location", "operator_id", "technologies", "unit_id"),
            BtsTechnologiesChanged: ("bts_id", "technologies"),
            BtsStationDecommissioned: ("bts_id", "effective_on"),
            VillageFibreConnected: ("connected_on", "operator_id", "village_id"),
            PostalPointOpened: ("name", "opened_on", "operator_id", "point_id", "unit_id"),
            PostalPointClosed: ("effective_on", "point_id"),
            VideoEndpointRegistered: ("endpoint_id", "installed_on", "unit_id"),
            WifiHotspotRegistered: ("hotspot_id", "installed_on", "location", "operator_id", "unit_id"),
        }
    )

    def tables_sql(self, schema: str) -> str:
        return TABLES_SQL.format(s=schema)

    async def apply(self, conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
        for item in batch:
            await assets_writer.write(conn, schema, item.event, item.envelope)

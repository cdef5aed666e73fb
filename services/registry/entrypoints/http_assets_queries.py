"""Internal REST API for the registry's assets: batched queries by ids or by what holds them
(for the gateway's DataLoaders; answers in the order asked, unknown ids left out), one row each,
and a unit's summary. Every route needs a reader (``READ_SCOPES``); answers are
``contracts.api.registry_views`` shapes. The rows become Litestar routes in
``libs.common.http.query_routes`` (ADR 0034), each given the runtime's pool."""

from __future__ import annotations

import asyncpg
from litestar import Controller, get
from litestar.params import FromPath

from contracts.api.registry_views import (
    BtsStationView,
    DigitalTeamView,
    InformationSystemView,
    OrganisationView,
    PostalPointView,
    RadioStationView,
    SpeakerClusterView,
    UnitSummary,
    VideoEndpointView,
    VillageFibreView,
    WifiHotspotView,
)
from libs.common.errors import NotFoundError
from libs.common.http.context import Reader
from libs.common.http.query_routes import KeysQuery, KeysQueryTable
from services.registry.adapters import assets_read, assets_summary
from services.registry.entrypoints.dependencies import READ_SCOPES, READER
from services.registry.entrypoints.query_params import Runtime, id_list, pooled

Row = KeysQuery[asyncpg.Pool]

ASSET_QUERIES = KeysQueryTable[asyncpg.Pool](
    "/",
    "assets: queries",
    READ_SCOPES,
    id_list,
    [
        Row(
            "/organisations",
            "organisationsByIds",
            "ids",
            list[OrganisationView],
            pooled(assets_read.organisations_by_ids),
        ),
        Row(
            "/organisations/by-code",
            "organisationsByCodes",
            "codes",
            list[OrganisationView],
            pooled(assets_read.organisations_by_codes),
        ),
        Row(
            "/digital-teams",
            "digitalTeamsByIds",
            "ids",
            list[DigitalTeamView],
            pooled(assets_read.digital_teams_by_ids),
        ),
        Row(
            "/digital-teams/by-unit",
            "digitalTeamsByUnits",
            "unit_ids",
            list[DigitalTeamView],
            pooled(assets_read.digital_teams_by_units),
            description="Each unit's team.",
        ),
        Row(
            "/radio-stations",
            "radioStationsByIds",
            "ids",
            list[RadioStationView],
            pooled(assets_read.radio_stations_by_ids),
        ),
        Row(
            "/radio-stations/by-unit",
            "radioStationsByUnits",
            "unit_ids",
            list[RadioStationView],
            pooled(assets_read.radio_stations_by_units),
            description="Each commune's station.",
        ),
        Row(
            "/speaker-clusters",
            "speakerClustersByIds",
            "ids",
            list[SpeakerClusterView],
            pooled(assets_read.speaker_clusters_by_ids),
        ),
        Row(
            "/speaker-clusters/by-station",
            "speakerClustersByStations",
            "station_ids",
            list[SpeakerClusterView],
            pooled(assets_read.speaker_clusters_by_stations),
        ),
        Row("/bts-stations", "btsStationsByIds", "ids", list[BtsStationView], pooled(assets_read.bts_stations_by_ids)),
        Row(
            "/village-fibre/by-village",
            "villageFibreByVillages",
            "village_ids",
            list[VillageFibreView],
            pooled(assets_read.village_fibre_by_villages),
        ),
        Row(
            "/postal-points",
            "postalPointsByIds",
            "ids",
            list[PostalPointView],
            pooled(assets_read.postal_points_by_ids),
        ),
        Row(
            "/video-endpoints",
            "videoEndpointsByIds",
            "ids",
            list[VideoEndpointView],
            pooled(assets_read.video_endpoints_by_ids),
        ),
        Row(
            "/wifi-hotspots",
            "wifiHotspotsByIds",
            "ids",
            list[WifiHotspotView],
            pooled(assets_read.wifi_hotspots_by_ids),
        ),
        Row(
            "/information-systems",
            "informationSystemsByIds",
            "ids",
            list[InformationSystemView],
            pooled(assets_read.information_systems_by_ids),
        ),
        Row(
            "/units/summaries",
            "unitSummaries",
            "ids",
            list[UnitSummary],
            pooled(assets_summary.unit_summaries),
            description="Per-unit asset summaries, each over the unit and its descendants; unknown ids left out.",
        ),
    ],
)


class AssetSummaryController(Controller):
    path = "/"
    tags = ["assets: queries"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    dependencies = {"reader": READER}  # noqa: RUF012

    @get("/units/{unit_id:str}/summary", operation_id="unitSummary")
    async def unit_summary(self, runtime: Runtime, reader: Reader, unit_id: FromPath[str]) -> UnitSummary:
        async with runtime.pool.acquire() as conn:
            found = await assets_summary.unit_summaries(conn, [unit_id])
        if not found:
            raise NotFoundError(f"no unit {unit_id}", code="unknown_unit")
        return found[0]

"""Internal REST API for the registry's assets: batched queries by ids (for the gateway's
DataLoaders; answers in the order asked, unknown ids left out) and per-unit summaries. Every
route needs a reader (``READER``); answers are ``contracts.api.registry_views`` shapes."""

from __future__ import annotations

from litestar import Controller, get
from litestar.params import FromPath, FromQuery

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
from services.registry.adapters import assets_read, assets_summary
from services.registry.entrypoints.dependencies import READER
from services.registry.entrypoints.query_params import Runtime, id_list

Ids = FromQuery[str]


class AssetQueriesController(Controller):
    path = "/"
    tags = ["assets: queries"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    dependencies = {"reader": READER}  # noqa: RUF012

    @get("/organisations", operation_id="organisationsByIds")
    async def organisations(self, runtime: Runtime, reader: Reader, ids: Ids) -> list[OrganisationView]:
        async with runtime.pool.acquire() as conn:
            return await assets_read.organisations_by_ids(conn, id_list(ids))

    @get("/organisations/by-code", operation_id="organisationsByCodes")
    async def organisations_by_codes(self, runtime: Runtime, reader: Reader, codes: Ids) -> list[OrganisationView]:
        async with runtime.pool.acquire() as conn:
            return await assets_read.organisations_by_codes(conn, id_list(codes, "code"))

    @get("/digital-teams", operation_id="digitalTeamsByIds")
    async def digital_teams(self, runtime: Runtime, reader: Reader, ids: Ids) -> list[DigitalTeamView]:
        async with runtime.pool.acquire() as conn:
            return await assets_read.digital_teams_by_ids(conn, id_list(ids))

    @get("/digital-teams/by-unit", operation_id="digitalTeamsByUnits", description="Each unit's team.")
    async def digital_teams_by_units(self, runtime: Runtime, reader: Reader, unit_ids: Ids) -> list[DigitalTeamView]:
        async with runtime.pool.acquire() as conn:
            return await assets_read.digital_teams_by_units(conn, id_list(unit_ids, "unit id"))

    @get("/radio-stations", operation_id="radioStationsByIds")
    async def radio_stations(self, runtime: Runtime, reader: Reader, ids: Ids) -> list[RadioStationView]:
        async with runtime.pool.acquire() as conn:
            return await assets_read.radio_stations_by_ids(conn, id_list(ids))

    @get("/radio-stations/by-unit", operation_id="radioStationsByUnits", description="Each commune's station.")
    async def radio_stations_by_units(self, runtime: Runtime, reader: Reader, unit_ids: Ids) -> list[RadioStationView]:
        async with runtime.pool.acquire() as conn:
            return await assets_read.radio_stations_by_units(conn, id_list(unit_ids, "unit id"))

    @get("/speaker-clusters", operation_id="speakerClustersByIds")
    async def speaker_clusters(self, runtime: Runtime, reader: Reader, ids: Ids) -> list[SpeakerClusterView]:
        async with runtime.pool.acquire() as conn:
            return await assets_read.speaker_clusters_by_ids(conn, id_list(ids))

    @get("/speaker-clusters/by-station", operation_id="speakerClustersByStations")
    async def speaker_clusters_by_stations(
        self, runtime: Runtime, reader: Reader, station_ids: Ids
    ) -> list[SpeakerClusterView]:
        async with runtime.pool.acquire() as conn:
            return await assets_read.speaker_clusters_by_stations(conn, id_list(station_ids, "station id"))

    @get("/bts-stations", operation_id="btsStationsByIds")
    async def bts_stations(self, runtime: Runtime, reader: Reader, ids: Ids) -> list[BtsStationView]:
        async with runtime.pool.acquire() as conn:
            return await assets_read.bts_stations_by_ids(conn, id_list(ids))

    @get("/village-fibre/by-village", operation_id="villageFibreByVillages")
    async def village_fibre(self, runtime: Runtime, reader: Reader, village_ids: Ids) -> list[VillageFibreView]:
        async with runtime.pool.acquire() as conn:
            return await assets_read.village_fibre_by_villages(conn, id_list(village_ids, "village id"))

    @get("/postal-points", operation_id="postalPointsByIds")
    async def postal_points(self, runtime: Runtime, reader: Reader, ids: Ids) -> list[PostalPointView]:
        async with runtime.pool.acquire() as conn:
            return await assets_read.postal_points_by_ids(conn, id_list(ids))

    @get("/video-endpoints", operation_id="videoEndpointsByIds")
    async def video_endpoints(self, runtime: Runtime, reader: Reader, ids: Ids) -> list[VideoEndpointView]:
        async with runtime.pool.acquire() as conn:
            return await assets_read.video_endpoints_by_ids(conn, id_list(ids))

    @get("/wifi-hotspots", operation_id="wifiHotspotsByIds")
    async def wifi_hotspots(self, runtime: Runtime, reader: Reader, ids: Ids) -> list[WifiHotspotView]:
        async with runtime.pool.acquire() as conn:
            return await assets_read.wifi_hotspots_by_ids(conn, id_list(ids))

    @get("/information-systems", operation_id="informationSystemsByIds")
    async def information_systems(self, runtime: Runtime, reader: Reader, ids: Ids) -> list[InformationSystemView]:
        async with runtime.pool.acquire() as conn:
            return await assets_read.information_systems_by_ids(conn, id_list(ids))

    @get(
        "/units/summaries",
        operation_id="unitSummaries",
        description="Per-unit asset summaries, each over the unit and its descendants; unknown ids left out.",
    )
    async def unit_summaries(self, runtime: Runtime, reader: Reader, ids: Ids) -> list[UnitSummary]:
        async with runtime.pool.acquire() as conn:
            return await assets_summary.unit_summaries(conn, id_list(ids))

    @get("/units/{unit_id:str}/summary", operation_id="unitSummary")
    async def unit_summary(self, runtime: Runtime, reader: Reader, unit_id: FromPath[str]) -> UnitSummary:
        async with runtime.pool.acquire() as conn:
            found = await assets_summary.unit_summaries(conn, [unit_id])
        if not found:
            raise NotFoundError(f"no unit {unit_id}", code="unknown_unit")
        return found[0]

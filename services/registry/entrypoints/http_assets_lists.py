"""Internal REST API listing the registry's assets: one ``GET /<assets>/list`` per kind, filtered
by unit subtree (``unit_code``), operator, technology or status and ``as_of``, paged
(``first``, ``after``) with the total count (``services.registry.adapters.assets_lists``).

Every route needs a reader (``READ_SCOPES``); answers are the ``…Page`` shapes of
``contracts.api.registry_views``. Every route takes every filter: one a kind does not have is a
400 (``invalid_query``), a unit code that names no unit that day a 404 (``unknown_unit``). The
rows become Litestar routes in ``libs.common.http.list_routes`` (ADR 0043), each given the
runtime's pool.
"""

from __future__ import annotations

import datetime
from typing import Any

import asyncpg
import msgspec

from contracts.api.registry_views import (
    BtsStationPage,
    DigitalTeamPage,
    InformationSystemPage,
    PostalPointPage,
    RadioStationPage,
    SpeakerClusterPage,
    VideoEndpointPage,
    VillageFibrePage,
    WifiHotspotPage,
)
from libs.common.errors import NotFoundError
from libs.common.http.list_routes import ListQuery, ListQueryTable, Page
from services.registry.adapters import assets_lists, units_read
from services.registry.entrypoints.dependencies import READ_SCOPES
from services.registry.entrypoints.query_params import MAX_PAGE


class AssetQuery(msgspec.Struct, frozen=True, kw_only=True):
    """The filters every listing takes, as the query names them (a unit by its code)."""

    unit_code: str | None = None
    operator_code: str | None = None
    technology: str | None = None
    status: str | None = None
    as_of: datetime.date | None = None


async def list_kind(pool: asyncpg.Pool, kind: str, query: AssetQuery, page: Page) -> Any:
    """One page of ``kind`` (a key of ``assets_lists.LISTINGS``), the unit code resolved on ``as_of``."""
    async with pool.acquire() as conn:
        unit_id = None
        if query.unit_code is not None:
            found = await units_read.units_by_codes(conn, [query.unit_code], query.as_of)
            if not found:
                raise NotFoundError(
                    f"no unit with code {query.unit_code}", code="unknown_unit", details={"code": query.unit_code}
                )
            unit_id = found[0].unit_id
        only = assets_lists.AssetFilter(
            unit_id=unit_id,
            operator_code=query.operator_code,
            technology=query.technology,
            status=query.status,
            as_of=query.as_of,
        )
        return await assets_lists.list_assets(conn, kind, only, page.first, page.after)


Row = ListQuery[str]

ASSET_LISTS = ListQueryTable[asyncpg.Pool, AssetQuery, str](
    "/",
    "assets: listings",
    READ_SCOPES,
    AssetQuery,
    list_kind,
    [
        Row("/radio-stations/list", "listRadioStations", RadioStationPage, "radio_station"),
        Row("/speaker-clusters/list", "listSpeakerClusters", SpeakerClusterPage, "speaker_cluster"),
        Row("/bts-stations/list", "listBtsStations", BtsStationPage, "bts_station"),
        Row("/village-fibre/list", "listVillageFibre", VillageFibrePage, "village_fibre"),
        Row("/postal-points/list", "listPostalPoints", PostalPointPage, "postal_point"),
        Row("/video-endpoints/list", "listVideoEndpoints", VideoEndpointPage, "video_endpoint"),
        Row("/wifi-hotspots/list", "listWifiHotspots", WifiHotspotPage, "wifi_hotspot"),
        Row("/digital-teams/list", "listDigitalTeams", DigitalTeamPage, "digital_team"),
        Row("/information-systems/list", "listInformationSystems", InformationSystemPage, "information_system"),
    ],
    max_first=MAX_PAGE,
)

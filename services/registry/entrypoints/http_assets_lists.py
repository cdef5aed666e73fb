"""Internal REST API listing the registry's assets: one ``GET /<assets>/list`` per kind, filtered
by unit subtree (``unit_code``), operator, technology or status and ``as_of``, paged
(``first``, ``after``) with the total count (``services.registry.adapters.assets_lists``).

Every route needs a reader (``READER``); answers are the ``…Page`` shapes of
``contracts.api.registry_views``. Every route takes every filter: one a kind does not have is a 400 (``invalid_query``),
a unit code that names no unit that day a 404 (``unknown_unit``).
"""

from __future__ import annotations

import datetime
from typing import Any

from litestar import Controller, get
from litestar.params import FromQuery

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
from libs.common.errors import InvalidInputError, NotFoundError
from libs.common.http.context import Reader
from services.registry.adapters import assets_lists, units_read
from services.registry.entrypoints.dependencies import READER
from services.registry.entrypoints.query_params import MAX_PAGE, Runtime

Q = FromQuery[str | None]
AsOf = FromQuery[datetime.date | None]


async def _list(  # noqa: PLR0917 - the query parameters, passed on by name
    runtime: Runtime,
    kind: str,
    unit_code: str | None,
    operator_code: str | None,
    technology: str | None,
    status: str | None,
    as_of: datetime.date | None,
    first: int,
    after: str | None,
) -> Any:
    if not 1 <= first <= MAX_PAGE:
        raise InvalidInputError(f"first must be between 1 and {MAX_PAGE}", code="invalid_query")
    async with runtime.pool.acquire() as conn:
        unit_id = None
        if unit_code is not None:
            found = await units_read.units_by_codes(conn, [unit_code], as_of)
            if not found:
                raise NotFoundError(f"no unit with code {unit_code}", code="unknown_unit", details={"code": unit_code})
            unit_id = found[0].unit_id
        only = assets_lists.AssetFilter(
            unit_id=unit_id, operator_code=operator_code, technology=technology, status=status, as_of=as_of
        )
        return await assets_lists.list_assets(conn, kind, only, first, after)


class AssetListsController(Controller):
    path = "/"
    tags = ["assets: listings"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    dependencies = {"reader": READER}  # noqa: RUF012

    @get("/radio-stations/list", operation_id="listRadioStations")
    async def radio_stations(  # noqa: PLR0917 - query parameters
        self, runtime: Runtime, reader: Reader, unit_code: Q = None, operator_code: Q = None,
        technology: Q = None, status: Q = None, as_of: AsOf = None, first: FromQuery[int] = 50, after: Q = None,
    ) -> RadioStationPage:  # fmt: skip
        page: RadioStationPage = await _list(
            runtime, "radio_station", unit_code, operator_code, technology, status, as_of, first, after
        )
        return page

    @get("/speaker-clusters/list", operation_id="listSpeakerClusters")
    async def speaker_clusters(  # noqa: PLR0917 - query parameters
        self, runtime: Runtime, reader: Reader, unit_code: Q = None, operator_code: Q = None,
        technology: Q = None, status: Q = None, as_of: AsOf = None, first: FromQuery[int] = 50, after: Q = None,
    ) -> SpeakerClusterPage:  # fmt: skip
        page: SpeakerClusterPage = await _list(
            runtime, "speaker_cluster", unit_code, operator_code, technology, status, as_of, first, after
        )
        return page

    @get("/bts-stations/list", operation_id="listBtsStations")
    async def bts_stations(  # noqa: PLR0917 - query parameters
        self, runtime: Runtime, reader: Reader, unit_code: Q = None, operator_code: Q = None,
        technology: Q = None, status: Q = None, as_of: AsOf = None, first: FromQuery[int] = 50, after: Q = None,
    ) -> BtsStationPage:  # fmt: skip
        page: BtsStationPage = await _list(
            runtime, "bts_station", unit_code, operator_code, technology, status, as_of, first, after
        )
        return page

    @get("/village-fibre/list", operation_id="listVillageFibre")
    async def village_fibre(  # noqa: PLR0917 - query parameters
        self, runtime: Runtime, reader: Reader, unit_code: Q = None, operator_code: Q = None,
        technology: Q = None, status: Q = None, as_of: AsOf = None, first: FromQuery[int] = 50, after: Q = None,
    ) -> VillageFibrePage:  # fmt: skip
        page: VillageFibrePage = await _list(
            runtime, "village_fibre", unit_code, operator_code, technology, status, as_of, first, after
        )
        return page

    @get("/postal-points/list", operation_id="listPostalPoints")
    async def postal_points(  # noqa: PLR0917 - query parameters
        self, runtime: Runtime, reader: Reader, unit_code: Q = None, operator_code: Q = None,
        technology: Q = None, status: Q = None, as_of: AsOf = None, first: FromQuery[int] = 50, after: Q = None,
    ) -> PostalPointPage:  # fmt: skip
        page: PostalPointPage = await _list(
            runtime, "postal_point", unit_code, operator_code, technology, status, as_of, first, after
        )
        return page

    @get("/video-endpoints/list", operation_id="listVideoEndpoints")
    async def video_endpoints(  # noqa: PLR0917 - query parameters
        self, runtime: Runtime, reader: Reader, unit_code: Q = None, operator_code: Q = None,
        technology: Q = None, status: Q = None, as_of: AsOf = None, first: FromQuery[int] = 50, after: Q = None,
    ) -> VideoEndpointPage:  # fmt: skip
        page: VideoEndpointPage = await _list(
            runtime, "video_endpoint", unit_code, operator_code, technology, status, as_of, first, after
        )
        return page

    @get("/wifi-hotspots/list", operation_id="listWifiHotspots")
    async def wifi_hotspots(  # noqa: PLR0917 - query parameters
        self, runtime: Runtime, reader: Reader, unit_code: Q = None, operator_code: Q = None,
        technology: Q = None, status: Q = None, as_of: AsOf = None, first: FromQuery[int] = 50, after: Q = None,
    ) -> WifiHotspotPage:  # fmt: skip
        page: WifiHotspotPage = await _list(
            runtime, "wifi_hotspot", unit_code, operator_code, technology, status, as_of, first, after
        )
        return page

    @get("/digital-teams/list", operation_id="listDigitalTeams")
    async def digital_teams(  # noqa: PLR0917 - query parameters
        self, runtime: Runtime, reader: Reader, unit_code: Q = None, operator_code: Q = None,
        technology: Q = None, status: Q = None, as_of: AsOf = None, first: FromQuery[int] = 50, after: Q = None,
    ) -> DigitalTeamPage:  # fmt: skip
        page: DigitalTeamPage = await _list(
            runtime, "digital_team", unit_code, operator_code, technology, status, as_of, first, after
        )
        return page

    @get("/information-systems/list", operation_id="listInformationSystems")
    async def information_systems(  # noqa: PLR0917 - query parameters
        self, runtime: Runtime, reader: Reader, unit_code: Q = None, operator_code: Q = None,
        technology: Q = None, status: Q = None, as_of: AsOf = None, first: FromQuery[int] = 50, after: Q = None,
    ) -> InformationSystemPage:  # fmt: skip
        page: InformationSystemPage = await _list(
            runtime, "information_system", unit_code, operator_code, technology, status, as_of, first, after
        )
        return page

# mypy: disallow-untyped-decorators=False
"""The registry's asset listings: every kind, filtered by unit subtree (``unitCode``: the unit
and everything under it), operator (a partner reads back its own assets with its code),
technology or status, and ``asOf`` (what was in place that day), as Relay connections with
``totalCount``. Each is the registry's ``list…`` route (``services.registry.adapters.assets_lists``);
every field needs ``read``, and what a node reaches past its row goes through the loaders.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

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
from services.gateway.adapters import registry_api
from services.gateway.adapters.internal import ServiceCaller
from services.gateway.graphql.context import context_of
from services.gateway.graphql.pages import checked_first
from services.gateway.graphql.scalars import OperationalStatus, RadioTech, StationTechnology
from services.gateway.graphql.types_registry_assets import (
    Connection,
    InformationSystem,
    PostalPoint,
    VideoEndpoint,
    VillageFibre,
    WifiHotspot,
    connection,
)
from services.gateway.graphql.types_units import BtsStation, DigitalTeam, RadioStation, SpeakerCluster

Ctx = Info[Any, Any]

UNIT_HELP = "The unit and everything under it (on asOf)."
OPERATOR_HELP = "An operator's code: VNPT, VIETTEL, VNPOST…"
AS_OF_HELP = "What was in place that day (without it: everything, ended included)."


UnitCode = Annotated[str | None, strawberry.argument(description=UNIT_HELP)]
OperatorCode = Annotated[str | None, strawberry.argument(description=OPERATOR_HELP)]
AsOf = Annotated[datetime.date | None, strawberry.argument(description=AS_OF_HELP)]


def _reader(info: Ctx) -> ServiceCaller:
    context = context_of(info)
    context.reader()
    return context.caller()


@strawberry.type
class RegistryQuery:
    @strawberry.field(description="Radio stations, by unit subtree, operator, technology, status (registry).")
    async def radio_stations(  # noqa: PLR0917 - GraphQL arguments, passed by name
        self,
        info: Ctx,
        unit_code: UnitCode = None,
        operator_code: OperatorCode = None,
        technology: StationTechnology | None = None,
        status: OperationalStatus | None = None,
        as_of: AsOf = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> Connection[RadioStation]:
        page = await registry_api.list_assets(
            _reader(info),
            "radio_station",
            RadioStationPage,
            unit_code=unit_code,
            operator_code=operator_code,
            technology=technology.value if technology else None,
            status=status.value if status else None,
            as_of=as_of,
            first=checked_first(first),
            after=after,
        )
        return connection([RadioStation.of(s) for s in page.items], [s.station_id for s in page.items], page)

    @strawberry.field(
        description="Loudspeaker clusters, by their station's unit subtree, operator, technology, status (registry)."
    )
    async def speaker_clusters(  # noqa: PLR0917 - GraphQL arguments, passed by name
        self,
        info: Ctx,
        unit_code: UnitCode = None,
        operator_code: OperatorCode = None,
        technology: StationTechnology | None = None,
        status: Annotated[str | None, strawberry.argument(description="active or decommissioned")] = None,
        as_of: AsOf = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> Connection[SpeakerCluster]:
        page = await registry_api.list_assets(
            _reader(info),
            "speaker_cluster",
            SpeakerClusterPage,
            unit_code=unit_code,
            operator_code=operator_code,
            technology=technology.value if technology else None,
            status=status,
            as_of=as_of,
            first=checked_first(first),
            after=after,
        )
        return connection([SpeakerCluster.of(c) for c in page.items], [c.cluster_id for c in page.items], page)

    @strawberry.field(description="Base stations, by unit subtree, operator, technology, status (registry).")
    async def bts_stations(  # noqa: PLR0917 - GraphQL arguments, passed by name
        self,
        info: Ctx,
        unit_code: UnitCode = None,
        operator_code: OperatorCode = None,
        technology: RadioTech | None = None,
        status: Annotated[str | None, strawberry.argument(description="active or decommissioned")] = None,
        as_of: AsOf = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> Connection[BtsStation]:
        page = await registry_api.list_assets(
            _reader(info),
            "bts_station",
            BtsStationPage,
            unit_code=unit_code,
            operator_code=operator_code,
            technology=technology.value if technology else None,
            status=status,
            as_of=as_of,
            first=checked_first(first),
            after=after,
        )
        return connection([BtsStation.of(b) for b in page.items], [b.bts_id for b in page.items], page)

    @strawberry.field(description="Fibre connections per village, by unit subtree and operator (registry).")
    async def village_fibre(  # noqa: PLR0917 - GraphQL arguments, passed by name
        self,
        info: Ctx,
        unit_code: UnitCode = None,
        operator_code: OperatorCode = None,
        as_of: AsOf = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> Connection[VillageFibre]:
        page = await registry_api.list_assets(
            _reader(info),
            "village_fibre",
            VillageFibrePage,
            unit_code=unit_code,
            operator_code=operator_code,
            as_of=as_of,
            first=checked_first(first),
            after=after,
        )
        keys = [f"{f.village_id}|{f.operator_id}" for f in page.items]
        return connection([VillageFibre.of(f) for f in page.items], keys, page)

    @strawberry.field(description="Postal service points, by unit subtree, operator, status (registry).")
    async def postal_points(  # noqa: PLR0917 - GraphQL arguments, passed by name
        self,
        info: Ctx,
        unit_code: UnitCode = None,
        operator_code: OperatorCode = None,
        status: Annotated[str | None, strawberry.argument(description="open or closed")] = None,
        as_of: AsOf = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> Connection[PostalPoint]:
        page = await registry_api.list_assets(
            _reader(info),
            "postal_point",
            PostalPointPage,
            unit_code=unit_code,
            operator_code=operator_code,
            status=status,
            as_of=as_of,
            first=checked_first(first),
            after=after,
        )
        return connection([PostalPoint.of(p) for p in page.items], [p.point_id for p in page.items], page)

    @strawberry.field(description="Video-conference endpoints, by unit subtree and operator (registry).")
    async def video_endpoints(  # noqa: PLR0917 - GraphQL arguments, passed by name
        self,
        info: Ctx,
        unit_code: UnitCode = None,
        operator_code: OperatorCode = None,
        as_of: AsOf = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> Connection[VideoEndpoint]:
        page = await registry_api.list_assets(
            _reader(info),
            "video_endpoint",
            VideoEndpointPage,
            unit_code=unit_code,
            operator_code=operator_code,
            as_of=as_of,
            first=checked_first(first),
            after=after,
        )
        return connection([VideoEndpoint.of(e) for e in page.items], [e.endpoint_id for e in page.items], page)

    @strawberry.field(description="Public Wi-Fi hotspots, by unit subtree and operator (registry).")
    async def wifi_hotspots(  # noqa: PLR0917 - GraphQL arguments, passed by name
        self,
        info: Ctx,
        unit_code: UnitCode = None,
        operator_code: OperatorCode = None,
        as_of: AsOf = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> Connection[WifiHotspot]:
        page = await registry_api.list_assets(
            _reader(info),
            "wifi_hotspot",
            WifiHotspotPage,
            unit_code=unit_code,
            operator_code=operator_code,
            as_of=as_of,
            first=checked_first(first),
            after=after,
        )
        return connection([WifiHotspot.of(h) for h in page.items], [h.hotspot_id for h in page.items], page)

    @strawberry.field(description="Community digital teams, by unit subtree and status (registry).")
    async def digital_teams(  # noqa: PLR0917 - GraphQL arguments, passed by name
        self,
        info: Ctx,
        unit_code: UnitCode = None,
        status: Annotated[str | None, strawberry.argument(description="active or disbanded")] = None,
        as_of: AsOf = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> Connection[DigitalTeam]:
        page = await registry_api.list_assets(
            _reader(info),
            "digital_team",
            DigitalTeamPage,
            unit_code=unit_code,
            status=status,
            as_of=as_of,
            first=checked_first(first),
            after=after,
        )
        return connection([DigitalTeam.of(t) for t in page.items], [t.team_id for t in page.items], page)

    @strawberry.field(description="Information systems, by operator and data-centre hosting (registry).")
    async def information_systems(
        self,
        info: Ctx,
        operator_code: OperatorCode = None,
        hosted_in_data_centre: bool | None = None,
        first: int | None = 50,
        after: str | None = None,
    ) -> Connection[InformationSystem]:
        hosted = None if hosted_in_data_centre is None else ("hosted" if hosted_in_data_centre else "not_hosted")
        page = await registry_api.list_assets(
            _reader(info),
            "information_system",
            InformationSystemPage,
            operator_code=operator_code,
            status=hosted,
            first=checked_first(first),
            after=after,
        )
        return connection([InformationSystem.of(s) for s in page.items], [s.system_id for s in page.items], page)

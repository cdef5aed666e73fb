"""The registry's reads, one row each (ADR 0044): every asset listing, filtered by unit subtree
(``unit_code``: the unit and everything under it), operator (a partner reads back its own
assets with its code), technology or status, and ``as_of`` (what was in place that day), paged
by the registry's cursors and answered as a Relay connection with ``totalCount`` (GraphQL) or
the registry's page (REST). Each is the registry's ``list…`` route
(``services.registry.adapters.assets_lists``); what a node reaches past its row goes through the
loaders.

REST takes every filter of the registry's listings on every route, as the registry does; a
GraphQL field takes those its kind has, typed (a station's technology is an enum).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import replace
from typing import Annotated, Any, TypeAlias

import strawberry
from litestar.openapi.spec import Example
from litestar.params import FromQuery, QueryParameter

from contracts.api import registry_views as views
from services.gateway.adapters import registry_api
from services.gateway.adapters.internal import ServiceCaller
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
from services.gateway.reads.table import Answer, Arg, Field, Read, ReadTable, Route, rest_only

OptionalQuery: TypeAlias = FromQuery[str | None]
DateQuery: TypeAlias = FromQuery[datetime.date | None]

UNIT = Arg(
    "unit_code",
    graphql=Annotated[str | None, strawberry.argument(description="The unit and everything under it (on asOf).")],
    rest=Annotated[str | None, QueryParameter(examples=[Example(value="061")])],
    default=None,
)
OPERATOR = Arg(
    "operator_code",
    graphql=Annotated[str | None, strawberry.argument(description="An operator's code: VNPT, VIETTEL, VNPOST…")],
    rest=Annotated[str | None, QueryParameter(examples=[Example(value="VNPT")])],
    default=None,
)
TECHNOLOGY = Arg("technology", rest=OptionalQuery, default=None)
STATUS = Arg("status", rest=OptionalQuery, default=None)
AS_OF = Arg(
    "as_of",
    graphql=Annotated[
        datetime.date | None,
        strawberry.argument(description="What was in place that day (without it: everything, ended included)."),
    ],
    rest=DateQuery,
    default=None,
)
FIRST = Arg(
    "first",
    graphql=int | None,
    rest=Annotated[int, QueryParameter(ge=1, le=200, examples=[Example(value=50)])],
    default=50,
    from_graphql=checked_first,
    from_rest=checked_first,
)
AFTER = Arg("after", graphql=str | None, rest=OptionalQuery, default=None)

ACTIVE_OR_DECOMMISSIONED = Annotated[str | None, strawberry.argument(description="active or decommissioned")]
ACTIVE_OR_DISBANDED = Annotated[str | None, strawberry.argument(description="active or disbanded")]
OPEN_OR_CLOSED = Annotated[str | None, strawberry.argument(description="open or closed")]


def _hosted(hosted: bool | None) -> str | None:
    return None if hosted is None else ("hosted" if hosted else "not_hosted")


HOSTED = Arg("status", graphql=bool | None, graphql_name="hosted_in_data_centre", from_graphql=_hosted)
"""An information system's status filter, which GraphQL asks as a yes or no."""

FILTERS_HELP = (
    "Filtered by `unit_code` (the unit and everything under it), `operator_code`, `technology`, "
    "`status` and `as_of` (what was in place that day) where the kind has them; paged by `first` "
    "and `after` (a page's `end_cursor`), with `total_count`."
)


def _shown(arg: Arg, graphql: Any) -> Arg:
    """``arg`` on GraphQL as ``graphql`` says: ``True`` as declared, ``None`` not at all, an
    annotation as that type, an ``Arg`` as that argument (on REST as ``arg``)."""
    if graphql is True:
        return arg
    if graphql is None:
        return rest_only(arg)
    if isinstance(graphql, Arg):
        return replace(graphql, rest=arg.rest, default=arg.default)
    return replace(arg, graphql=graphql)


def filters(
    *, unit: Any = True, operator: Any = True, technology: Any = None, status: Any = None, as_of: Any = True
) -> tuple[Arg, ...]:
    """A listing's arguments: every filter on REST, those the kind has on GraphQL."""
    return (
        _shown(UNIT, unit),
        _shown(OPERATOR, operator),
        _shown(TECHNOLOGY, technology),
        _shown(STATUS, status),
        _shown(AS_OF, as_of),
        FIRST,
        AFTER,
    )


def listing(
    operation_id: str,
    kind: str,
    page: type[Any],
    args: tuple[Arg, ...],
    *,
    field: str,
    node: Any,
    key: Callable[[Any], str],
    path: str,
    description: str,
    summary: str,
) -> Read:
    """A row of the registry's listing of ``kind``: its GraphQL connection of ``node``s (the edge
    cursor from ``key``), its REST route answering the registry's ``page`` as it is."""

    async def call(caller: ServiceCaller, **filters: Any) -> Any:
        return await registry_api.list_assets(caller, kind, page, **filters)

    def edges(found: Any, _: object) -> Any:
        return connection([node.of(item) for item in found.items], [key(item) for item in found.items], found)

    return Read(
        operation_id,
        call,
        args,
        Field(field, Answer(Connection[node], edges), description),
        Route(path, Answer(page, lambda found, _: found), summary, FILTERS_HELP),
    )


REGISTRY_READS = ReadTable(
    "RegistryQuery",
    "public API: registry",
    (
        listing(
            "listRadioStations",
            "radio_station",
            views.RadioStationPage,
            filters(technology=StationTechnology | None, status=OperationalStatus | None),
            field="radio_stations",
            node=RadioStation,
            key=lambda s: s.station_id,
            path="/radio-stations",
            description="Radio stations, by unit subtree, operator, technology, status (registry).",
            summary="Radio stations",
        ),
        listing(
            "listSpeakerClusters",
            "speaker_cluster",
            views.SpeakerClusterPage,
            filters(technology=StationTechnology | None, status=ACTIVE_OR_DECOMMISSIONED),
            field="speaker_clusters",
            node=SpeakerCluster,
            key=lambda c: c.cluster_id,
            path="/speaker-clusters",
            description=(
                "Loudspeaker clusters, by their station's unit subtree, operator, technology, status (registry)."
            ),
            summary="Loudspeaker clusters",
        ),
        listing(
            "listBtsStations",
            "bts_station",
            views.BtsStationPage,
            filters(technology=RadioTech | None, status=ACTIVE_OR_DECOMMISSIONED),
            field="bts_stations",
            node=BtsStation,
            key=lambda b: b.bts_id,
            path="/bts-stations",
            description="Base stations, by unit subtree, operator, technology, status (registry).",
            summary="Base stations",
        ),
        listing(
            "listVillageFibre",
            "village_fibre",
            views.VillageFibrePage,
            filters(),
            field="village_fibre",
            node=VillageFibre,
            key=lambda f: f"{f.village_id}|{f.operator_id}",
            path="/village-fibre",
            description="Fibre connections per village, by unit subtree and operator (registry).",
            summary="Fibre per village",
        ),
        listing(
            "listPostalPoints",
            "postal_point",
            views.PostalPointPage,
            filters(status=OPEN_OR_CLOSED),
            field="postal_points",
            node=PostalPoint,
            key=lambda p: p.point_id,
            path="/postal-points",
            description="Postal service points, by unit subtree, operator, status (registry).",
            summary="Postal points",
        ),
        listing(
            "listVideoEndpoints",
            "video_endpoint",
            views.VideoEndpointPage,
            filters(),
            field="video_endpoints",
            node=VideoEndpoint,
            key=lambda e: e.endpoint_id,
            path="/video-endpoints",
            description="Video-conference endpoints, by unit subtree and operator (registry).",
            summary="Video-conference endpoints",
        ),
        listing(
            "listWifiHotspots",
            "wifi_hotspot",
            views.WifiHotspotPage,
            filters(),
            field="wifi_hotspots",
            node=WifiHotspot,
            key=lambda h: h.hotspot_id,
            path="/wifi-hotspots",
            description="Public Wi-Fi hotspots, by unit subtree and operator (registry).",
            summary="Wi-Fi hotspots",
        ),
        listing(
            "listDigitalTeams",
            "digital_team",
            views.DigitalTeamPage,
            filters(
                operator=None, status=Annotated[str | None, strawberry.argument(description="active or disbanded")]
            ),
            field="digital_teams",
            node=DigitalTeam,
            key=lambda t: t.team_id,
            path="/digital-teams",
            description="Community digital teams, by unit subtree and status (registry).",
            summary="Digital teams",
        ),
        listing(
            "listInformationSystems",
            "information_system",
            views.InformationSystemPage,
            filters(unit=None, status=HOSTED, as_of=None),
            field="information_systems",
            node=InformationSystem,
            key=lambda s: s.system_id,
            path="/information-systems",
            description="Information systems, by operator and data-centre hosting (registry).",
            summary="Information systems",
        ),
    ),
)

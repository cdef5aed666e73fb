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
from contracts.api.unit_groups import UnitGroupPage, UnitGroupView
from libs.common.http.routes import snake_name
from services.gateway.adapters import registry_api
from services.gateway.adapters.internal import ServiceCaller
from services.gateway.graphql.scalars import OperationalStatus, RadioTech, StationTechnology, UnitLevel
from services.gateway.graphql.types_registry_assets import (
    Connection,
    InformationSystem,
    PostalPoint,
    VideoEndpoint,
    VillageFibre,
    WifiHotspot,
    connection,
)
from services.gateway.graphql.types_unit_groups import UnitGroupConnection
from services.gateway.graphql.types_units import (
    AdministrativeUnitConnection,
    BtsStation,
    DigitalTeam,
    RadioStation,
    SpeakerCluster,
)
from services.gateway.reads.table import PAGE_SIZE, Answer, Arg, Asked, Field, Read, ReadTable, Route, rest_only
from services.gateway.rest.registry_public import UnitPage, public

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
        PAGE_SIZE,
        AFTER,
    )


def listing(  # noqa: PLR0917 - a row of the table, read in order as a CommandRoute is
    operation_id: str,
    page: type[Any],
    node: Any,
    key: Callable[[Any], str],
    args: tuple[Arg, ...],
    summary: str,
    description: str,
) -> Read:
    """A row of a registry listing: ``listRadioStations`` is the registry's ``radio_station``
    listing, GraphQL's ``radioStations`` connection of ``node``s (an edge's cursor from ``key``)
    and REST's ``/radio-stations`` answering the registry's ``page`` as it is."""
    field = snake_name(operation_id.removeprefix("list"))
    kind = field.removesuffix("s")
    if kind not in registry_api.LISTS:  # refused when the gateway starts, not at a query
        raise LookupError(f"{operation_id}: the registry has no {kind} listing")

    async def call(caller: ServiceCaller, **filters: Any) -> Any:
        return await registry_api.list_assets(caller, kind, page, **filters)

    def edges(found: Any, _: object) -> Any:
        return connection([node.of(item) for item in found.items], [key(item) for item in found.items], found)

    return Read(
        operation_id,
        call,
        args,
        Field(field, Answer(Connection[node], edges), description),
        Route("/" + field.replace("_", "-"), Answer(page, lambda found, _: found), summary, FILTERS_HELP),
    )


UNITS = Read(
    "listUnits",
    registry_api.list_units,
    (
        Arg(
            "level",
            graphql=UnitLevel | None,
            rest=Annotated[str | None, QueryParameter(examples=[Example(value="commune")])],
            default=None,
        ),
        Arg(
            "parent_code",
            graphql=str | None,
            rest=Annotated[str | None, QueryParameter(examples=[Example(value="060")])],
            default=None,
        ),
        Arg(
            "search",
            graphql=str | None,
            rest=Annotated[str | None, QueryParameter(examples=[Example(value="Nam Mau")])],
            default=None,
        ),
        replace(AS_OF, graphql=datetime.date | None),
        PAGE_SIZE,
        AFTER,
    ),
    Field(
        "units",
        Answer(AdministrativeUnitConnection, lambda page, asked: AdministrativeUnitConnection.of(page, asked.as_of)),
        "Units in code order; search ignores case and Vietnamese diacritics.",
    ),
    Route(
        "/units",
        Answer(UnitPage, lambda page, _: public(page, UnitPage)),
        "Units in code order, filtered, paged",
        tag="public API",
    ),
)


def _groups_page(found: list[UnitGroupView], asked: Asked) -> UnitGroupPage:
    page = asked.page(found)
    return UnitGroupPage(
        items=page.items, total_count=page.total_count, has_next_page=page.has_next_page, end_cursor=page.end_cursor
    )


UNIT_GROUPS = Read(
    "unitGroups",
    registry_api.unit_groups,
    (
        Arg(
            "group_codes",
            graphql=Annotated[list[str] | None, strawberry.argument(description="Only these groups (by code).")],
            rest=Annotated[
                str | None, QueryParameter(description="comma-separated", examples=[Example(value="PILOT_CDS_2023")])
            ],
            default=None,
            graphql_name="codes",
            from_rest=lambda raw: [c.strip() for c in raw.split(",") if c.strip()] if raw else None,
        ),
        replace(
            AS_OF,
            graphql=Annotated[
                datetime.date | None,
                strawberry.argument(description="The members that day (without it: every membership, past ones too)."),
            ],
        ),
        replace(PAGE_SIZE, to_call=False),
        replace(AFTER, to_call=False),
    ),
    Field(
        "unit_groups",
        Answer(UnitGroupConnection, lambda found, asked: UnitGroupConnection.of(asked.page(found))),
        "Named groups of units (pilot communes, Chợ 4.0 markets…) with their members on a day (ADR 0056).",
    ),
    Route(
        "/unit-groups",
        Answer(UnitGroupPage, _groups_page),
        "Unit groups with their members on a day",
    ),
)

REGISTRY_READS = ReadTable(
    "RegistryQuery",
    "public API: registry",
    (
        UNITS,
        UNIT_GROUPS,
        listing(
            "listRadioStations",
            views.RadioStationPage,
            RadioStation,
            lambda s: s.station_id,
            filters(technology=StationTechnology | None, status=OperationalStatus | None),
            "Radio stations",
            "Radio stations, by unit subtree, operator, technology, status (registry).",
        ),
        listing(
            "listSpeakerClusters",
            views.SpeakerClusterPage,
            SpeakerCluster,
            lambda c: c.cluster_id,
            filters(technology=StationTechnology | None, status=ACTIVE_OR_DECOMMISSIONED),
            "Loudspeaker clusters",
            "Loudspeaker clusters, by their station's unit subtree, operator, technology, status (registry).",
        ),
        listing(
            "listBtsStations",
            views.BtsStationPage,
            BtsStation,
            lambda b: b.bts_id,
            filters(technology=RadioTech | None, status=ACTIVE_OR_DECOMMISSIONED),
            "Base stations",
            "Base stations, by unit subtree, operator, technology, status (registry).",
        ),
        listing(
            "listVillageFibre",
            views.VillageFibrePage,
            VillageFibre,
            lambda f: f"{f.village_id}|{f.operator_id}",
            filters(),
            "Fibre per village",
            "Fibre connections per village, by unit subtree and operator (registry).",
        ),
        listing(
            "listPostalPoints",
            views.PostalPointPage,
            PostalPoint,
            lambda p: p.point_id,
            filters(status=OPEN_OR_CLOSED),
            "Postal points",
            "Postal service points, by unit subtree, operator, status (registry).",
        ),
        listing(
            "listVideoEndpoints",
            views.VideoEndpointPage,
            VideoEndpoint,
            lambda e: e.endpoint_id,
            filters(),
            "Video-conference endpoints",
            "Video-conference endpoints, by unit subtree and operator (registry).",
        ),
        listing(
            "listWifiHotspots",
            views.WifiHotspotPage,
            WifiHotspot,
            lambda h: h.hotspot_id,
            filters(),
            "Wi-Fi hotspots",
            "Public Wi-Fi hotspots, by unit subtree and operator (registry).",
        ),
        listing(
            "listDigitalTeams",
            views.DigitalTeamPage,
            DigitalTeam,
            lambda t: t.team_id,
            filters(operator=None, status=ACTIVE_OR_DISBANDED),
            "Digital teams",
            "Community digital teams, by unit subtree and status (registry).",
        ),
        listing(
            "listInformationSystems",
            views.InformationSystemPage,
            InformationSystem,
            lambda s: s.system_id,
            filters(unit=None, status=HOSTED, as_of=None),
            "Information systems",
            "Information systems, by operator and data-centre hosting (registry).",
        ),
    ),
)

# mypy: disallow-untyped-decorators=False
"""The registry's assets beyond units, stations, clusters, base stations and teams
(``types_units``): organisations, fibre per village, postal points, video-conference endpoints,
Wi-Fi hotspots and information systems, built from their contract shapes
(``contracts.api.registry_views``), and the Relay connections of every asset listing.

What a type holds is the row's own (its ids, dates, status); its ``unit`` and ``operator``
reach past it, through the loaders, and so need ``read`` (ADR 0020).
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry
from strawberry.types import Info

from contracts.api.registry_views import (
    InformationSystemView,
    OrganisationView,
    PostalPointView,
    VideoEndpointView,
    VillageFibreView,
    WifiHotspotView,
)
from services.gateway.adapters import registry_api
from services.gateway.adapters.internal import ServiceCaller
from services.gateway.graphql.context import context_of
from services.gateway.graphql.contract_types import FromContract, contract_type
from services.gateway.graphql.ids import global_id
from services.gateway.graphql.registry_values import Location  # noqa: F401 - built before the types nesting it
from services.gateway.graphql.types_units import (
    AdministrativeUnit,
    BtsStation,
    DigitalTeam,
    Node,
    PageInfo,
    RadioStation,
    SpeakerCluster,
    required_unit,
)

Ctx = Info[Any, Any]
N = TypeVar("N")


@contract_type(
    OrganisationView,
    fields=("code", "name", "kind"),
    descriptions={"kind": "telecom, post, district_centre, commune, province_agency or other."},
    description="An organisation: an operator (VNPT, VIETTEL, VNPOST), a centre, an agency.",
)
class Organisation(Node, FromContract[OrganisationView]):
    id: strawberry.ID

    @classmethod
    def of(cls, view: OrganisationView, /, **extra: Any) -> Organisation:
        return cls.from_view(view, id=global_id("Organisation", view.organisation_id), **extra)


async def _operator(info: Ctx, operator_id: str | None) -> Organisation | None:
    if operator_id is None:
        return None
    view = await context_of(info).loaders.organisation_by_id.load(operator_id)
    return Organisation.of(view) if view else None


@contract_type(
    VillageFibreView,
    fields=("operator_code", "connected_on"),
    description="A village's fibre connection by one operator.",
)
class VillageFibre(FromContract[VillageFibreView]):
    @strawberry.field
    async def village(self, info: Ctx) -> AdministrativeUnit:
        return await required_unit(info, self.view.village_id)


@contract_type(
    PostalPointView,
    fields=("name", "opened_on", "closed_on", "status"),
    descriptions={"status": "open or closed."},
    description="A postal service point (điểm bưu điện văn hoá xã, bưu cục).",
)
class PostalPoint(Node, FromContract[PostalPointView]):
    id: strawberry.ID

    @classmethod
    def of(cls, view: PostalPointView, /, **extra: Any) -> PostalPoint:
        return cls.from_view(view, id=global_id("PostalPoint", view.point_id), **extra)

    @strawberry.field
    async def unit(self, info: Ctx) -> AdministrativeUnit:
        return await required_unit(info, self.view.unit_id)

    @strawberry.field(description="Who runs it (the post, VNPOST, by default).")
    async def operator(self, info: Ctx) -> Organisation | None:
        return await _operator(info, self.view.operator_id)


@contract_type(
    VideoEndpointView,
    fields=("installed_on",),
    description="A video-conference endpoint of a commune's or district's people's committee.",
)
class VideoEndpoint(Node, FromContract[VideoEndpointView]):
    id: strawberry.ID

    @classmethod
    def of(cls, view: VideoEndpointView, /, **extra: Any) -> VideoEndpoint:
        return cls.from_view(view, id=global_id("VideoEndpoint", view.endpoint_id), **extra)

    @strawberry.field
    async def unit(self, info: Ctx) -> AdministrativeUnit:
        return await required_unit(info, self.view.unit_id)

    @strawberry.field
    async def operator(self, info: Ctx) -> Organisation | None:
        return await _operator(info, self.view.operator_id)


@contract_type(
    WifiHotspotView,
    fields=("location", "installed_on"),
    description="A public Wi-Fi hotspot.",
)
class WifiHotspot(Node, FromContract[WifiHotspotView]):
    id: strawberry.ID

    @classmethod
    def of(cls, view: WifiHotspotView, /, **extra: Any) -> WifiHotspot:
        return cls.from_view(view, id=global_id("WifiHotspot", view.hotspot_id), **extra)

    @strawberry.field
    async def unit(self, info: Ctx) -> AdministrativeUnit:
        return await required_unit(info, self.view.unit_id)

    @strawberry.field
    async def operator(self, info: Ctx) -> Organisation | None:
        return await _operator(info, self.view.operator_id)


@contract_type(
    InformationSystemView,
    fields=("name", "owner_agency", "hosted_in_data_centre", "security_level", "approved_on", "decision"),
    descriptions={
        "hosted_in_data_centre": "Hosted in the province's data centre.",
        "security_level": "The approved level (1 to 5, Decree 85/2016), null until approved.",
        "approved_on": "The day the security level was approved.",
        "decision": 'The approving decision, e.g. "QĐ 123/QĐ-UBND".',
    },
    description="An information system of a provincial agency.",
)
class InformationSystem(Node, FromContract[InformationSystemView]):
    id: strawberry.ID

    @classmethod
    def of(cls, view: InformationSystemView, /, **extra: Any) -> InformationSystem:
        return cls.from_view(view, id=global_id("InformationSystem", view.system_id), **extra)

    @strawberry.field
    async def operator(self, info: Ctx) -> Organisation | None:
        return await _operator(info, self.view.operator_id)


REGISTRY_NODES: dict[str, tuple[Callable[[ServiceCaller, list[str]], Awaitable[list[Any]]], Callable[[Any], Node]]] = {
    "Organisation": (registry_api.organisations_by_ids, Organisation.of),
    "PostalPoint": (registry_api.postal_points_by_ids, PostalPoint.of),
    "VideoEndpoint": (registry_api.video_endpoints_by_ids, VideoEndpoint.of),
    "WifiHotspot": (registry_api.wifi_hotspots_by_ids, WifiHotspot.of),
    "InformationSystem": (registry_api.systems_by_ids, InformationSystem.of),
}
"""The types of this module ``node(id)`` fetches: each one's read by ids and its builder."""


async def registry_node(caller: ServiceCaller, type_name: str, raw: str) -> Node | None:
    fetch, build = REGISTRY_NODES[type_name]
    found = await fetch(caller, [raw])
    return build(found[0]) if found else None


# --- connections ------------------------------------------------------------------------------


@strawberry.type
class Edge(Generic[N]):
    node: N
    cursor: str


@strawberry.type
class Connection(Generic[N]):
    """A page of a listing: Relay edges, the page's end, and how many match in all."""

    edges: list[Edge[N]]
    page_info: PageInfo
    total_count: int


def asset_cursor(key: str) -> str:
    """The registry pages a listing by its key (an asset's id; a village's id, ``|`` and the
    operator's id for fibre) and reads its ``after`` cursor in this form, so an edge's cursor
    can be handed back to it as it is."""
    return base64.urlsafe_b64encode(key.encode()).decode()


def connection(nodes: list[N], keys: list[str], page: Any) -> Connection[N]:
    """``page`` is a registry ``…Page``, ``keys`` its items' keys, in order."""
    edges = [Edge(node=n, cursor=asset_cursor(k)) for n, k in zip(nodes, keys, strict=True)]
    return Connection(
        edges=edges,
        page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
        total_count=page.total_count,
    )


RadioStationConnection = Connection[RadioStation]
SpeakerClusterConnection = Connection[SpeakerCluster]
BtsStationConnection = Connection[BtsStation]
DigitalTeamConnection = Connection[DigitalTeam]
VillageFibreConnection = Connection[VillageFibre]
PostalPointConnection = Connection[PostalPoint]
VideoEndpointConnection = Connection[VideoEndpoint]
WifiHotspotConnection = Connection[WifiHotspot]
InformationSystemConnection = Connection[InformationSystem]

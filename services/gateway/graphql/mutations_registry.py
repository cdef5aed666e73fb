# mypy: disallow-untyped-decorators=False
"""The registry's commands beyond registering (``mutations``): units renamed, re-parented,
split and dissolved; digital teams; stations upgraded, their status and operator changed;
clusters and base stations decommissioned; fibre, postal points, video-conference endpoints,
Wi-Fi hotspots, information systems. Each mutation is named as the registry's route
(``operation_id``) and forwarded as the caller, who the registry checks for scope and
ownership; its result is read back as the writer once the read model shows the change.
"""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry
from strawberry.types import Info

from contracts.api.registry import (
    ApproveSecurityLevelBody,
    AssignOperatorBody,
    ChangeBtsTechnologiesBody,
    ChangeDataCentreHostingBody,
    ChangeRadioStationStatusBody,
    ChangeTeamMembersBody,
    ClosePostalPointBody,
    ConnectVillageFibreBody,
    DecommissionBtsBody,
    DecommissionSpeakerClusterBody,
    DisbandTeamBody,
    DissolveUnitBody,
    EstablishTeamBody,
    OpenPostalPointBody,
    RegisterInformationSystemBody,
    RegisterVideoEndpointBody,
    RegisterWifiHotspotBody,
    RenameUnitBody,
    ReparentUnitBody,
    ReportTeamActivityBody,
    SplitUnitBody,
    TeamMemberBody,
    UpgradeRadioStationBody,
)
from contracts.api.registry_views import (
    BtsStationView,
    DigitalTeamView,
    InformationSystemView,
    PostalPointView,
    RadioStationView,
    SpeakerClusterView,
    UnitView,
)
from contracts.registry_events import AssetKind
from libs.common.errors import InvalidInputError, NotFoundError
from services.gateway.adapters import registry_api
from services.gateway.adapters.internal import ServiceCaller
from services.gateway.graphql.context import context_of
from services.gateway.graphql.ids import raw_id, split_id
from services.gateway.graphql.inputs_registry import (
    ApproveSecurityLevelInput,
    AssignAssetOperatorInput,
    ChangeBtsTechnologiesInput,
    ChangeDataCentreHostingInput,
    ChangeDigitalTeamMembersInput,
    ChangeRadioStationStatusInput,
    ClosePostalPointInput,
    ConnectVillageFibreInput,
    DecommissionBtsStationInput,
    DecommissionSpeakerClusterInput,
    DisbandDigitalTeamInput,
    DissolveUnitInput,
    EstablishDigitalTeamInput,
    OpenPostalPointInput,
    RegisterInformationSystemInput,
    RegisterVideoEndpointInput,
    RegisterWifiHotspotInput,
    RenameUnitInput,
    ReparentUnitInput,
    ReportDigitalTeamActivityInput,
    SplitUnitInput,
    TeamMemberInput,
    UpgradeRadioStationInput,
)
from services.gateway.graphql.mutations import _unit_body
from services.gateway.graphql.read_back import read_back
from services.gateway.graphql.types_registry_assets import (
    InformationSystem,
    PostalPoint,
    VideoEndpoint,
    VillageFibre,
    WifiHotspot,
)
from services.gateway.graphql.types_units import (
    AdministrativeUnit,
    BtsStation,
    DigitalTeam,
    Node,
    RadioStation,
    SpeakerCluster,
)

Ctx = Info[Any, Any]
V = TypeVar("V")

OPERATED: dict[AssetKind, tuple[Callable[[ServiceCaller, list[str]], Awaitable[list[Any]]], Callable[[Any], Node]]] = {
    "radio_station": (registry_api.stations_by_ids, RadioStation.of),
    "speaker_cluster": (registry_api.clusters_by_ids, SpeakerCluster.of),
    "bts_station": (registry_api.bts_by_ids, BtsStation.of),
    "postal_point": (registry_api.postal_points_by_ids, PostalPoint.of),
    "video_endpoint": (registry_api.video_endpoints_by_ids, VideoEndpoint.of),
    "wifi_hotspot": (registry_api.wifi_hotspots_by_ids, WifiHotspot.of),
    "information_system": (registry_api.systems_by_ids, InformationSystem.of),
}
"""Each operated kind's read by ids and its GraphQL type: an assignment's read-back."""

ASSET_KINDS: dict[str, AssetKind] = {
    "RadioStation": "radio_station",
    "SpeakerCluster": "speaker_cluster",
    "BtsStation": "bts_station",
    "PostalPoint": "postal_point",
    "VideoEndpoint": "video_endpoint",
    "WifiHotspot": "wifi_hotspot",
    "InformationSystem": "information_system",
}
"""The asset kind a global id's type names, for assigning an operator."""


def _writer(info: Ctx) -> ServiceCaller:
    return context_of(info).writer()


async def _until(
    caller: ServiceCaller,
    fetch: Callable[[], Awaitable[list[V]]],
    done: Callable[[V], bool],
    what: str,
    reads: str,
) -> V:
    """The first item ``fetch`` answers once ``done`` holds for it (the read model ``reads``
    caught up); a read model still behind at the deadline answers the item as it shows it, with
    a warning."""

    async def current() -> V | None:
        found = await fetch()
        return found[0] if found else None

    async def probe() -> V | None:
        item = await current()
        return item if item is not None and done(item) else None

    return await read_back(caller, probe, what, reads=reads, accepted=current)


async def _asset_until(
    caller: ServiceCaller, fetch: Callable[[], Awaitable[list[V]]], done: Callable[[V], bool], what: str
) -> V:
    """:func:`_until` for an asset (a team, station, cluster, base station, postal point,
    endpoint, hotspot or system): all are read from the registry's assets read model."""
    return await _until(caller, fetch, done, what, registry_api.ASSETS_READ_MODEL)


async def unit_id_of(caller: ServiceCaller, code: str, on: datetime.date | None) -> str:
    """The id of the unit holding ``code`` on ``on``, or else the day before: what the registry's
    unit routes take. A unit split or dissolved on ``on`` holds its code until the day before,
    so a retried command (its idempotency key) still names it and gets its first answer."""
    found = await registry_api.units_by_codes(caller, [code], on)
    if not found and on is not None:
        found = await registry_api.units_by_codes(caller, [code], on - datetime.timedelta(days=1))
    if not found:
        raise NotFoundError(f"no unit with code {code} on {on or 'today'}", code="unknown_unit", details={"code": code})
    return found[0].unit_id


def _members(members: list[TeamMemberInput] | None) -> list[TeamMemberBody] | None:
    return None if members is None else [TeamMemberBody(name=m.name, role=m.role) for m in members]


async def _unit_on(
    caller: ServiceCaller, unit_id: str, on: datetime.date, done: Callable[[UnitView], bool]
) -> AdministrativeUnit:
    unit = await _until(
        caller,
        lambda: registry_api.units_by_ids(caller, [unit_id], on),
        done,
        f"unit {unit_id}",
        registry_api.UNITS_READ_MODEL,
    )
    return AdministrativeUnit.of(unit, on)


async def _team(caller: ServiceCaller, team_id: str, done: Callable[[DigitalTeamView], bool]) -> DigitalTeam:
    view = await _asset_until(
        caller, lambda: registry_api.teams_by_ids(caller, [team_id]), done, f"digital team {team_id}"
    )
    return DigitalTeam.of(view)


async def _station(caller: ServiceCaller, station_id: str, done: Callable[[RadioStationView], bool]) -> RadioStation:
    view = await _asset_until(
        caller, lambda: registry_api.stations_by_ids(caller, [station_id]), done, f"station {station_id}"
    )
    return RadioStation.of(view)


async def _bts(caller: ServiceCaller, bts_id: str, done: Callable[[BtsStationView], bool]) -> BtsStation:
    view = await _asset_until(caller, lambda: registry_api.bts_by_ids(caller, [bts_id]), done, f"base station {bts_id}")
    return BtsStation.of(view)


async def _point(caller: ServiceCaller, point_id: str, done: Callable[[PostalPointView], bool]) -> PostalPoint:
    view = await _asset_until(
        caller, lambda: registry_api.postal_points_by_ids(caller, [point_id]), done, f"postal point {point_id}"
    )
    return PostalPoint.of(view)


async def _system(
    caller: ServiceCaller, system_id: str, done: Callable[[InformationSystemView], bool]
) -> InformationSystem:
    view = await _asset_until(
        caller, lambda: registry_api.systems_by_ids(caller, [system_id]), done, f"system {system_id}"
    )
    return InformationSystem.of(view)


def _any(_: object) -> bool:
    return True


@strawberry.type
class RegistryMutation:
    # --- administrative units ---

    @strawberry.mutation(description="Rename a unit from a date (registry).")
    async def rename_unit(self, info: Ctx, input: RenameUnitInput) -> AdministrativeUnit:
        caller = _writer(info)
        unit_id = await unit_id_of(caller, input.code, input.effective_date)
        body = RenameUnitBody(name=input.name, effective_on=input.effective_date)
        await registry_api.rename_unit(caller, unit_id, body, input.idempotency_key)
        return await _unit_on(caller, unit_id, input.effective_date, lambda u: u.name == input.name)

    @strawberry.mutation(description="Move a unit under another parent from a date (registry).")
    async def reparent_unit(self, info: Ctx, input: ReparentUnitInput) -> AdministrativeUnit:
        caller = _writer(info)
        unit_id = await unit_id_of(caller, input.code, input.effective_date)
        parent_id = await unit_id_of(caller, input.parent_code, input.effective_date)
        body = ReparentUnitBody(parent_code=input.parent_code, effective_on=input.effective_date)
        await registry_api.reparent_unit(caller, unit_id, body, input.idempotency_key)
        return await _unit_on(caller, unit_id, input.effective_date, lambda u: u.parent_id == parent_id)

    @strawberry.mutation(description="Split a unit into new units on a date; answers the new units (registry).")
    async def split_unit(self, info: Ctx, input: SplitUnitInput) -> list[AdministrativeUnit]:
        caller = _writer(info)
        unit_id = await unit_id_of(caller, input.code, input.effective_date)
        body = SplitUnitBody(successors=[_unit_body(s) for s in input.successors], effective_on=input.effective_date)
        result = await registry_api.split_unit(caller, unit_id, body, input.idempotency_key)
        return [await _unit_on(caller, new_id, input.effective_date, _any) for new_id in result.ids[1:]]

    @strawberry.mutation(description="Dissolve a unit on a date, without successor (registry).")
    async def dissolve_unit(self, info: Ctx, input: DissolveUnitInput) -> AdministrativeUnit:
        caller = _writer(info)
        unit_id = await unit_id_of(caller, input.code, input.effective_date)
        body = DissolveUnitBody(effective_on=input.effective_date, reason=input.reason)
        await registry_api.dissolve_unit(caller, unit_id, body, input.idempotency_key)
        unit = await _until(
            caller,
            lambda: registry_api.units_by_ids(caller, [unit_id], None),
            lambda u: u.valid_to is not None,
            "unit",
            registry_api.UNITS_READ_MODEL,
        )
        return AdministrativeUnit.of(unit)

    # --- community digital teams ---

    @strawberry.mutation(description="Establish a community digital technology team (registry).")
    async def establish_digital_team(self, info: Ctx, input: EstablishDigitalTeamInput) -> DigitalTeam:
        caller = _writer(info)
        body = EstablishTeamBody(
            unit_code=input.unit_code,
            level=input.level.value,
            established_on=input.established_on,
            member_count=input.member_count,
            members=_members(input.members) or [],
        )
        [team_id, *_] = (await registry_api.establish_team(caller, body, input.idempotency_key)).ids
        return await _team(caller, team_id, _any)

    @strawberry.mutation(description="Record members who joined or left a digital team (registry).")
    async def change_digital_team_members(self, info: Ctx, input: ChangeDigitalTeamMembersInput) -> DigitalTeam:
        caller = _writer(info)
        team_id = raw_id(input.team_id, "DigitalTeam", "teamId")
        body = ChangeTeamMembersBody(
            member_count=input.member_count, effective_on=input.effective_date, members=_members(input.members)
        )
        await registry_api.change_team_members(caller, team_id, body, input.idempotency_key)
        return await _team(caller, team_id, lambda t: t.member_count == input.member_count)

    @strawberry.mutation(description="Report a digital team's activity on a day (registry).")
    async def report_digital_team_activity(self, info: Ctx, input: ReportDigitalTeamActivityInput) -> DigitalTeam:
        caller = _writer(info)
        team_id = raw_id(input.team_id, "DigitalTeam", "teamId")
        before = await registry_api.teams_by_ids(caller, [team_id])
        reports = before[0].activity_reports if before else 0
        body = ReportTeamActivityBody(
            reported_on=input.reported_on,
            households_supported=input.households_supported,
            sessions=input.sessions,
            summary=input.summary,
        )
        result = await registry_api.report_team_activity(caller, team_id, body, input.idempotency_key)
        if result.replayed:  # already counted: the team as it stands
            return await _team(caller, team_id, _any)
        return await _team(caller, team_id, lambda t: t.activity_reports > reports)

    @strawberry.mutation(description="Disband a digital team on a day (registry).")
    async def disband_digital_team(self, info: Ctx, input: DisbandDigitalTeamInput) -> DigitalTeam:
        caller = _writer(info)
        team_id = raw_id(input.team_id, "DigitalTeam", "teamId")
        body = DisbandTeamBody(effective_on=input.effective_date, reason=input.reason)
        await registry_api.disband_team(caller, team_id, body, input.idempotency_key)
        return await _team(caller, team_id, lambda t: not t.active)

    # --- radio stations, clusters, operators ---

    @strawberry.mutation(description="Upgrade a station's technology (to IP, say) on a day (registry).")
    async def upgrade_radio_station(self, info: Ctx, input: UpgradeRadioStationInput) -> RadioStation:
        caller = _writer(info)
        station_id = raw_id(input.station_id, "RadioStation", "stationId")
        body = UpgradeRadioStationBody(
            technology=input.technology.value, upgraded_on=input.upgraded_on, funding_source=input.funding_source
        )
        await registry_api.upgrade_station(caller, station_id, body, input.idempotency_key)
        return await _station(caller, station_id, lambda s: s.upgraded_on == input.upgraded_on)

    @strawberry.mutation(
        description="Change a station's status from a day; DECOMMISSIONED takes it out of service (registry)."
    )
    async def change_radio_station_status(self, info: Ctx, input: ChangeRadioStationStatusInput) -> RadioStation:
        caller = _writer(info)
        station_id = raw_id(input.station_id, "RadioStation", "stationId")
        body = ChangeRadioStationStatusBody(
            status=input.status.value, effective_on=input.effective_date, reason=input.reason
        )
        await registry_api.change_station_status(caller, station_id, body, input.idempotency_key)
        return await _station(caller, station_id, lambda s: s.status == input.status.value)

    @strawberry.mutation(description="Decommission a loudspeaker cluster on a day (registry).")
    async def decommission_speaker_cluster(self, info: Ctx, input: DecommissionSpeakerClusterInput) -> SpeakerCluster:
        caller = _writer(info)
        cluster_id = raw_id(input.cluster_id, "SpeakerCluster", "clusterId")
        body = DecommissionSpeakerClusterBody(effective_on=input.effective_date, reason=input.reason)
        await registry_api.decommission_cluster(caller, cluster_id, body, input.idempotency_key)
        view: SpeakerClusterView = await _asset_until(
            caller,
            lambda: registry_api.clusters_by_ids(caller, [cluster_id]),
            lambda c: c.decommissioned_on is not None,
            f"cluster {cluster_id}",
        )
        return SpeakerCluster.of(view)

    @strawberry.mutation(description="Hand an asset to another operator from a day; answers the asset (registry).")
    async def assign_asset_operator(self, info: Ctx, input: AssignAssetOperatorInput) -> Node:
        caller = _writer(info)
        type_name, raw = split_id(str(input.asset_id).strip())
        kind = ASSET_KINDS.get(type_name or "")
        if type_name is None or kind is None:
            raise InvalidInputError(f"assetId must be the global id of a {', '.join(ASSET_KINDS)}", code="validation")
        asset_id = raw_id(raw, type_name, "assetId")
        body = AssignOperatorBody(
            asset_kind=kind,
            asset_id=asset_id,
            organisation_code=input.organisation_code,
            effective_on=input.effective_date,
        )
        await registry_api.assign_operator(caller, body, input.idempotency_key)
        found = await registry_api.organisations_by_codes(caller, [input.organisation_code])
        operator_id = found[0].organisation_id if found else None
        fetch, build = OPERATED[kind]
        view = await _asset_until(
            caller, lambda: fetch(caller, [asset_id]), lambda a: a.operator_id == operator_id, kind
        )
        node: Node = build(view)
        return node

    # --- telecom ---

    @strawberry.mutation(description="Change the technologies a base station carries from a day (registry).")
    async def change_bts_technologies(self, info: Ctx, input: ChangeBtsTechnologiesInput) -> BtsStation:
        caller = _writer(info)
        bts_id = raw_id(input.bts_id, "BtsStation", "btsId")
        wanted = sorted({t.value for t in input.technologies})
        body = ChangeBtsTechnologiesBody(technologies=wanted, effective_on=input.effective_date)  # type: ignore[arg-type]
        await registry_api.change_bts_technologies(caller, bts_id, body, input.idempotency_key)
        return await _bts(caller, bts_id, lambda b: sorted(b.technologies) == wanted)

    @strawberry.mutation(description="Decommission a base station on a day (registry).")
    async def decommission_bts_station(self, info: Ctx, input: DecommissionBtsStationInput) -> BtsStation:
        caller = _writer(info)
        bts_id = raw_id(input.bts_id, "BtsStation", "btsId")
        body = DecommissionBtsBody(effective_on=input.effective_date)
        await registry_api.decommission_bts(caller, bts_id, body, input.idempotency_key)
        return await _bts(caller, bts_id, lambda b: b.decommissioned_on is not None)

    @strawberry.mutation(description="Record a village's fibre connection by an operator (registry).")
    async def connect_village_fibre(self, info: Ctx, input: ConnectVillageFibreInput) -> VillageFibre:
        caller = _writer(info)
        village_id = await unit_id_of(caller, input.village_code, input.connected_on)
        body = ConnectVillageFibreBody(
            village_code=input.village_code, operator_code=input.operator_code, connected_on=input.connected_on
        )
        await registry_api.connect_fibre(caller, body, input.idempotency_key)
        operator = input.operator_code.strip().upper()

        async def fetch() -> VillageFibre | None:
            found = await registry_api.fibre_by_villages(caller, [village_id])
            mine = [f for f in found if (f.operator_code or "").upper() == operator]
            return VillageFibre.of(mine[0]) if mine else None

        return await read_back(caller, fetch, f"fibre of {input.village_code}", reads=registry_api.ASSETS_READ_MODEL)

    # --- postal points, video-conference endpoints, Wi-Fi hotspots ---

    @strawberry.mutation(description="Open a postal service point (registry).")
    async def open_postal_point(self, info: Ctx, input: OpenPostalPointInput) -> PostalPoint:
        caller = _writer(info)
        body = OpenPostalPointBody(
            unit_code=input.unit_code, name=input.name, operator_code=input.operator_code, opened_on=input.opened_on
        )
        [point_id, *_] = (await registry_api.open_postal_point(caller, body, input.idempotency_key)).ids
        return await _point(caller, point_id, _any)

    @strawberry.mutation(description="Close a postal service point on a day (registry).")
    async def close_postal_point(self, info: Ctx, input: ClosePostalPointInput) -> PostalPoint:
        caller = _writer(info)
        point_id = raw_id(input.point_id, "PostalPoint", "pointId")
        body = ClosePostalPointBody(effective_on=input.effective_date)
        await registry_api.close_postal_point(caller, point_id, body, input.idempotency_key)
        return await _point(caller, point_id, lambda p: p.closed_on is not None)

    @strawberry.mutation(description="Register a video-conference endpoint of a unit (registry).")
    async def register_video_endpoint(self, info: Ctx, input: RegisterVideoEndpointInput) -> VideoEndpoint:
        caller = _writer(info)
        body = RegisterVideoEndpointBody(unit_code=input.unit_code, installed_on=input.installed_on)
        [endpoint_id, *_] = (await registry_api.register_video_endpoint(caller, body, input.idempotency_key)).ids
        view = await _asset_until(
            caller, lambda: registry_api.video_endpoints_by_ids(caller, [endpoint_id]), _any, f"endpoint {endpoint_id}"
        )
        return VideoEndpoint.of(view)

    @strawberry.mutation(description="Register a public Wi-Fi hotspot (registry).")
    async def register_wifi_hotspot(self, info: Ctx, input: RegisterWifiHotspotInput) -> WifiHotspot:
        caller = _writer(info)
        body = RegisterWifiHotspotBody(
            unit_code=input.unit_code,
            operator_code=input.operator_code,
            latitude=input.latitude,
            longitude=input.longitude,
            installed_on=input.installed_on,
        )
        [hotspot_id, *_] = (await registry_api.register_wifi_hotspot(caller, body, input.idempotency_key)).ids
        view = await _asset_until(
            caller, lambda: registry_api.wifi_hotspots_by_ids(caller, [hotspot_id]), _any, f"hotspot {hotspot_id}"
        )
        return WifiHotspot.of(view)

    # --- information systems ---

    @strawberry.mutation(description="Register an information system of an agency (registry, the province's).")
    async def register_information_system(self, info: Ctx, input: RegisterInformationSystemInput) -> InformationSystem:
        caller = _writer(info)
        body = RegisterInformationSystemBody(
            name=input.name, owner_agency=input.owner_agency, hosted_in_data_centre=input.hosted_in_data_centre
        )
        [system_id, *_] = (await registry_api.register_system(caller, body, input.idempotency_key)).ids
        return await _system(caller, system_id, _any)

    @strawberry.mutation(description="Approve a system's security level (registry, the province's).")
    async def approve_security_level(self, info: Ctx, input: ApproveSecurityLevelInput) -> InformationSystem:
        caller = _writer(info)
        system_id = raw_id(input.system_id, "InformationSystem", "systemId")
        body = ApproveSecurityLevelBody(level=input.level, approved_on=input.approved_on, decision=input.decision)
        await registry_api.approve_security_level(caller, system_id, body, input.idempotency_key)
        return await _system(
            caller, system_id, lambda s: s.security_level == input.level and s.approved_on == input.approved_on
        )

    @strawberry.mutation(
        description="Move a system into or out of the provincial data centre (registry, the province's)."
    )
    async def change_data_centre_hosting(self, info: Ctx, input: ChangeDataCentreHostingInput) -> InformationSystem:
        caller = _writer(info)
        system_id = raw_id(input.system_id, "InformationSystem", "systemId")
        body = ChangeDataCentreHostingBody(
            hosted_in_data_centre=input.hosted_in_data_centre, effective_on=input.effective_on
        )
        await registry_api.change_hosting(caller, system_id, body, input.idempotency_key)
        return await _system(caller, system_id, lambda s: s.hosted_in_data_centre == input.hosted_in_data_centre)

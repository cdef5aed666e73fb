"""Internal REST API for the registry's assets: one POST route per command.

Routes only translate: the body (an application input, unknown fields refused) and the
caller's metadata go to the application; domain errors become HTTP errors in one place
(``libs.common.http.errors``). The idempotency key covers the path's id and the body, so one
key cannot replay a result for another asset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

import msgspec
from litestar import Controller, Request, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from contracts.envelope import Metadata
from contracts.registry_events import CATALOGUE
from libs.common.eventstore.commands import CommandExecutor
from libs.common.eventstore.idempotency import IdempotencyKey
from libs.common.http.commands import command_metadata, idempotency_key
from libs.common.runtime import ServiceRuntime
from services.registry.application.assets import AssetCommandResult, AssignOperatorInput, OperatorCommands
from services.registry.application.facilities import (
    ClosePostalPointInput,
    FacilityCommands,
    OpenPostalPointInput,
    RegisterVideoEndpointInput,
    RegisterWifiHotspotInput,
)
from services.registry.application.organisations import OrganisationCommands, RegisterOrganisationInput
from services.registry.application.radio import (
    ChangeRadioStationStatusInput,
    DecommissionSpeakerClusterInput,
    RadioCommands,
    RegisterRadioStationInput,
    RegisterSpeakerClusterInput,
    UpgradeRadioStationInput,
)
from services.registry.application.systems import (
    ApproveSecurityLevelInput,
    RegisterInformationSystemInput,
    SystemCommands,
)
from services.registry.application.teams import (
    ChangeTeamMembersInput,
    DisbandTeamInput,
    EstablishTeamInput,
    ReportTeamActivityInput,
    TeamCommands,
)
from services.registry.application.telecom import (
    ChangeBtsTechnologiesInput,
    CommissionBtsInput,
    ConnectVillageFibreInput,
    DecommissionBtsInput,
    TelecomCommands,
)
from services.registry.entrypoints.access import ACCESS, Access

Req = Request[Any, Any, Any]
Result = AssetCommandResult


@dataclass(frozen=True, slots=True)
class AssetCommandSet:
    organisations: OrganisationCommands
    operators: OperatorCommands
    teams: TeamCommands
    radio: RadioCommands
    telecom: TelecomCommands
    facilities: FacilityCommands
    systems: SystemCommands


async def provide_asset_commands(runtime: NamedDependency[ServiceRuntime]) -> AssetCommandSet:
    executor = CommandExecutor(runtime.pool, "registry", CATALOGUE)
    return AssetCommandSet(
        organisations=OrganisationCommands(executor),
        operators=OperatorCommands(executor),
        teams=TeamCommands(executor),
        radio=RadioCommands(executor),
        telecom=TelecomCommands(executor),
        facilities=FacilityCommands(executor),
        systems=SystemCommands(executor),
    )


class Context(TypedDict):
    metadata: Metadata
    idempotency: IdempotencyKey | None


def _context(request: Req, *request_parts: object) -> Context:
    metadata = command_metadata(request)
    return {"metadata": metadata, "idempotency": idempotency_key(request, metadata, list(request_parts))}


Assets = NamedDependency[AssetCommandSet]


class AssetCommandsController(Controller):
    path = "/commands"
    tags = ["assets: commands"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    dependencies = {"assets": Provide(provide_asset_commands), "access": ACCESS}  # noqa: RUF012

    # --- organisations and operators ---

    @post("/organisations/register", operation_id="registerOrganisation")
    async def register_organisation(
        self, data: JSONBody[RegisterOrganisationInput], request: Req, assets: Assets, access: Access
    ) -> Result:
        access.require_unrestricted("registering an organisation")
        return await assets.organisations.register(data, **_context(request, data))

    @post("/assets/assign-operator", operation_id="assignAssetOperator")
    async def assign_operator(
        self, data: JSONBody[AssignOperatorInput], request: Req, assets: Assets, access: Access
    ) -> Result:
        access.operator_for_new_asset(data.organisation_code)
        await access.check_asset(data.asset_kind, data.asset_id)
        return await assets.operators.assign(data, **_context(request, data))

    # --- community digital teams ---

    @post("/digital-teams/establish", operation_id="establishDigitalTeam")
    async def establish_team(
        self, data: JSONBody[EstablishTeamInput], request: Req, assets: Assets, access: Access
    ) -> Result:
        access.forbid_organisations("a community digital team")
        await access.check_units(data.unit_code, on=data.established_on)
        return await assets.teams.establish(data, **_context(request, data))

    @post("/digital-teams/{team_id:str}/change-members", operation_id="changeDigitalTeamMembers")
    async def change_team_members(
        self,
        team_id: FromPath[str],
        data: JSONBody[ChangeTeamMembersInput],
        request: Req,
        assets: Assets,
        access: Access,
    ) -> Result:
        access.forbid_organisations("a community digital team")
        await access.check_asset("digital_team", team_id)
        return await assets.teams.change_members(team_id, data, **_context(request, team_id, data))

    @post("/digital-teams/{team_id:str}/report-activity", operation_id="reportDigitalTeamActivity")
    async def report_team_activity(
        self,
        team_id: FromPath[str],
        data: JSONBody[ReportTeamActivityInput],
        request: Req,
        assets: Assets,
        access: Access,
    ) -> Result:
        access.forbid_organisations("a community digital team")
        await access.check_asset("digital_team", team_id)
        return await assets.teams.report_activity(team_id, data, **_context(request, team_id, data))

    @post("/digital-teams/{team_id:str}/disband", operation_id="disbandDigitalTeam")
    async def disband_team(
        self, team_id: FromPath[str], data: JSONBody[DisbandTeamInput], request: Req, assets: Assets, access: Access
    ) -> Result:
        access.forbid_organisations("a community digital team")
        await access.check_asset("digital_team", team_id)
        return await assets.teams.disband(team_id, data, **_context(request, team_id, data))

    # --- radio stations and loudspeaker clusters ---

    @post("/radio-stations/register", operation_id="registerRadioStation")
    async def register_station(
        self, data: JSONBody[RegisterRadioStationInput], request: Req, assets: Assets, access: Access
    ) -> Result:
        data = msgspec.structs.replace(data, operator_code=access.operator_for_new_asset(data.operator_code))
        await access.check_units(data.unit_code, on=data.installed_on)
        return await assets.radio.register_station(data, **_context(request, data))

    @post("/radio-stations/{station_id:str}/upgrade", operation_id="upgradeRadioStation")
    async def upgrade_station(
        self,
        station_id: FromPath[str],
        data: JSONBody[UpgradeRadioStationInput],
        request: Req,
        assets: Assets,
        access: Access,
    ) -> Result:
        await access.check_asset("radio_station", station_id)
        return await assets.radio.upgrade_station(station_id, data, **_context(request, station_id, data))

    @post("/radio-stations/{station_id:str}/change-status", operation_id="changeRadioStationStatus")
    async def change_station_status(
        self,
        station_id: FromPath[str],
        data: JSONBody[ChangeRadioStationStatusInput],
        request: Req,
        assets: Assets,
        access: Access,
    ) -> Result:
        await access.check_asset("radio_station", station_id)
        return await assets.radio.change_station_status(station_id, data, **_context(request, station_id, data))

    @post("/speaker-clusters/register", operation_id="registerSpeakerCluster")
    async def register_cluster(
        self, data: JSONBody[RegisterSpeakerClusterInput], request: Req, assets: Assets, access: Access
    ) -> Result:
        await access.check_asset("radio_station", data.station_id)
        await access.check_units(data.village_code, on=data.installed_on)
        return await assets.radio.register_cluster(data, **_context(request, data))

    @post("/speaker-clusters/{cluster_id:str}/decommission", operation_id="decommissionSpeakerCluster")
    async def decommission_cluster(
        self,
        cluster_id: FromPath[str],
        data: JSONBody[DecommissionSpeakerClusterInput],
        request: Req,
        assets: Assets,
        access: Access,
    ) -> Result:
        await access.check_asset("speaker_cluster", cluster_id)
        return await assets.radio.decommission_cluster(cluster_id, data, **_context(request, cluster_id, data))

    # --- telecom ---

    @post("/bts-stations/commission", operation_id="commissionBtsStation")
    async def commission_bts(
        self, data: JSONBody[CommissionBtsInput], request: Req, assets: Assets, access: Access
    ) -> Result:
        access.operator_for_new_asset(data.operator_code)
        await access.check_units(data.unit_code, on=data.commissioned_on)
        return await assets.telecom.commission_bts(data, **_context(request, data))

    @post("/bts-stations/{bts_id:str}/change-technologies", operation_id="changeBtsTechnologies")
    async def change_bts_technologies(
        self,
        bts_id: FromPath[str],
        data: JSONBody[ChangeBtsTechnologiesInput],
        request: Req,
        assets: Assets,
        access: Access,
    ) -> Result:
        await access.check_asset("bts_station", bts_id)
        return await assets.telecom.change_bts_technologies(bts_id, data, **_context(request, bts_id, data))

    @post("/bts-stations/{bts_id:str}/decommission", operation_id="decommissionBtsStation")
    async def decommission_bts(
        self, bts_id: FromPath[str], data: JSONBody[DecommissionBtsInput], request: Req, assets: Assets, access: Access
    ) -> Result:
        await access.check_asset("bts_station", bts_id)
        return await assets.telecom.decommission_bts(bts_id, data, **_context(request, bts_id, data))

    @post("/village-fibre/connect", operation_id="connectVillageFibre")
    async def connect_fibre(
        self, data: JSONBody[ConnectVillageFibreInput], request: Req, assets: Assets, access: Access
    ) -> Result:
        access.operator_for_new_asset(data.operator_code)
        await access.check_units(data.village_code, on=data.connected_on)
        return await assets.telecom.connect_fibre(data, **_context(request, data))

    # --- postal points, video-conference endpoints, Wi-Fi hotspots ---

    @post("/postal-points/open", operation_id="openPostalPoint")
    async def open_postal_point(
        self, data: JSONBody[OpenPostalPointInput], request: Req, assets: Assets, access: Access
    ) -> Result:
        data = msgspec.structs.replace(data, operator_code=access.operator_for_new_asset(data.operator_code))
        await access.check_units(data.unit_code, on=data.opened_on)
        return await assets.facilities.open_postal_point(data, **_context(request, data))

    @post("/postal-points/{point_id:str}/close", operation_id="closePostalPoint")
    async def close_postal_point(
        self,
        point_id: FromPath[str],
        data: JSONBody[ClosePostalPointInput],
        request: Req,
        assets: Assets,
        access: Access,
    ) -> Result:
        await access.check_asset("postal_point", point_id)
        return await assets.facilities.close_postal_point(point_id, data, **_context(request, point_id, data))

    @post("/video-endpoints/register", operation_id="registerVideoEndpoint")
    async def register_video_endpoint(
        self, data: JSONBody[RegisterVideoEndpointInput], request: Req, assets: Assets, access: Access
    ) -> Result:
        access.forbid_organisations("a video-conference endpoint (registered without an operator)")
        await access.check_units(data.unit_code, on=data.installed_on)
        return await assets.facilities.register_video_endpoint(data, **_context(request, data))

    @post("/wifi-hotspots/register", operation_id="registerWifiHotspot")
    async def register_wifi_hotspot(
        self, data: JSONBody[RegisterWifiHotspotInput], request: Req, assets: Assets, access: Access
    ) -> Result:
        data = msgspec.structs.replace(data, operator_code=access.operator_for_new_asset(data.operator_code))
        await access.check_units(data.unit_code, on=data.installed_on)
        return await assets.facilities.register_wifi_hotspot(data, **_context(request, data))

    # --- information systems ---

    @post("/information-systems/register", operation_id="registerInformationSystem")
    async def register_system(
        self, data: JSONBody[RegisterInformationSystemInput], request: Req, assets: Assets, access: Access
    ) -> Result:
        access.require_unrestricted("registering an information system")
        return await assets.systems.register(data, **_context(request, data))

    @post("/information-systems/{system_id:str}/approve-security-level", operation_id="approveSecurityLevel")
    async def approve_security_level(
        self,
        system_id: FromPath[str],
        data: JSONBody[ApproveSecurityLevelInput],
        request: Req,
        assets: Assets,
        access: Access,
    ) -> Result:
        access.require_unrestricted("approving a security level")
        return await assets.systems.approve_security_level(system_id, data, **_context(request, system_id, data))

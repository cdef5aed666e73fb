"""Internal REST API for the registry's assets: one POST route per command.

Routes only translate: the body (``contracts.api.registry``, unknown fields refused) and the
path's id become the handler's input, the caller comes from the ``ctx`` dependency (which
required ``registry:write``); what the caller may own is decided in the command's transaction.
Domain errors become HTTP errors in one place (``libs.common.http.errors``). The idempotency
key covers the path and the body, so one key cannot replay a result for another asset.
"""

from __future__ import annotations

from litestar import Controller, post
from litestar.params import FromPath, JSONBody

from contracts.api.registry import (
    ApproveSecurityLevelBody,
    AssignOperatorBody,
    ChangeBtsTechnologiesBody,
    ChangeRadioStationStatusBody,
    ChangeTeamMembersBody,
    ClosePostalPointBody,
    CommissionBtsBody,
    ConnectVillageFibreBody,
    DecommissionBtsBody,
    DecommissionSpeakerClusterBody,
    DisbandTeamBody,
    EstablishTeamBody,
    OpenPostalPointBody,
    RegisterInformationSystemBody,
    RegisterOrganisationBody,
    RegisterRadioStationBody,
    RegisterSpeakerClusterBody,
    RegisterVideoEndpointBody,
    RegisterWifiHotspotBody,
    ReportTeamActivityBody,
    UpgradeRadioStationBody,
)
from libs.common.eventstore.results import CommandResult
from libs.common.http.context import Ctx
from services.registry.application.by_id import ById
from services.registry.entrypoints.dependencies import WRITER, Handlers

Id = FromPath[str]
Result = CommandResult


class AssetCommandsController(Controller):
    path = "/commands"
    tags = ["assets: commands"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    dependencies = {"ctx": WRITER}  # noqa: RUF012

    # --- organisations and operators ---

    @post("/organisations/register", operation_id="registerOrganisation")
    async def register_organisation(
        self, data: JSONBody[RegisterOrganisationBody], ctx: Ctx, handlers: Handlers
    ) -> Result:
        return await handlers.organisations.register(data, ctx)

    @post("/assets/assign-operator", operation_id="assignAssetOperator")
    async def assign_operator(self, data: JSONBody[AssignOperatorBody], ctx: Ctx, handlers: Handlers) -> Result:
        return await handlers.operators.assign(data, ctx)

    # --- community digital teams ---

    @post("/digital-teams/establish", operation_id="establishDigitalTeam")
    async def establish_team(self, data: JSONBody[EstablishTeamBody], ctx: Ctx, handlers: Handlers) -> Result:
        return await handlers.teams.establish(data, ctx)

    @post("/digital-teams/{team_id:str}/change-members", operation_id="changeDigitalTeamMembers")
    async def change_team_members(
        self, team_id: Id, data: JSONBody[ChangeTeamMembersBody], ctx: Ctx, handlers: Handlers
    ) -> Result:
        return await handlers.teams.change_members(ById(id=team_id, body=data), ctx)

    @post("/digital-teams/{team_id:str}/report-activity", operation_id="reportDigitalTeamActivity")
    async def report_team_activity(
        self, team_id: Id, data: JSONBody[ReportTeamActivityBody], ctx: Ctx, handlers: Handlers
    ) -> Result:
        return await handlers.teams.report_activity(ById(id=team_id, body=data), ctx)

    @post("/digital-teams/{team_id:str}/disband", operation_id="disbandDigitalTeam")
    async def disband_team(self, team_id: Id, data: JSONBody[DisbandTeamBody], ctx: Ctx, handlers: Handlers) -> Result:
        return await handlers.teams.disband(ById(id=team_id, body=data), ctx)

    # --- radio stations and loudspeaker clusters ---

    @post("/radio-stations/register", operation_id="registerRadioStation")
    async def register_station(self, data: JSONBody[RegisterRadioStationBody], ctx: Ctx, handlers: Handlers) -> Result:
        return await handlers.radio.register_station(data, ctx)

    @post("/radio-stations/{station_id:str}/upgrade", operation_id="upgradeRadioStation")
    async def upgrade_station(
        self, station_id: Id, data: JSONBody[UpgradeRadioStationBody], ctx: Ctx, handlers: Handlers
    ) -> Result:
        return await handlers.radio.upgrade_station(ById(id=station_id, body=data), ctx)

    @post("/radio-stations/{station_id:str}/change-status", operation_id="changeRadioStationStatus")
    async def change_station_status(
        self, station_id: Id, data: JSONBody[ChangeRadioStationStatusBody], ctx: Ctx, handlers: Handlers
    ) -> Result:
        return await handlers.radio.change_station_status(ById(id=station_id, body=data), ctx)

    @post("/speaker-clusters/register", operation_id="registerSpeakerCluster")
    async def register_cluster(
        self, data: JSONBody[RegisterSpeakerClusterBody], ctx: Ctx, handlers: Handlers
    ) -> Result:
        return await handlers.radio.register_cluster(data, ctx)

    @post("/speaker-clusters/{cluster_id:str}/decommission", operation_id="decommissionSpeakerCluster")
    async def decommission_cluster(
        self, cluster_id: Id, data: JSONBody[DecommissionSpeakerClusterBody], ctx: Ctx, handlers: Handlers
    ) -> Result:
        return await handlers.radio.decommission_cluster(ById(id=cluster_id, body=data), ctx)

    # --- telecom ---

    @post("/bts-stations/commission", operation_id="commissionBtsStation")
    async def commission_bts(self, data: JSONBody[CommissionBtsBody], ctx: Ctx, handlers: Handlers) -> Result:
        return await handlers.telecom.commission_bts(data, ctx)

    @post("/bts-stations/{bts_id:str}/change-technologies", operation_id="changeBtsTechnologies")
    async def change_bts_technologies(
        self, bts_id: Id, data: JSONBody[ChangeBtsTechnologiesBody], ctx: Ctx, handlers: Handlers
    ) -> Result:
        return await handlers.telecom.change_bts_technologies(ById(id=bts_id, body=data), ctx)

    @post("/bts-stations/{bts_id:str}/decommission", operation_id="decommissionBtsStation")
    async def decommission_bts(
        self, bts_id: Id, data: JSONBody[DecommissionBtsBody], ctx: Ctx, handlers: Handlers
    ) -> Result:
        return await handlers.telecom.decommission_bts(ById(id=bts_id, body=data), ctx)

    @post("/village-fibre/connect", operation_id="connectVillageFibre")
    async def connect_fibre(self, data: JSONBody[ConnectVillageFibreBody], ctx: Ctx, handlers: Handlers) -> Result:
        return await handlers.telecom.connect_fibre(data, ctx)

    # --- postal points, video-conference endpoints, Wi-Fi hotspots ---

    @post("/postal-points/open", operation_id="openPostalPoint")
    async def open_postal_point(self, data: JSONBody[OpenPostalPointBody], ctx: Ctx, handlers: Handlers) -> Result:
        return await handlers.facilities.open_postal_point(data, ctx)

    @post("/postal-points/{point_id:str}/close", operation_id="closePostalPoint")
    async def close_postal_point(
        self, point_id: Id, data: JSONBody[ClosePostalPointBody], ctx: Ctx, handlers: Handlers
    ) -> Result:
        return await handlers.facilities.close_postal_point(ById(id=point_id, body=data), ctx)

    @post("/video-endpoints/register", operation_id="registerVideoEndpoint")
    async def register_video_endpoint(
        self, data: JSONBody[RegisterVideoEndpointBody], ctx: Ctx, handlers: Handlers
    ) -> Result:
        return await handlers.facilities.register_video_endpoint(data, ctx)

    @post("/wifi-hotspots/register", operation_id="registerWifiHotspot")
    async def register_wifi_hotspot(
        self, data: JSONBody[RegisterWifiHotspotBody], ctx: Ctx, handlers: Handlers
    ) -> Result:
        return await handlers.facilities.register_wifi_hotspot(data, ctx)

    # --- information systems ---

    @post("/information-systems/register", operation_id="registerInformationSystem")
    async def register_system(
        self, data: JSONBody[RegisterInformationSystemBody], ctx: Ctx, handlers: Handlers
    ) -> Result:
        return await handlers.systems.register(data, ctx)

    @post("/information-systems/{system_id:str}/approve-security-level", operation_id="approveSecurityLevel")
    async def approve_security_level(
        self, system_id: Id, data: JSONBody[ApproveSecurityLevelBody], ctx: Ctx, handlers: Handlers
    ) -> Result:
        return await handlers.systems.approve_security_level(ById(id=system_id, body=data), ctx)

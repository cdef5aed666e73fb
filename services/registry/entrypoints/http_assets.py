"""Internal REST API for the registry's assets: its commands, one row each.

A route only translates: the body (``contracts.api.registry``, unknown fields refused) and the
path's id become the handler's input, the caller comes from the ``ctx`` dependency (which
required ``registry:write``); what the caller may own is decided in the command's transaction.
The rows become Litestar routes in ``libs.common.http.routes`` (ADR 0034); domain errors become
HTTP errors in one place (``libs.common.http.errors``). The idempotency key covers the path and
the body, so one key cannot replay a result for another asset.
"""

from __future__ import annotations

from contracts.api.registry import (
    ApproveSecurityLevelBody,
    AssignOperatorBody,
    ChangeBtsTechnologiesBody,
    ChangeDataCentreHostingBody,
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
from libs.common.http.routes import CommandRoute, CommandTable
from services.registry.application.by_id import ById
from services.registry.application.handlers import RegistryHandlers
from services.registry.entrypoints.dependencies import WRITE_SCOPE

Row = CommandRoute[RegistryHandlers]

ASSET_COMMANDS = CommandTable[RegistryHandlers](
    "/commands",
    "assets: commands",
    [
        # organisations and operators
        Row(
            "POST",
            "/organisations/register",
            "registerOrganisation",
            RegisterOrganisationBody,
            WRITE_SCOPE,
            lambda h: h.organisations.register,
        ),
        Row(
            "POST",
            "/assets/assign-operator",
            "assignAssetOperator",
            AssignOperatorBody,
            WRITE_SCOPE,
            lambda h: h.operators.assign,
        ),
        # community digital teams
        Row(
            "POST",
            "/digital-teams/establish",
            "establishDigitalTeam",
            EstablishTeamBody,
            WRITE_SCOPE,
            lambda h: h.teams.establish,
        ),
        Row(
            "POST",
            "/digital-teams/{team_id:str}/change-members",
            "changeDigitalTeamMembers",
            ById[ChangeTeamMembersBody],
            WRITE_SCOPE,
            lambda h: h.teams.change_members,
        ),
        Row(
            "POST",
            "/digital-teams/{team_id:str}/report-activity",
            "reportDigitalTeamActivity",
            ById[ReportTeamActivityBody],
            WRITE_SCOPE,
            lambda h: h.teams.report_activity,
        ),
        Row(
            "POST",
            "/digital-teams/{team_id:str}/disband",
            "disbandDigitalTeam",
            ById[DisbandTeamBody],
            WRITE_SCOPE,
            lambda h: h.teams.disband,
        ),
        # radio stations and loudspeaker clusters
        Row(
            "POST",
            "/radio-stations/register",
            "registerRadioStation",
            RegisterRadioStationBody,
            WRITE_SCOPE,
            lambda h: h.radio.register_station,
        ),
        Row(
            "POST",
            "/radio-stations/{station_id:str}/upgrade",
            "upgradeRadioStation",
            ById[UpgradeRadioStationBody],
            WRITE_SCOPE,
            lambda h: h.radio.upgrade_station,
        ),
        Row(
            "POST",
            "/radio-stations/{station_id:str}/change-status",
            "changeRadioStationStatus",
            ById[ChangeRadioStationStatusBody],
            WRITE_SCOPE,
            lambda h: h.radio.change_station_status,
        ),
        Row(
            "POST",
            "/speaker-clusters/register",
            "registerSpeakerCluster",
            RegisterSpeakerClusterBody,
            WRITE_SCOPE,
            lambda h: h.radio.register_cluster,
        ),
        Row(
            "POST",
            "/speaker-clusters/{cluster_id:str}/decommission",
            "decommissionSpeakerCluster",
            ById[DecommissionSpeakerClusterBody],
            WRITE_SCOPE,
            lambda h: h.radio.decommission_cluster,
        ),
        # telecom
        Row(
            "POST",
            "/bts-stations/commission",
            "commissionBtsStation",
            CommissionBtsBody,
            WRITE_SCOPE,
            lambda h: h.telecom.commission_bts,
        ),
        Row(
            "POST",
            "/bts-stations/{bts_id:str}/change-technologies",
            "changeBtsTechnologies",
            ById[ChangeBtsTechnologiesBody],
            WRITE_SCOPE,
            lambda h: h.telecom.change_bts_technologies,
        ),
        Row(
            "POST",
            "/bts-stations/{bts_id:str}/decommission",
            "decommissionBtsStation",
            ById[DecommissionBtsBody],
            WRITE_SCOPE,
            lambda h: h.telecom.decommission_bts,
        ),
        Row(
            "POST",
            "/village-fibre/connect",
            "connectVillageFibre",
            ConnectVillageFibreBody,
            WRITE_SCOPE,
            lambda h: h.telecom.connect_fibre,
        ),
        # postal points, video-conference endpoints, Wi-Fi hotspots
        Row(
            "POST",
            "/postal-points/open",
            "openPostalPoint",
            OpenPostalPointBody,
            WRITE_SCOPE,
            lambda h: h.facilities.open_postal_point,
        ),
        Row(
            "POST",
            "/postal-points/{point_id:str}/close",
            "closePostalPoint",
            ById[ClosePostalPointBody],
            WRITE_SCOPE,
            lambda h: h.facilities.close_postal_point,
        ),
        Row(
            "POST",
            "/video-endpoints/register",
            "registerVideoEndpoint",
            RegisterVideoEndpointBody,
            WRITE_SCOPE,
            lambda h: h.facilities.register_video_endpoint,
        ),
        Row(
            "POST",
            "/wifi-hotspots/register",
            "registerWifiHotspot",
            RegisterWifiHotspotBody,
            WRITE_SCOPE,
            lambda h: h.facilities.register_wifi_hotspot,
        ),
        # information systems
        Row(
            "POST",
            "/information-systems/register",
            "registerInformationSystem",
            RegisterInformationSystemBody,
            WRITE_SCOPE,
            lambda h: h.systems.register,
        ),
        Row(
            "POST",
            "/information-systems/{system_id:str}/approve-security-level",
            "approveSecurityLevel",
            ById[ApproveSecurityLevelBody],
            WRITE_SCOPE,
            lambda h: h.systems.approve_security_level,
        ),
        Row(
            "POST",
            "/information-systems/{system_id:str}/change-hosting",
            "changeDataCentreHosting",
            ById[ChangeDataCentreHostingBody],
            WRITE_SCOPE,
            lambda h: h.systems.change_hosting,
        ),
    ],
)

"""Public REST under ``/api/v1`` for every registry command, one row of :data:`COMMANDS` each,
with the registry's own ``operationId`` (the listings are rows of ``reads.registry``).

A command takes the registry's own body (``contracts.api.registry``, snake_case, unknown fields
refused) and an ``Idempotency-Key`` header, and is forwarded as the caller: the registry decides
``registry:write`` and ownership, and its refusal reaches the partner with its status and code.
It answers the ids it created or acted on (``CommandAnswer``); the listings read them back. A
unit is named by its code in the path (resolved on the body's ``effective_on``), an asset by
its id.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import msgspec
from litestar import Request, Router, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.handlers import HTTPRouteHandler
from litestar.params import BodyKwarg, FromPath

from contracts.api import registry as bodies
from contracts.api import unit_groups as groups
from services.gateway.adapters import registry_api
from services.gateway.adapters.internal import ServiceCaller, ServiceError, ServiceUnavailableError
from services.gateway.graphql.context import Gateway, GatewayContext
from services.gateway.graphql.mutations_registry import unit_id_of
from services.gateway.rest.routes import BEARER, CallerFactory, service_error, service_unavailable
from services.gateway.security.wiring import GatewaySecurity

Req = Request[Any, Any, Any]
JSON_BODY = BodyKwarg(media_type=RequestEncodingType.JSON)
CallerDependency = Callable[[Req], Awaitable[ServiceCaller]]


class CommandAnswer(msgspec.Struct, frozen=True, kw_only=True):
    """What a command did: the ids it created or acted on (the main one first), and whether
    this is the remembered answer to a request sent again with the same ``Idempotency-Key``."""

    ids: list[str]
    replayed: bool


@dataclasses.dataclass(frozen=True)
class Command:
    operation_id: str
    path: str
    """Under /api/v1; ``{code}`` names a unit, ``{id}`` an asset."""
    body: type[msgspec.Struct]
    service_path: str
    """Under the registry's /commands; ``{id}`` is the path's id (a unit's, once resolved)."""
    summary: str


COMMANDS = (
    Command("registerUnit", "/units/register", bodies.RegisterUnitBody, "/units/register", "Register a unit"),
    Command("mergeUnits", "/units/merge", bodies.MergeUnitsBody, "/units/merge", "Merge units into a successor"),
    Command("renameUnit", "/units/{code}/rename", bodies.RenameUnitBody, "/units/{id}/rename", "Rename a unit"),
    Command(
        "reparentUnit", "/units/{code}/reparent", bodies.ReparentUnitBody, "/units/{id}/reparent", "Re-parent a unit"
    ),
    Command("splitUnit", "/units/{code}/split", bodies.SplitUnitBody, "/units/{id}/split", "Split a unit"),
    Command(
        "dissolveUnit", "/units/{code}/dissolve", bodies.DissolveUnitBody, "/units/{id}/dissolve", "Dissolve a unit"
    ),
    Command(
        "establishDigitalTeam",
        "/digital-teams/establish",
        bodies.EstablishTeamBody,
        "/digital-teams/establish",
        "Establish a digital team",
    ),
    Command(
        "changeDigitalTeamMembers",
        "/digital-teams/{id}/change-members",
        bodies.ChangeTeamMembersBody,
        "/digital-teams/{id}/change-members",
        "Record members joined or left",
    ),
    Command(
        "reportDigitalTeamActivity",
        "/digital-teams/{id}/report-activity",
        bodies.ReportTeamActivityBody,
        "/digital-teams/{id}/report-activity",
        "Report a team's activity",
    ),
    Command(
        "disbandDigitalTeam",
        "/digital-teams/{id}/disband",
        bodies.DisbandTeamBody,
        "/digital-teams/{id}/disband",
        "Disband a digital team",
    ),
    Command(
        "registerRadioStation",
        "/radio-stations/register",
        bodies.RegisterRadioStationBody,
        "/radio-stations/register",
        "Register a commune's radio station",
    ),
    Command(
        "upgradeRadioStation",
        "/radio-stations/{id}/upgrade",
        bodies.UpgradeRadioStationBody,
        "/radio-stations/{id}/upgrade",
        "Upgrade a station's technology",
    ),
    Command(
        "changeRadioStationStatus",
        "/radio-stations/{id}/change-status",
        bodies.ChangeRadioStationStatusBody,
        "/radio-stations/{id}/change-status",
        "Change a station's status (DECOMMISSIONED: out of service)",
    ),
    Command(
        "assignAssetOperator",
        "/assets/assign-operator",
        bodies.AssignOperatorBody,
        "/assets/assign-operator",
        "Hand an asset to another operator",
    ),
    Command(
        "registerSpeakerCluster",
        "/speaker-clusters/register",
        bodies.RegisterSpeakerClusterBody,
        "/speaker-clusters/register",
        "Register a loudspeaker cluster",
    ),
    Command(
        "decommissionSpeakerCluster",
        "/speaker-clusters/{id}/decommission",
        bodies.DecommissionSpeakerClusterBody,
        "/speaker-clusters/{id}/decommission",
        "Decommission a loudspeaker cluster",
    ),
    Command(
        "commissionBtsStation",
        "/bts-stations/commission",
        bodies.CommissionBtsBody,
        "/bts-stations/commission",
        "Commission a base station",
    ),
    Command(
        "changeBtsTechnologies",
        "/bts-stations/{id}/change-technologies",
        bodies.ChangeBtsTechnologiesBody,
        "/bts-stations/{id}/change-technologies",
        "Change a base station's technologies",
    ),
    Command(
        "decommissionBtsStation",
        "/bts-stations/{id}/decommission",
        bodies.DecommissionBtsBody,
        "/bts-stations/{id}/decommission",
        "Decommission a base station",
    ),
    Command(
        "connectVillageFibre",
        "/village-fibre/connect",
        bodies.ConnectVillageFibreBody,
        "/village-fibre/connect",
        "Record a village's fibre connection",
    ),
    Command(
        "openPostalPoint",
        "/postal-points/open",
        bodies.OpenPostalPointBody,
        "/postal-points/open",
        "Open a postal point",
    ),
    Command(
        "closePostalPoint",
        "/postal-points/{id}/close",
        bodies.ClosePostalPointBody,
        "/postal-points/{id}/close",
        "Close a postal point",
    ),
    Command(
        "registerVideoEndpoint",
        "/video-endpoints/register",
        bodies.RegisterVideoEndpointBody,
        "/video-endpoints/register",
        "Register a video-conference endpoint",
    ),
    Command(
        "registerWifiHotspot",
        "/wifi-hotspots/register",
        bodies.RegisterWifiHotspotBody,
        "/wifi-hotspots/register",
        "Register a Wi-Fi hotspot",
    ),
    Command(
        "registerInformationSystem",
        "/information-systems/register",
        bodies.RegisterInformationSystemBody,
        "/information-systems/register",
        "Register an information system",
    ),
    Command(
        "approveSecurityLevel",
        "/information-systems/{id}/approve-security-level",
        bodies.ApproveSecurityLevelBody,
        "/information-systems/{id}/approve-security-level",
        "Approve a system's security level",
    ),
    Command(
        "changeDataCentreHosting",
        "/information-systems/{id}/change-hosting",
        bodies.ChangeDataCentreHostingBody,
        "/information-systems/{id}/change-hosting",
        "Move a system into or out of the provincial data centre",
    ),
    # Unit groups (ADR 0056): ``{id}`` is the group's code.
    Command(
        "createUnitGroup",
        "/unit-groups/create",
        groups.CreateUnitGroupBody,
        "/unit-groups/create",
        "Create a unit group",
    ),
    Command(
        "addUnitGroupMember",
        "/unit-groups/{id}/members/add",
        groups.AddUnitGroupMemberBody,
        "/unit-groups/{id}/members/add",
        "Add a unit to a group from a day",
    ),
    Command(
        "removeUnitGroupMember",
        "/unit-groups/{id}/members/remove",
        groups.RemoveUnitGroupMemberBody,
        "/unit-groups/{id}/members/remove",
        "Remove a unit from a group from a day",
    ),
)


def _effective_on(body: msgspec.Struct) -> datetime.date | None:
    day = getattr(body, "effective_on", None)
    return day if isinstance(day, datetime.date) else None


def _command_handler(command: Command, writer: CallerDependency) -> HTTPRouteHandler:
    async def forward(caller: ServiceCaller, data: msgspec.Struct, key: str | None, path_id: str | None) -> Any:
        target = command.service_path
        if "{id}" in target:
            if path_id is None:
                raise LookupError(f"{command.operation_id}: no id in the path")
            if "{code}" in command.path:
                path_id = await unit_id_of(caller, path_id, _effective_on(data))
            target = target.replace("{id}", path_id)
        result = await registry_api.command(caller, target, data, key)
        return CommandAnswer(ids=result.ids, replayed=result.replayed)

    options: dict[str, Any] = {
        "operation_id": command.operation_id,
        "summary": command.summary,
        "status_code": 200,
        "dependencies": {"caller": Provide(writer)},
        "description": "Send `Idempotency-Key` to make a retry safe. Answers the ids acted on.",
    }
    if "{code}" in command.path:

        async def by_code(
            request: Req, caller: NamedDependency[ServiceCaller], data: Any, code: FromPath[str]
        ) -> CommandAnswer:
            answer: CommandAnswer = await forward(caller, data, request.headers.get("idempotency-key"), code)
            return answer

        handler: Callable[..., Any] = by_code
        path = command.path.replace("{code}", "{code:str}")
    elif "{id}" in command.path:

        async def by_id(
            request: Req, caller: NamedDependency[ServiceCaller], data: Any, asset_id: FromPath[str]
        ) -> CommandAnswer:
            answer: CommandAnswer = await forward(caller, data, request.headers.get("idempotency-key"), asset_id)
            return answer

        handler = by_id
        path = command.path.replace("{id}", "{asset_id:str}")
    else:

        async def plain(request: Req, caller: NamedDependency[ServiceCaller], data: Any) -> CommandAnswer:
            answer: CommandAnswer = await forward(caller, data, request.headers.get("idempotency-key"), None)
            return answer

        handler = plain
        path = command.path
    # The body's type is the row's: set on the handler as Litestar reads it (a JSON body marker).
    handler.__annotations__ = {**handler.__annotations__, "data": Annotated[command.body, JSON_BODY]}
    handler.__name__ = command.operation_id
    return post(path, **options)(handler)


def registry_router(gateway: Gateway, security: GatewaySecurity) -> Router:
    """Every registry command under /api/v1, authenticated and charged like the other routes."""
    factory = CallerFactory(gateway, security)

    async def writer(request: Req) -> ServiceCaller:
        context = GatewayContext.create(gateway, await factory.admit(request))
        return context.writer()

    return Router(
        path="/api/v1",
        route_handlers=[
            *(_command_handler(command, writer) for command in COMMANDS),
        ],
        tags=["public API: registry"],
        security=[{BEARER: []}],
        exception_handlers={ServiceError: service_error, ServiceUnavailableError: service_unavailable},
    )

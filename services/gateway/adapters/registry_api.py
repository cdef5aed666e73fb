"""The registry's internal routes the gateway uses, one function per route: it encodes the
registry's own bodies (``contracts.api.registry``) and decodes its own answers
(``contracts.api.registry_views``; every command answers a ``CommandResult``)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import msgspec

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
    DissolveUnitBody,
    EstablishTeamBody,
    MergeUnitsBody,
    OpenPostalPointBody,
    RegisterInformationSystemBody,
    RegisterRadioStationBody,
    RegisterSpeakerClusterBody,
    RegisterUnitBody,
    RegisterVideoEndpointBody,
    RegisterWifiHotspotBody,
    RenameUnitBody,
    ReparentUnitBody,
    ReportTeamActivityBody,
    SplitUnitBody,
    UpgradeRadioStationBody,
)
from contracts.api.registry_views import (
    BtsStationView,
    ChildrenPage,
    DigitalTeamView,
    ImportReport,
    InformationSystemView,
    OrganisationView,
    PostalPointView,
    RadioStationView,
    SpeakerClusterView,
    UnitPage,
    UnitView,
    VideoEndpointView,
    VillageFibreView,
    WifiHotspotView,
)
from contracts.api.unit_groups import UnitGroupView
from libs.common.errors import InvalidInputError
from libs.common.eventstore.results import CommandResult
from services.gateway.adapters.internal import ServiceCaller, ServiceUnavailableError

R = "registry"
UNITS_READ_MODEL = "registry_units"
"""The registry's projection that units are read from (``/units``, ``/units/by-code``)."""
ASSETS_READ_MODEL = "registry_assets"
"""The one that teams, stations, clusters, base stations, fibre, postal points, endpoints,
hotspots and information systems are read from."""
UNIT_GROUPS_READ_MODEL = "registry_unit_groups"
T = TypeVar("T")
V = TypeVar("V")


def _params(as_of: datetime.date | None = None, **values: str | int | None) -> dict[str, str]:
    params = {k: str(v) for k, v in values.items() if v is not None}
    if as_of is not None:
        params["as_of"] = as_of.isoformat()
    return params


async def units_by_ids(caller: ServiceCaller, ids: Sequence[str], as_of: datetime.date | None) -> list[UnitView]:
    return await caller.get(R, "/units", _params(as_of, ids=",".join(ids)), list[UnitView])


async def units_by_codes(caller: ServiceCaller, codes: Sequence[str], as_of: datetime.date | None) -> list[UnitView]:
    return await caller.get(R, "/units/by-code", _params(as_of, codes=",".join(codes)), list[UnitView])


async def list_units(
    caller: ServiceCaller,
    *,
    level: str | None,
    parent_code: str | None,
    search: str | None,
    as_of: datetime.date | None,
    first: int,
    after: str | None,
) -> UnitPage:
    params = _params(as_of, level=level, parent_code=parent_code, search=search, first=first, after=after)
    return await caller.get(R, "/units/list", params, UnitPage)


async def children_pages(
    caller: ServiceCaller, parent_ids: Sequence[str], as_of: datetime.date | None, first: int
) -> list[ChildrenPage]:
    params = _params(as_of, parent_ids=",".join(parent_ids), first=first)
    return await caller.get(R, "/units/children", params, list[ChildrenPage])


def _keyed(path: str, keys: str, answer: type[V]) -> Callable[[ServiceCaller, Sequence[str]], Awaitable[V]]:
    """A registry route answering the items of some keys (``GET <path>?<keys>=a,b``, a row of its
    ``KeysQueryTable``): what the loaders batch."""

    async def read(caller: ServiceCaller, wanted: Sequence[str]) -> V:
        return await caller.get(R, path, {keys: ",".join(wanted)}, answer)

    return read


stations_by_ids = _keyed("/radio-stations", "ids", list[RadioStationView])
stations_by_units = _keyed("/radio-stations/by-unit", "unit_ids", list[RadioStationView])
clusters_by_ids = _keyed("/speaker-clusters", "ids", list[SpeakerClusterView])
clusters_by_stations = _keyed("/speaker-clusters/by-station", "station_ids", list[SpeakerClusterView])
teams_by_units = _keyed("/digital-teams/by-unit", "unit_ids", list[DigitalTeamView])
teams_by_ids = _keyed("/digital-teams", "ids", list[DigitalTeamView])
bts_by_ids = _keyed("/bts-stations", "ids", list[BtsStationView])
fibre_by_villages = _keyed("/village-fibre/by-village", "village_ids", list[VillageFibreView])
postal_points_by_ids = _keyed("/postal-points", "ids", list[PostalPointView])
video_endpoints_by_ids = _keyed("/video-endpoints", "ids", list[VideoEndpointView])
wifi_hotspots_by_ids = _keyed("/wifi-hotspots", "ids", list[WifiHotspotView])
systems_by_ids = _keyed("/information-systems", "ids", list[InformationSystemView])
organisations_by_ids = _keyed("/organisations", "ids", list[OrganisationView])
organisations_by_codes = _keyed("/organisations/by-code", "codes", list[OrganisationView])


LISTS = {
    "radio_station": "/radio-stations/list",
    "speaker_cluster": "/speaker-clusters/list",
    "bts_station": "/bts-stations/list",
    "village_fibre": "/village-fibre/list",
    "postal_point": "/postal-points/list",
    "video_endpoint": "/video-endpoints/list",
    "wifi_hotspot": "/wifi-hotspots/list",
    "digital_team": "/digital-teams/list",
    "information_system": "/information-systems/list",
}
"""The registry's listing of each kind (``listRadioStations`` …), all with the same filters."""


async def list_assets(
    caller: ServiceCaller,
    kind: str,
    page: type[T],
    *,
    unit_code: str | None = None,
    operator_code: str | None = None,
    technology: str | None = None,
    status: str | None = None,
    as_of: datetime.date | None = None,
    first: int = 50,
    after: str | None = None,
) -> T:
    """One page of a kind's listing, decoded as ``page`` (its ``…Page`` shape)."""
    params = _params(
        as_of,
        unit_code=unit_code,
        operator_code=operator_code,
        technology=technology,
        status=status,
        first=first,
        after=after,
    )
    return await caller.get(R, LISTS[kind], params, page)


# --- commands ---------------------------------------------------------------------------------


async def register_unit(caller: ServiceCaller, body: RegisterUnitBody, key: str | None) -> CommandResult:
    return await caller.post(R, "/commands/units/register", body, CommandResult, idempotency_key=key)


async def merge_units(caller: ServiceCaller, body: MergeUnitsBody, key: str | None) -> CommandResult:
    return await caller.post(R, "/commands/units/merge", body, CommandResult, idempotency_key=key)


async def register_station(caller: ServiceCaller, body: RegisterRadioStationBody, key: str | None) -> CommandResult:
    return await caller.post(R, "/commands/radio-stations/register", body, CommandResult, idempotency_key=key)


async def register_cluster(caller: ServiceCaller, body: RegisterSpeakerClusterBody, key: str | None) -> CommandResult:
    return await caller.post(R, "/commands/speaker-clusters/register", body, CommandResult, idempotency_key=key)


async def commission_bts(caller: ServiceCaller, body: CommissionBtsBody, key: str | None) -> CommandResult:
    return await caller.post(R, "/commands/bts-stations/commission", body, CommandResult, idempotency_key=key)


def _command(path: str) -> str:
    return f"/commands{path}"


async def command(caller: ServiceCaller, path: str, body: object, key: str | None) -> CommandResult:
    """Any registry command: ``path`` under ``/commands`` (an id in it already checked)."""
    return await caller.post(R, _command(path), body, CommandResult, idempotency_key=key)


async def rename_unit(caller: ServiceCaller, unit_id: str, body: RenameUnitBody, key: str | None) -> CommandResult:
    return await command(caller, f"/units/{unit_id}/rename", body, key)


async def reparent_unit(caller: ServiceCaller, unit_id: str, body: ReparentUnitBody, key: str | None) -> CommandResult:
    return await command(caller, f"/units/{unit_id}/reparent", body, key)


async def split_unit(caller: ServiceCaller, unit_id: str, body: SplitUnitBody, key: str | None) -> CommandResult:
    return await command(caller, f"/units/{unit_id}/split", body, key)


async def dissolve_unit(caller: ServiceCaller, unit_id: str, body: DissolveUnitBody, key: str | None) -> CommandResult:
    return await command(caller, f"/units/{unit_id}/dissolve", body, key)


async def establish_team(caller: ServiceCaller, body: EstablishTeamBody, key: str | None) -> CommandResult:
    return await command(caller, "/digital-teams/establish", body, key)


async def change_team_members(
    caller: ServiceCaller, team_id: str, body: ChangeTeamMembersBody, key: str | None
) -> CommandResult:
    return await command(caller, f"/digital-teams/{team_id}/change-members", body, key)


async def report_team_activity(
    caller: ServiceCaller, team_id: str, body: ReportTeamActivityBody, key: str | None
) -> CommandResult:
    return await command(caller, f"/digital-teams/{team_id}/report-activity", body, key)


async def disband_team(caller: ServiceCaller, team_id: str, body: DisbandTeamBody, key: str | None) -> CommandResult:
    return await command(caller, f"/digital-teams/{team_id}/disband", body, key)


async def upgrade_station(
    caller: ServiceCaller, station_id: str, body: UpgradeRadioStationBody, key: str | None
) -> CommandResult:
    return await command(caller, f"/radio-stations/{station_id}/upgrade", body, key)


async def change_station_status(
    caller: ServiceCaller, station_id: str, body: ChangeRadioStationStatusBody, key: str | None
) -> CommandResult:
    return await command(caller, f"/radio-stations/{station_id}/change-status", body, key)


async def assign_operator(caller: ServiceCaller, body: AssignOperatorBody, key: str | None) -> CommandResult:
    return await command(caller, "/assets/assign-operator", body, key)


async def decommission_cluster(
    caller: ServiceCaller, cluster_id: str, body: DecommissionSpeakerClusterBody, key: str | None
) -> CommandResult:
    return await command(caller, f"/speaker-clusters/{cluster_id}/decommission", body, key)


async def change_bts_technologies(
    caller: ServiceCaller, bts_id: str, body: ChangeBtsTechnologiesBody, key: str | None
) -> CommandResult:
    return await command(caller, f"/bts-stations/{bts_id}/change-technologies", body, key)


async def decommission_bts(
    caller: ServiceCaller, bts_id: str, body: DecommissionBtsBody, key: str | None
) -> CommandResult:
    return await command(caller, f"/bts-stations/{bts_id}/decommission", body, key)


async def connect_fibre(caller: ServiceCaller, body: ConnectVillageFibreBody, key: str | None) -> CommandResult:
    return await command(caller, "/village-fibre/connect", body, key)


async def open_postal_point(caller: ServiceCaller, body: OpenPostalPointBody, key: str | None) -> CommandResult:
    return await command(caller, "/postal-points/open", body, key)


async def close_postal_point(
    caller: ServiceCaller, point_id: str, body: ClosePostalPointBody, key: str | None
) -> CommandResult:
    return await command(caller, f"/postal-points/{point_id}/close", body, key)


async def register_video_endpoint(
    caller: ServiceCaller, body: RegisterVideoEndpointBody, key: str | None
) -> CommandResult:
    return await command(caller, "/video-endpoints/register", body, key)


async def register_wifi_hotspot(caller: ServiceCaller, body: RegisterWifiHotspotBody, key: str | None) -> CommandResult:
    return await command(caller, "/wifi-hotspots/register", body, key)


async def register_system(caller: ServiceCaller, body: RegisterInformationSystemBody, key: str | None) -> CommandResult:
    return await command(caller, "/information-systems/register", body, key)


async def approve_security_level(
    caller: ServiceCaller, system_id: str, body: ApproveSecurityLevelBody, key: str | None
) -> CommandResult:
    return await command(caller, f"/information-systems/{system_id}/approve-security-level", body, key)


async def change_hosting(
    caller: ServiceCaller, system_id: str, body: ChangeDataCentreHostingBody, key: str | None
) -> CommandResult:
    return await command(caller, f"/information-systems/{system_id}/change-hosting", body, key)


async def bulk_import(caller: ServiceCaller, content: bytes, content_type: str, key: str | None) -> ImportReport:
    """Forwards a bulk file as it came (JSON array or NDJSON); the registry reads it."""
    raw = await caller.post_raw(R, "/commands/import", content, content_type, idempotency_key=key)
    try:
        return msgspec.json.decode(raw, type=ImportReport)
    except msgspec.DecodeError as exc:
        raise ServiceUnavailableError(f"registry import: unexpected answer: {exc}") from exc


GROUP_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$")
"""The registry's rule for a code (``services.registry.domain.names``), checked before a group's
code goes into a path, where a slash would name another route."""


def group_path(code: str) -> str:
    """``/unit-groups/<CODE>`` for a group's commands."""
    if not GROUP_CODE.match(code.strip()):
        raise InvalidInputError(f"{code!r} is not a unit group's code", code="invalid_code", details={"code": code})
    return f"/unit-groups/{code.strip().upper()}"


async def unit_groups(
    caller: ServiceCaller, group_codes: Sequence[str] | None = None, as_of: datetime.date | None = None
) -> list[UnitGroupView]:
    """Groups by code (every group without codes), with their members on ``as_of`` (ADR 0056)."""
    params = _params(as_of, group_codes=",".join(group_codes) if group_codes else None)
    return await caller.get(R, "/unit-groups/", params, list[UnitGroupView])

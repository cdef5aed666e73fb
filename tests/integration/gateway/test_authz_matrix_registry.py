"""The registry's table of the authorization matrix (``authz-matrix-registry`` in
docs/services/gateway-security.md), cell by cell, through /graphql (``authz_support``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from tests.integration.gateway.api_fixtures import REGISTER_CLUSTER, REGISTER_STATION
from tests.integration.gateway.api_platform import Platform
from tests.integration.gateway.authz_support import (
    CALLERS,
    Cell,
    Targets,
    build_targets,
    check_table,
    classify,
    matrix_platform,
)

__all__ = ["matrix_platform"]

REGISTER_UNIT = "mutation($input: RegisterUnitInput!) { registerUnit(input: $input) { id } }"
MERGE = "mutation($input: MergeUnitsInput!) { mergeUnits(input: $input) { id } }"
BTS = "mutation($input: RegisterBtsStationInput!) { registerBtsStation(input: $input) { id } }"
RENAME = "mutation($input: RenameUnitInput!) { renameUnit(input: $input) { id } }"
REPARENT = "mutation($input: ReparentUnitInput!) { reparentUnit(input: $input) { id } }"
SPLIT = "mutation($input: SplitUnitInput!) { splitUnit(input: $input) { id } }"
DISSOLVE = "mutation($input: DissolveUnitInput!) { dissolveUnit(input: $input) { id } }"
ESTABLISH = "mutation($input: EstablishDigitalTeamInput!) { establishDigitalTeam(input: $input) { id } }"
MEMBERS = "mutation($input: ChangeDigitalTeamMembersInput!) { changeDigitalTeamMembers(input: $input) { id } }"
ACTIVITY = "mutation($input: ReportDigitalTeamActivityInput!) { reportDigitalTeamActivity(input: $input) { id } }"
DISBAND = "mutation($input: DisbandDigitalTeamInput!) { disbandDigitalTeam(input: $input) { id } }"
UPGRADE = "mutation($input: UpgradeRadioStationInput!) { upgradeRadioStation(input: $input) { id } }"
STATUS = "mutation($input: ChangeRadioStationStatusInput!) { changeRadioStationStatus(input: $input) { id } }"
ASSIGN = "mutation($input: AssignAssetOperatorInput!) { assignAssetOperator(input: $input) { id } }"
DECOMMISSION_CLUSTER = (
    "mutation($input: DecommissionSpeakerClusterInput!) { decommissionSpeakerCluster(input: $input) { id } }"
)
BTS_TECHNOLOGIES = "mutation($input: ChangeBtsTechnologiesInput!) { changeBtsTechnologies(input: $input) { id } }"
DECOMMISSION_BTS = "mutation($input: DecommissionBtsStationInput!) { decommissionBtsStation(input: $input) { id } }"
FIBRE = "mutation($input: ConnectVillageFibreInput!) { connectVillageFibre(input: $input) { connectedOn } }"
OPEN_POINT = "mutation($input: OpenPostalPointInput!) { openPostalPoint(input: $input) { id } }"
CLOSE_POINT = "mutation($input: ClosePostalPointInput!) { closePostalPoint(input: $input) { id } }"
VIDEO = "mutation($input: RegisterVideoEndpointInput!) { registerVideoEndpoint(input: $input) { id } }"
WIFI = "mutation($input: RegisterWifiHotspotInput!) { registerWifiHotspot(input: $input) { id } }"
SYSTEM = "mutation($input: RegisterInformationSystemInput!) { registerInformationSystem(input: $input) { id } }"
APPROVE = "mutation($input: ApproveSecurityLevelInput!) { approveSecurityLevel(input: $input) { id } }"
HOSTING = "mutation($input: ChangeDataCentreHostingInput!) { changeDataCentreHosting(input: $input) { id } }"
CREATE_GROUP = "mutation($input: CreateUnitGroupInput!) { createUnitGroup(input: $input) { code } }"
ADD_MEMBER = "mutation($input: AddUnitGroupMemberInput!) { addUnitGroupMember(input: $input) { code } }"
REMOVE_MEMBER = "mutation($input: RemoveUnitGroupMemberInput!) { removeUnitGroupMember(input: $input) { code } }"


def _unit(code: str, parent: str, valid_from: str = "2020-01-01") -> dict[str, Any]:
    return {"code": code, "name": f"Thôn {code}", "level": "VILLAGE", "parentCode": parent, "validFrom": valid_from}


CELLS: dict[str, Cell] = {
    "platform (the version)": lambda i, t: ("{ platform { version } }", {}),
    "node (VNPT's station in Ba Bể)": lambda i, t: ("query($id: ID!) { node(id: $id) { id } }", {"id": t.station}),
    "unit (Ba Bể)": lambda i, t: ('{ unit(code: "061") { code } }', {}),
    "units (Ba Bể's communes)": lambda i, t: ('{ units(parentCode: "061") { totalCount } }', {}),
    "registerUnit (a village in Ba Bể)": lambda i, t: (REGISTER_UNIT, {"input": _unit(f"06100-N{i}", "06100")}),
    "mergeUnits (two villages in Ba Bể)": lambda i, t: (
        MERGE,
        {
            "input": {
                "sourceCodes": [f"06100-A{i}", f"06100-B{i}"],
                "successor": _unit(f"06100-M{i}", "06100", "2024-01-01"),
                "effectiveDate": "2024-01-01",
            }
        },
    ),
    "registerRadioStation (operator VNPT)": lambda i, t: (
        REGISTER_STATION,
        {"input": {"unitCode": f"0611{i}", "technology": "IP", "operatorCode": "VNPT", "installedOn": "2022-01-01"}},
    ),
    "registerSpeakerCluster (on VNPT's station)": lambda i, t: (
        REGISTER_CLUSTER,
        {"input": {"stationId": t.station, "installedOn": "2022-02-01"}},
    ),
    "registerBtsStation (operator VNPT)": lambda i, t: (
        BTS,
        {"input": {"operator": "VNPT", "unitCode": "06100", "technologies": ["G4"], "commissionedOn": "2022-01-01"}},
    ),
    "registerUnit (Pác Nặm)": lambda i, t: (REGISTER_UNIT, {"input": _unit(f"06200-N{i}", "06200")}),
    "registerRadioStation (Pác Nặm)": lambda i, t: (
        REGISTER_STATION,
        {"input": {"unitCode": f"0621{i}", "technology": "FM", "operatorCode": "VNPT", "installedOn": "2022-01-01"}},
    ),
    # --- units, in Bành Trạch (06100): one village per column ---
    "renameUnit (a village of Bành Trạch)": lambda i, t: (
        RENAME,
        {"input": {"code": f"06100-R{i}", "name": f"Thôn Mới {i}", "effectiveDate": "2024-07-01"}},
    ),
    "reparentUnit (a village of Bành Trạch to another commune of Ba Bể)": lambda i, t: (
        REPARENT,
        {"input": {"code": f"06100-P{i}", "parentCode": f"0611{i}", "effectiveDate": "2024-07-01"}},
    ),
    "splitUnit (a village of Bành Trạch)": lambda i, t: (
        SPLIT,
        {
            "input": {
                "code": f"06100-S{i}",
                "successors": [_unit(f"06100-S{i}{n}", "06100", "2024-07-01") for n in (1, 2)],
                "effectiveDate": "2024-07-01",
            }
        },
    ),
    "dissolveUnit (a village of Bành Trạch)": lambda i, t: (
        DISSOLVE,
        {"input": {"code": f"06100-D{i}", "effectiveDate": "2024-07-01"}},
    ),
    # --- digital teams, in villages of Bành Trạch ---
    "establishDigitalTeam (a village of Bành Trạch)": lambda i, t: (
        ESTABLISH,
        {"input": {"unitCode": f"06100-T{i}", "level": "VILLAGE", "establishedOn": "2024-01-01", "memberCount": 4}},
    ),
    "changeDigitalTeamMembers (a team in Bành Trạch)": lambda i, t: (
        MEMBERS,
        {"input": {"teamId": t.per_caller["team"][i], "memberCount": 6, "effectiveDate": "2024-06-01"}},
    ),
    "reportDigitalTeamActivity (a team in Bành Trạch)": lambda i, t: (
        ACTIVITY,
        {"input": {"teamId": t.per_caller["team"][i], "reportedOn": "2024-06-15", "householdsSupported": 12}},
    ),
    "disbandDigitalTeam (a team in Bành Trạch)": lambda i, t: (
        DISBAND,
        {"input": {"teamId": t.per_caller["team to disband"][i], "effectiveDate": "2024-12-31"}},
    ),
    # --- VNPT's stations, clusters and base stations in Bành Trạch ---
    "upgradeRadioStation (VNPT's, another commune of Ba Bể)": lambda i, t: (
        UPGRADE,
        {"input": {"stationId": t.per_caller["station to upgrade"][i], "technology": "IP", "upgradedOn": "2024-03-01"}},
    ),
    "changeRadioStationStatus (VNPT's, another commune, decommissioned)": lambda i, t: (
        STATUS,
        {
            "input": {
                "stationId": t.per_caller["station to decommission"][i],
                "status": "DECOMMISSIONED",
                "effectiveDate": "2024-09-01",
            }
        },
    ),
    "assignAssetOperator (VNPT's station, another commune, to Viettel)": lambda i, t: (
        ASSIGN,
        {
            "input": {
                "assetId": t.per_caller["station to hand over"][i],
                "organisationCode": "VIETTEL",
                "effectiveDate": "2024-05-01",
            }
        },
    ),
    "decommissionSpeakerCluster (on VNPT's station)": lambda i, t: (
        DECOMMISSION_CLUSTER,
        {"input": {"clusterId": t.per_caller["cluster"][i], "effectiveDate": "2024-10-01"}},
    ),
    "changeBtsTechnologies (VNPT's base station)": lambda i, t: (
        BTS_TECHNOLOGIES,
        {
            "input": {
                "btsId": t.per_caller["bts to change"][i],
                "technologies": ["G4", "G5"],
                "effectiveDate": "2024-04-01",
            }
        },
    ),
    "decommissionBtsStation (VNPT's base station)": lambda i, t: (
        DECOMMISSION_BTS,
        {"input": {"btsId": t.per_caller["bts to decommission"][i], "effectiveDate": "2024-11-01"}},
    ),
    "connectVillageFibre (VNPT, a village of Bành Trạch)": lambda i, t: (
        FIBRE,
        {"input": {"villageCode": f"06100-F{i}", "operatorCode": "VNPT", "connectedOn": "2023-05-01"}},
    ),
    # --- the post's points, endpoints, hotspots in Bành Trạch ---
    "openPostalPoint (VNPOST, in Bành Trạch)": lambda i, t: (
        OPEN_POINT,
        {"input": {"unitCode": "06100", "name": f"Điểm BĐVHX {i}", "operatorCode": "VNPOST", "openedOn": "2022-01-01"}},
    ),
    "closePostalPoint (VNPOST's point)": lambda i, t: (
        CLOSE_POINT,
        {"input": {"pointId": t.per_caller["postal point"][i], "effectiveDate": "2024-12-01"}},
    ),
    "registerVideoEndpoint (Bành Trạch)": lambda i, t: (
        VIDEO,
        {"input": {"unitCode": "06100", "installedOn": "2023-01-01"}},
    ),
    "registerWifiHotspot (VNPT's, in Bành Trạch)": lambda i, t: (
        WIFI,
        {"input": {"unitCode": "06100", "operatorCode": "VNPT", "latitude": 22.4, "longitude": 105.6}},
    ),
    # --- information systems: the province's own ---
    "registerInformationSystem (an agency's)": lambda i, t: (
        SYSTEM,
        {"input": {"name": f"Hệ thống {i}", "ownerAgency": "Sở TTTT", "hostedInDataCentre": True}},
    ),
    "approveSecurityLevel (an agency's system)": lambda i, t: (
        APPROVE,
        {"input": {"systemId": t.per_caller["system"][i], "level": 3, "approvedOn": "2024-02-01"}},
    ),
    "changeDataCentreHosting (an agency's system, moved in)": lambda i, t: (
        HOSTING,
        {"input": {"systemId": t.per_caller["system"][i], "hostedInDataCentre": True, "effectiveOn": "2024-06-01"}},
    ),
    # --- unit groups: the province's own (ADR 0056), one group per column ---
    "createUnitGroup (a province group)": lambda i, t: (
        CREATE_GROUP,
        {"input": {"code": f"MATRIX_NEW_{i}", "name": f"Nhóm {i}"}},
    ),
    "addUnitGroupMember (Bành Trạch to a province group)": lambda i, t: (
        ADD_MEMBER,
        {"input": {"groupCode": f"MATRIX_ADD_{i}", "unitCode": "06100", "joinedOn": "2023-01-01"}},
    ),
    "removeUnitGroupMember (Bành Trạch from a province group)": lambda i, t: (
        REMOVE_MEMBER,
        {"input": {"groupCode": f"MATRIX_REMOVE_{i}", "unitCode": "06100", "leftOn": "2024-01-01"}},
    ),
    "unitGroups (as of a day, with their members' units)": lambda i, t: (
        '{ unitGroups(asOf: "2023-06-01") { totalCount edges { node { code members { unit { code } } } } } }',
        {},
    ),
    # --- the listings ---
    "radioStations (Ba Bể's, with signal and clusters' coordinates)": lambda i, t: (
        '{ radioStations(unitCode: "061") '
        "{ totalCount edges { node { clusters { signal location { latitude } } } } } }",
        {},
    ),
    "speakerClusters (Ba Bể's)": lambda i, t: ('{ speakerClusters(unitCode: "061") { totalCount } }', {}),
    "btsStations (VNPT's in Ba Bể, 4G)": lambda i, t: (
        '{ btsStations(unitCode: "061", operatorCode: "VNPT", technology: G4) { totalCount } }',
        {},
    ),
    "villageFibre (Ba Bể's)": lambda i, t: ('{ villageFibre(unitCode: "061") { totalCount } }', {}),
    "postalPoints (VNPOST's)": lambda i, t: ('{ postalPoints(operatorCode: "VNPOST") { totalCount } }', {}),
    "videoEndpoints (Ba Bể's)": lambda i, t: ('{ videoEndpoints(unitCode: "061") { totalCount } }', {}),
    "wifiHotspots (Ba Bể's)": lambda i, t: ('{ wifiHotspots(unitCode: "061") { totalCount } }', {}),
    "digitalTeams (Ba Bể's, as of a day)": lambda i, t: (
        '{ digitalTeams(unitCode: "061", asOf: "2024-07-01") { totalCount edges { node { activityStatus } } } }',
        {},
    ),
    "informationSystems (hosted in the data centre)": lambda i, t: (
        "{ informationSystems(hostedInDataCentre: true) { totalCount } }",
        {},
    ),
}


# --- what a mutation's result shows a writer without ``read`` (test_authz_matrix.py) ---------

NESTED: dict[str, dict[str, str]] = {
    "AdministrativeUnit": {
        "parent": "parent { code }",
        "children": "children { totalCount edges { node { code } } }",
        "successors": "successors { code }",
        "radioStation": "radioStation { id }",
        "digitalTeam": "digitalTeam { id }",
        "indicators": 'indicators(period: "2023") { value }',
    },
    "RadioStation": {
        "unit": "unit { code }",
        "clusters": "clusters { id }",
        "airtime": 'airtime(period: "2023") { seconds }',
    },
    "SpeakerCluster": {
        "station": "station { id }",
        "village": "village { code }",
        "signal": "signal",
        "lastSeenAt": "lastSeenAt",
    },
    "BtsStation": {"unit": "unit { code }"},
    "DigitalTeam": {"unit": "unit { code }"},
    "VillageFibre": {"village": "village { code }"},
    "PostalPoint": {"unit": "unit { code }", "operator": "operator { code }"},
    "VideoEndpoint": {"unit": "unit { code }", "operator": "operator { code }"},
    "WifiHotspot": {"unit": "unit { code }", "operator": "operator { code }"},
    "InformationSystem": {"operator": "operator { code }"},
    "UnitGroup": {"members": "members { unit { code } }"},
    "Node": {},
}
"""Every field of a result type that reaches past the written row: each needs ``read``. The
rest (ids, codes, names, status, the value written) is the writer's own (``DIRECT``)."""

DIRECT = {
    "AdministrativeUnit": "id code name level validFrom validTo",
    "RadioStation": "id technology status installedOn operatorCode",
    "SpeakerCluster": "id status installedOn decommissionedOn location { latitude longitude }",
    "BtsStation": "id operator technologies commissionedOn status decommissionedOn location { latitude longitude }",
    "DigitalTeam": "id level memberCount establishedOn active disbandedOn lastActivityOn activityReports",
    "VillageFibre": "operatorCode connectedOn",
    "PostalPoint": "id name openedOn closedOn status",
    "VideoEndpoint": "id installedOn",
    "WifiHotspot": "id installedOn location { latitude longitude }",
    "InformationSystem": "id name ownerAgency hostedInDataCentre securityLevel approvedOn decision",
    "UnitGroup": "code name description source asOf",
    "Node": "id",
}

OWN = {("SpeakerCluster", "location"), ("BtsStation", "location"), ("WifiHotspot", "location")}
"""Coordinates are the row's own (surveyed with it), loaded from nowhere: shown to its writer."""

NOTHING_TO_REACH = {("AdministrativeUnit", "successors"), ("VideoEndpoint", "operator")}
"""A new unit has no successors, and an endpoint the centre registers no operator: the row names
none, so nothing is loaded and ``[]`` or null is all it shows (the row's own content). Every
other nested field here reaches something."""


CONCURRENT = True
"""Every row acts on targets of its own (or only creates): a row's callers, and the rows in the
nested check, run at once."""


async def build_area_targets(
    platform: Platform, targets: Targets, columns: Sequence[int] = range(len(CALLERS))
) -> None:
    """Per column, the villages of Bành Trạch the unit rows change (``06100-R{i}`` …) and the
    teams, VNPT's stations (each in a commune of Ba Bể of its own: a commune has one), clusters
    and base stations, VNPOST's points and the systems the other rows act on, each its own so
    that every allowed cell acts on a target unchanged. ``columns``: only those callers'."""

    async def unit(code: str, level: str, parent: str) -> None:
        # Recorded is enough (a read model lagging under load shows it to the cells later).
        variables = {"input": {"code": code, "name": f"{code}", "level": level, "parentCode": parent}}
        variables["input"]["validFrom"] = "2020-01-01"
        result = await platform.graphql(REGISTER_UNIT, variables)
        assert classify(result) == "ok", result

    for n in (3, 4, 5):  # a commune has one station: one commune per station row and column
        await asyncio.gather(*(unit(f"061{n}{i}", "COMMUNE", "061") for i in columns))
    for prefix in "RPSDTUXF":
        await asyncio.gather(*(unit(f"06100-{prefix}{i}", "VILLAGE", "06100") for i in columns))

    async def made(query: str, variables: dict[str, Any]) -> str:
        async with asyncio.timeout(30):
            while True:  # a unit not yet in a read model is waited for, as the cells do
                result = await platform.graphql(query, {"input": variables})
                if not classify(result).startswith("error UNKNOWN_"):
                    break
                await asyncio.sleep(0.1)
        assert not result.get("errors"), result
        return str(next(iter(result["data"].values()))["id"])

    def station(commune: str) -> dict[str, Any]:
        return {"unitCode": commune, "technology": "WIRED", "operatorCode": "VNPT", "installedOn": "2020-01-01"}

    def bts() -> dict[str, Any]:
        return {"operator": "VNPT", "unitCode": "06100", "technologies": ["G3"], "commissionedOn": "2020-01-01"}

    plan: dict[str, Callable[[int], Awaitable[str]]] = {
        "team": lambda i: made(ESTABLISH, _team(f"06100-U{i}")),
        "team to disband": lambda i: made(ESTABLISH, _team(f"06100-X{i}")),
        "station to upgrade": lambda i: made(REGISTER_STATION, station(f"0613{i}")),
        "station to decommission": lambda i: made(REGISTER_STATION, station(f"0614{i}")),
        "station to hand over": lambda i: made(REGISTER_STATION, station(f"0615{i}")),
        "cluster": lambda i: made(REGISTER_CLUSTER, {"stationId": targets.station, "villageCode": "06100-A0"}),
        "bts to change": lambda i: made(BTS, bts()),
        "bts to decommission": lambda i: made(BTS, bts()),
        "postal point": lambda i: made(
            OPEN_POINT, {"unitCode": "06100", "name": f"Bưu cục {i}", "operatorCode": "VNPOST"}
        ),
        "system": lambda i: made(
            SYSTEM, {"name": f"Hệ thống {i}", "ownerAgency": "Sở TTTT", "hostedInDataCentre": False}
        ),
    }
    for row, make in plan.items():
        targets.per_caller[row] = dict(zip(columns, await asyncio.gather(*(make(i) for i in columns)), strict=True))
    for i in columns:  # a group to add Bành Trạch to, and one it is in, per column
        for code in (f"MATRIX_ADD_{i}", f"MATRIX_REMOVE_{i}"):
            await platform.data(CREATE_GROUP, {"input": {"code": code, "name": code}})
        member = {"groupCode": f"MATRIX_REMOVE_{i}", "unitCode": "06100", "joinedOn": "2021-01-01"}
        await platform.data(ADD_MEMBER, {"input": member})


def _team(village: str) -> dict[str, Any]:
    return {"unitCode": village, "level": "VILLAGE", "establishedOn": "2023-01-01", "memberCount": 5}


async def test_every_registry_operation_is_allowed_or_refused_as_the_matrix_specifies(
    matrix_platform: Platform,
) -> None:
    targets = await build_targets(matrix_platform)
    await build_area_targets(matrix_platform, targets)
    await check_table(matrix_platform, "authz-matrix-registry", CELLS, targets, concurrent=CONCURRENT)

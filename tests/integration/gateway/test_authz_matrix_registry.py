"""The registry's table of the authorization matrix (``authz-matrix-registry`` in
docs/services/gateway-security.md), cell by cell, through /graphql (``authz_support``)."""

from __future__ import annotations

from typing import Any

from tests.integration.gateway.api_fixtures import REGISTER_CLUSTER, REGISTER_STATION
from tests.integration.gateway.api_platform import Platform
from tests.integration.gateway.authz_support import Cell, build_targets, check_table, matrix_platform

__all__ = ["matrix_platform"]

REGISTER_UNIT = "mutation($input: RegisterUnitInput!) { registerUnit(input: $input) { id } }"
MERGE = "mutation($input: MergeUnitsInput!) { mergeUnits(input: $input) { id } }"
BTS = "mutation($input: RegisterBtsStationInput!) { registerBtsStation(input: $input) { id } }"


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
}
"""Every field of a result type that reaches past the written row: each needs ``read``. The
rest (ids, codes, names, status, the value written) is the writer's own (``DIRECT``)."""

DIRECT = {
    "AdministrativeUnit": "id code name level validFrom validTo",
    "RadioStation": "id technology status installedOn operatorCode",
    "SpeakerCluster": "id",
    "BtsStation": "id operator technologies commissionedOn",
}

NOTHING_TO_REACH = {("AdministrativeUnit", "successors")}
"""A new unit has no successors: the row names none, so nothing is loaded and ``[]`` is all it
shows (the row's own content). Every other nested field here reaches something."""


async def test_every_registry_operation_is_allowed_or_refused_as_the_matrix_specifies(
    matrix_platform: Platform,
) -> None:
    await check_table(matrix_platform, "authz-matrix-registry", CELLS, await build_targets(matrix_platform))

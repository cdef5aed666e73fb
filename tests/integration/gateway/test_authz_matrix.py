"""The authorization matrix of docs/services/gateway-security.md, cell by cell, through /graphql.

The table in the document is the specification: this test reads it, so the two cannot drift.
Each cell sends one mutation as one kind of caller and classifies the answer as ``ok``, ``401``
or ``403``. The targets are built first by the admin through /graphql (and the two operators
registered in the registry), so every allowed cell would succeed on its own merits.
"""

from __future__ import annotations

import asyncio
import importlib
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from litestar.testing import AsyncTestClient

from contracts.services import INTERNAL
from libs.common.db import create_pool
from libs.common.migrations import apply_migrations
from libs.common.settings import Settings
from services.cli.catalogue import all_migrations
from services.gateway.security.partner_store import PartnerStore
from services.gateway.security.partners import Partner
from tests.integration.gateway.api_fixtures import INDICATOR, REGISTER_CLUSTER, REGISTER_STATION, register_unit
from tests.integration.gateway.api_platform import Platform, start_platform
from tests.support.principals import ADMIN, PrincipalAuth

DOC = Path(__file__).resolve().parents[3] / "docs" / "services" / "gateway-security.md"
CALLERS = ("anonymous", "read-only", "VNPT", "Viettel", "district centre", "admin")
WHO = {"anonymous": None, "read-only": "reader", "VNPT": "vnpt", "Viettel": "viettel"}
WHO |= {"district centre": "centre", "admin": "admin"}
UNAUTHENTICATED = {"UNAUTHENTICATED", "UNAUTHORIZED", "PRINCIPAL_MISSING"}
FORBIDDEN = {"FORBIDDEN": "403", "OUTSIDE_OWN_UNIT": "403 outside"}

MATRIX_PARTNERS = {
    "vnpt": Partner(
        name="matrix-vnpt", scopes=frozenset({"read", "registry:write", "metrics:write"}), organisation="VNPT"
    ),
    "viettel": Partner(
        name="matrix-viettel", scopes=frozenset({"read", "registry:write", "metrics:write"}), organisation="VIETTEL"
    ),
    "centre": Partner(
        name="matrix-ba-be",
        scopes=frozenset({"read", "registry:write", "broadcast:write", "metrics:write"}),
        unit_code="061",
    ),
    # The district centre without ``read``: every Ba Bể mutation is its to make, nothing to read.
    "blind": Partner(
        name="matrix-ba-be-blind",
        scopes=frozenset({"registry:write", "broadcast:write", "metrics:write"}),
        unit_code="061",
    ),
}


def read_table(marker: str, callers: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Rows of the document's table between ``<!-- marker:start -->`` and ``<!-- marker:end -->``:
    the row's label without backticks → caller → cell."""
    text = DOC.read_text("utf-8")
    table = text.split(f"<!-- {marker}:start -->", 1)[1].split(f"<!-- {marker}:end -->", 1)[0]
    lines = [line.strip() for line in table.strip().splitlines()]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    assert tuple(header[1:]) == callers, header
    rows: dict[str, dict[str, str]] = {}
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        label = re.sub(r"[`]", "", cells[0])
        rows[label] = dict(zip(callers, cells[1:], strict=True))
    return rows


def read_matrix() -> dict[str, dict[str, str]]:
    """The mutation matrix: ``"registerUnit (a village in Ba Bể)"`` → caller → cell."""
    return read_table("authz-matrix", CALLERS)


# --- the mutations, one input per caller so that every allowed cell can succeed ------------

Cell = Callable[[int, "Targets"], tuple[str, dict[str, Any]]]


class Targets:
    station: str = ""
    cluster: str = ""


def _unit(code: str, parent: str, valid_from: str = "2020-01-01") -> dict[str, Any]:
    return {"code": code, "name": f"Thôn {code}", "level": "VILLAGE", "parentCode": parent, "validFrom": valid_from}


REGISTER_UNIT = "mutation($input: RegisterUnitInput!) { registerUnit(input: $input) { id } }"
MERGE = "mutation($input: MergeUnitsInput!) { mergeUnits(input: $input) { id } }"
SIGNAL = "mutation($input: ReportClusterSignalInput!) { reportClusterSignal(input: $input) { id } }"
BTS = "mutation($input: RegisterBtsStationInput!) { registerBtsStation(input: $input) { id } }"
PROGRAMME = "mutation($input: RecordProgrammeInput!) { recordProgramme(input: $input) { id } }"
RELAY = "mutation($input: RecordRelayInput!) { recordRelay(input: $input) { id } }"
VALUE = "mutation($input: ReportIndicatorValueInput!) { reportIndicatorValue(input: $input) { value } }"
TARGET = "mutation($input: SetIndicatorTargetInput!) { setIndicatorTarget(input: $input) { target } }"


def _programme(i: int, producer: str) -> dict[str, Any]:
    return {
        "title": f"Bản tin thời sự {producer}-{i}",
        "producerCode": producer,
        "airDate": "2023-03-01",
        "newsItems": 3,
        "articles": 1,
        "durationSeconds": 900,
    }


CELLS: dict[str, Cell] = {
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
    "reportClusterSignal (VNPT's cluster)": lambda i, t: (
        SIGNAL,
        {"input": {"clusterId": t.cluster, "signal": "NO_SIGNAL", "observedAt": f"2023-03-0{i + 1}T08:00:00+07:00"}},
    ),
    "registerBtsStation (operator VNPT)": lambda i, t: (
        BTS,
        {"input": {"operator": "VNPT", "unitCode": "06100", "technologies": ["G4"], "commissionedOn": "2022-01-01"}},
    ),
    "recordProgramme (producer Ba Bể)": lambda i, t: (PROGRAMME, {"input": _programme(i, "061")}),
    "recordRelay (VNPT's station)": lambda i, t: (
        RELAY,
        {
            "input": {
                "stationId": t.station,
                "source": "VOV1",
                "startedAt": f"2023-04-0{i + 1}T05:00:00+07:00",
                "endedAt": f"2023-04-0{i + 1}T06:00:00+07:00",
            }
        },
    ),
    "reportIndicatorValue (a Ba Bể commune)": lambda i, t: (
        VALUE,
        {"input": {"indicatorCode": INDICATOR, "unitCode": "06100", "period": "2023", "value": 50.0 + i}},
    ),
    "setIndicatorTarget (a Ba Bể commune)": lambda i, t: (
        TARGET,
        {"input": {"indicatorCode": INDICATOR, "unitCode": "06100", "year": 2023, "target": 60.0 + i}},
    ),
    "registerUnit (Pác Nặm)": lambda i, t: (REGISTER_UNIT, {"input": _unit(f"06200-N{i}", "06200")}),
    "registerRadioStation (Pác Nặm)": lambda i, t: (
        REGISTER_STATION,
        {"input": {"unitCode": f"0621{i}", "technology": "FM", "operatorCode": "VNPT", "installedOn": "2022-01-01"}},
    ),
    "recordProgramme (Pác Nặm)": lambda i, t: (PROGRAMME, {"input": _programme(i, "062")}),
    "reportIndicatorValue (Pác Nặm)": lambda i, t: (
        VALUE,
        {"input": {"indicatorCode": INDICATOR, "unitCode": "06200", "period": "2023", "value": 40.0 + i}},
    ),
}


def classify(result: dict[str, Any]) -> str:
    errors = result.get("errors")
    if not errors:
        return "ok"
    code = str(errors[0].get("extensions", {}).get("code"))
    if code in UNAUTHENTICATED:
        return "401"
    if code in FORBIDDEN:
        return FORBIDDEN[code]
    if code == "READ_MODEL_LAG":
        return "ok"  # carried out; the read-back only timed out
    return f"error {code}: {errors[0].get('message')}"


async def attempt(platform: Platform, who: str | None, query: str, variables: dict[str, Any]) -> str:
    """One cell. A service that has not yet seen a unit or station (its view of the registry
    follows the log) answers UNKNOWN_…: that is waiting, not an answer, so try again."""
    async with asyncio.timeout(30):
        while True:
            result = await platform.graphql(query, variables, who=who)
            outcome = classify(result)
            if not outcome.startswith("error UNKNOWN_"):
                return outcome
            await asyncio.sleep(0.1)


# --- the province the cells act on ---------------------------------------------------------


async def build_targets(platform: Platform) -> Targets:
    await register_unit(platform, "06", "Tỉnh Bắc Kạn", "PROVINCE", None)
    await register_unit(platform, "061", "Huyện Ba Bể", "DISTRICT", "06")
    await register_unit(platform, "062", "Huyện Pác Nặm", "DISTRICT", "06")
    await register_unit(platform, "06100", "Xã Bành Trạch", "COMMUNE", "061")
    await register_unit(platform, "06200", "Xã Bộc Bố", "COMMUNE", "062")
    for i in range(len(CALLERS)):
        await register_unit(platform, f"0611{i}", f"Xã Ba Bể {i}", "COMMUNE", "061")
        await register_unit(platform, f"0621{i}", f"Xã Pác Nặm {i}", "COMMUNE", "062")
        for side in "AB":
            await register_unit(platform, f"06100-{side}{i}", f"Thôn {side}{i}", "VILLAGE", "06100")
    await register_operators(platform.settings, platform.settings.registry_url)
    targets = Targets()
    station = {"unitCode": "06100", "technology": "IP", "operatorCode": "VNPT", "installedOn": "2021-01-01"}
    targets.station = (await platform.data(REGISTER_STATION, {"input": station}))["registerRadioStation"]["id"]
    cluster = {"stationId": targets.station, "villageCode": "06100-A0", "installedOn": "2021-02-01"}
    targets.cluster = (await platform.data(REGISTER_CLUSTER, {"input": cluster}))["registerSpeakerCluster"]["id"]
    return targets


async def register_operators(settings: Settings, registry_url: str) -> None:
    """The contract has no organisation mutation: operators are registered in the registry."""
    async with httpx.AsyncClient(base_url=registry_url, auth=PrincipalAuth(settings, ADMIN, "registry")) as client:
        for code, name in [("VNPT", "VNPT Bắc Kạn"), ("VIETTEL", "Viettel Bắc Kạn")]:
            body = {"code": code, "name": name, "kind": "telecom"}
            response = await client.post("/commands/organisations/register", json=body)
            assert response.status_code == 201, response.text


@pytest.fixture
async def matrix_platform(settings: Settings) -> AsyncIterator[Platform]:
    async for running in start_platform(settings):
        pool = await create_pool(settings.database_url, service="test", max_size=1)
        try:
            store = PartnerStore(pool)
            for who, partner in MATRIX_PARTNERS.items():
                running.keys[who] = await store.create(partner)
        finally:
            await pool.close()
        yield running


async def test_every_mutation_is_allowed_or_refused_as_the_matrix_specifies(matrix_platform: Platform) -> None:
    matrix = read_matrix()
    introspected = await matrix_platform.data("{ __schema { mutationType { fields { name } } } }")
    mutations = {f["name"] for f in introspected["__schema"]["mutationType"]["fields"]}
    assert mutations <= {label.split(" ", 1)[0] for label in matrix}, "a mutation is missing from the matrix"
    assert set(matrix) == set(CELLS)

    targets = await build_targets(matrix_platform)
    observed: dict[str, dict[str, str]] = {}
    for label, expected in matrix.items():
        observed[label] = {}
        for i, caller in enumerate(CALLERS):
            query, variables = CELLS[label](i, targets)
            observed[label][caller] = await attempt(matrix_platform, WHO[caller], query, variables)
        assert observed[label] == expected, f"{label}: expected {expected}, got {observed[label]}"


@pytest.mark.parametrize("service", INTERNAL)
async def test_every_route_of_a_service_called_without_the_gateways_token_answers_401(
    settings: Settings, service: str
) -> None:
    """Every operation of the service's own OpenAPI document, with no token and a forged one."""
    conn = await asyncpg.connect(settings.database_url)
    try:
        await apply_migrations(conn, all_migrations())
    finally:
        await conn.close()
    app = importlib.import_module(f"services.{service}.app").create_app(settings)
    forged = {"x-tinhso-principal": "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.AAAA"}
    async with AsyncTestClient(app=app) as client:
        document = (await client.get("/docs/openapi.json")).json()
        checked = 0
        for path, operations in document["paths"].items():
            if path.startswith(("/health", "/docs")):
                continue
            url = re.sub(r"\{[^}]+\}", "x", path)
            for method in operations:
                if method not in {"get", "post", "put", "patch", "delete"}:
                    continue
                for headers in ({}, forged):
                    response = await client.request(method.upper(), url, json={}, headers=headers)
                    assert response.status_code == 401, f"{method} {path}: {response.status_code} {response.text}"
                    assert response.json()["code"] in {"principal_missing", "principal_invalid"}
                checked += 1
        assert checked >= 5, f"{service}: only {checked} operations found"
        assert (await client.get("/health/live")).status_code == 200


# --- what a mutation's result shows a writer without ``read`` -------------------------------

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
    "Programme": {"producer": "producer { code }", "deliveries": "deliveries { status }"},
    "IndicatorValue": {"indicator": "indicator { code }", "unit": "unit { code }"},
}
"""Every field of a mutation's result that reaches past the written row, per result type: each
needs ``read``. The rest (ids, codes, names, status, the value written) is the writer's own."""

NOTHING_TO_REACH = {("AdministrativeUnit", "successors")}
"""A new unit has no successors: the row names none, so nothing is loaded and ``[]`` is all it
shows (the row's own content). Every other nested field here reaches something."""

DIRECT = {
    "AdministrativeUnit": "id code name level validFrom validTo",
    "RadioStation": "id technology status installedOn operatorCode",
    "SpeakerCluster": "id",
    "BtsStation": "id operator technologies commissionedOn",
    "Programme": "id title airDate newsItems articles durationSeconds segments",
    "IndicatorValue": "period value target source asOf",
}

RESULT_TYPES = """
{ __schema { mutationType { fields { name type { name kind ofType { name kind } } } } } }
"""
FIELDS_OF = """
query($name: String!) {
  __type(name: $name) { fields { name type { kind ofType { kind ofType { kind ofType { kind } } } } } }
}
"""


def _reaches_past_the_row(field: dict[str, Any]) -> bool:
    """An object or a list of objects (the scalars loaded from elsewhere are listed by hand)."""
    kind: dict[str, Any] | None = field["type"]
    while kind is not None and kind["kind"] in {"NON_NULL", "LIST"}:
        kind = kind.get("ofType")
    return kind is not None and kind["kind"] in {"OBJECT", "INTERFACE", "UNION"}


async def result_types(platform: Platform) -> dict[str, str]:
    """Each mutation's result type, and a check that NESTED lists every object field of it."""
    introspected = await platform.data(RESULT_TYPES)
    types: dict[str, str] = {}
    for field in introspected["__schema"]["mutationType"]["fields"]:
        named = field["type"]
        while named["name"] is None:
            named = named["ofType"]
        types[field["name"]] = named["name"]
    for type_name in set(types.values()):
        fields = (await platform.data(FIELDS_OF, {"name": type_name}))["__type"]["fields"]
        objects = {f["name"] for f in fields if _reaches_past_the_row(f)}
        assert objects <= set(NESTED[type_name]), f"{type_name}: {objects - set(NESTED[type_name])} not in NESTED"
    return types


async def test_a_writer_without_read_sees_its_result_but_nothing_nested_under_it(matrix_platform: Platform) -> None:
    """Failed before the fix: the Ba Bể centre without ``read`` registered a unit and read the
    register through it (``parent``, ``children``, a station's clusters, a value's unit ...).

    Each mutation is sent once per nested field with the same idempotency key, so the write
    happens once and every later answer is the same result with another field asked."""
    types = await result_types(matrix_platform)
    targets = await build_targets(matrix_platform)
    index = CALLERS.index("district centre")  # the inputs the matrix gives the centre (this is a fresh platform)
    checked = 0
    for label in [label for label in CELLS if "Pác Nặm" not in label]:
        _, variables = CELLS[label](index, targets)
        variables["input"]["idempotencyKey"] = f"nested-{label.split(' ', 1)[0]}"
        if label.startswith("registerSpeakerCluster"):
            variables["input"]["villageCode"] = "06100-A0"  # so `village` has a unit to show
        mutation = label.split(" ", 1)[0]
        result_type = types[mutation]
        head = f"mutation($input: {mutation[0].upper()}{mutation[1:]}Input!) {{ {mutation}(input: $input)"

        direct = await matrix_platform.graphql(f"{head} {{ {DIRECT[result_type]} }} }}", variables, who="blind")
        assert not direct.get("errors"), f"{label}: {direct['errors']}"
        assert direct["data"][mutation] is not None

        for name, selection in NESTED[result_type].items():
            result = await matrix_platform.graphql(f"{head} {{ {selection} }} }}", variables, who="blind")
            errors = result.get("errors") or []
            if (result_type, name) in NOTHING_TO_REACH:
                assert result == {**result, "data": {mutation: {name: []}}}, f"{label} {{ {name} }}: {result}"
                checked += 1
                continue
            codes = {e["extensions"]["code"] for e in errors}
            assert codes == {"FORBIDDEN"}, f"{label} {{ {name} }}: {result}"
            assert errors[0]["path"][:2] == [mutation, name], f"{label} {{ {name} }}: {errors}"
            shown = (result["data"] or {}).get(mutation)
            assert shown is None or shown.get(name) in (None, []), f"{label} {{ {name} }} leaked: {shown}"
            checked += 1
    assert checked == sum(len(NESTED[types[label.split(" ", 1)[0]]]) for label in CELLS if "Pác Nặm" not in label)

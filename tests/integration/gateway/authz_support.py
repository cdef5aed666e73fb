"""The machinery of the authorization matrix in docs/services/gateway-security.md.

The document holds one table per area (``authz-matrix-registry``, ``-broadcast``, ``-metrics``,
``-bulk``): a row per operation of the public contract, a column per kind of caller. Each area's
test file (``test_authz_matrix_<area>.py``) gives every row of its table a :data:`Cell` (the
operation and its variables for caller ``i``) and calls :func:`check_table`, which sends each
cell through ``/graphql`` as that caller and compares what came back with the document. The
tables are the specification, read by the tests, so the two cannot drift;
``test_authz_matrix.py`` checks that every mutation and query of the schema is in some table.

Every caller holds its own credentials and ``i`` is its column's index, so a cell builds an
input of its own (a unit ``0611{i}``, a date ``2023-03-0{i + 1}``) and every allowed cell
succeeds on its own merits, whatever the other columns did before it.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from libs.common.db import create_pool
from libs.common.settings import Settings
from services.gateway.security.partner_store import PartnerStore
from services.gateway.security.partners import Partner
from tests.integration.gateway.api_fixtures import REGISTER_CLUSTER, REGISTER_STATION, register_unit
from tests.integration.gateway.api_platform import Platform, start_platform
from tests.support.principals import ADMIN, PrincipalAuth

DOC = Path(__file__).resolve().parents[3] / "docs" / "services" / "gateway-security.md"

CALLERS = ("anonymous", "read-only", "VNPT", "Viettel", "the post", "district centre", "commune", "admin")
"""The matrix's columns, in the document's order: no credentials, then the seven roles."""

WHO: dict[str, str | None] = {
    "anonymous": None,
    "read-only": "reader",
    "VNPT": "vnpt",
    "Viettel": "viettel",
    "the post": "post",
    "district centre": "centre",
    "commune": "commune",
    "admin": "admin",
}
"""Each column's key in ``Platform.keys`` (``reader`` and ``admin`` are the platform's own)."""

UNAUTHENTICATED = {"UNAUTHENTICATED", "UNAUTHORIZED", "PRINCIPAL_MISSING"}
FORBIDDEN = {"FORBIDDEN": "403", "OUTSIDE_OWN_UNIT": "403 outside", "PROVINCE_WIDE_COMMAND": "403 province"}
FORBIDDEN["APPROVAL_STEP_NOT_YOURS"] = "403 step"  # data approval: a step of another level (ADR 0055)

BA_BE, PAC_NAM, BANH_TRACH = "061", "062", "06100"
"""The district centre's district, its neighbour, and the commune partner's commune (in Ba Bể)."""

OPERATORS = {"VNPT": "VNPT Bắc Kạn", "VIETTEL": "Viettel Bắc Kạn", "VNPOST": "Bưu điện tỉnh Bắc Kạn"}

_OPERATOR_SCOPES = frozenset({"read", "registry:write", "metrics:write"})
_WRITES = frozenset({"registry:write", "broadcast:write", "metrics:write"})
_UNIT_SCOPES = _WRITES | {"read"}

MATRIX_PARTNERS = {
    "vnpt": Partner(name="matrix-vnpt", scopes=_OPERATOR_SCOPES, organisation="VNPT"),
    "viettel": Partner(name="matrix-viettel", scopes=_OPERATOR_SCOPES, organisation="VIETTEL"),
    "post": Partner(name="matrix-vnpost", scopes=_OPERATOR_SCOPES, organisation="VNPOST"),
    "centre": Partner(name="matrix-ba-be", scopes=_UNIT_SCOPES, unit_code=BA_BE),
    "commune": Partner(name="matrix-banh-trach", scopes=_UNIT_SCOPES, unit_code=BANH_TRACH),
    # The district centre without ``read``: every Ba Bể mutation is its to make, nothing to read.
    "blind": Partner(name="matrix-ba-be-blind", scopes=_WRITES, unit_code=BA_BE),
}


class Targets:
    """What the cells act on, built by the admin before the first cell (:func:`build_targets`).
    An area's file adds its own: ``per_caller[row]`` holds one target per column, for a row
    whose operation can be done once per target (a team disbanded, a station decommissioned)."""

    def __init__(self) -> None:
        self.station = ""
        self.cluster = ""
        self.per_caller: dict[str, dict[int, str]] = {}


Cell = Callable[[int, Targets], tuple[str, dict[str, Any]]]
"""A row's operation for the caller of column ``i``: the GraphQL document and its variables."""


def read_table(marker: str, callers: tuple[str, ...] = CALLERS) -> dict[str, dict[str, str]]:
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
        assert label not in rows, f"{marker}: the row {label!r} twice"
        rows[label] = dict(zip(callers, cells[1:], strict=True))
    return rows


def matrix_markers() -> list[str]:
    """Every area's table in the document (``authz-matrix-registry`` …), in its order."""
    return re.findall(r"<!-- (authz-matrix-[a-z-]+):start -->", DOC.read_text("utf-8"))


def operations_in_tables() -> set[str]:
    """The operation each row of every area's table names (its label's first word)."""
    return {label.split(" ", 1)[0] for marker in matrix_markers() for label in read_table(marker)}


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


async def check_table(
    platform: Platform, marker: str, cells: dict[str, Cell], targets: Targets, *, concurrent: bool = False
) -> None:
    """Every cell of the table ``marker`` sent as its caller; every row that differs is named,
    with what each caller got. ``concurrent``: a row's callers at once, for a table whose
    cells act on targets of their own (or only create), so that no cell waits on another."""
    matrix = read_table(marker)
    assert set(matrix) == set(cells), f"{marker}: rows {set(matrix) ^ set(cells)} in one of table and cells only"
    differing: dict[str, dict[str, str]] = {}

    async def cell(label: str, i: int, caller: str) -> str:
        query, variables = cells[label](i, targets)
        return await attempt(platform, WHO[caller], query, variables)

    for label, expected in matrix.items():
        if concurrent:
            answers = await asyncio.gather(*(cell(label, i, caller) for i, caller in enumerate(CALLERS)))
        else:
            answers = [await cell(label, i, caller) for i, caller in enumerate(CALLERS)]
        observed = dict(zip(CALLERS, answers, strict=True))
        if observed != expected:
            differing[label] = {c: f"{expected[c]} → {observed[c]}" for c in CALLERS if observed[c] != expected[c]}
    assert not differing, "expected → observed:\n" + "\n".join(f"{label}: {d}" for label, d in differing.items())


# --- the province the cells act on ---------------------------------------------------------


async def build_targets(platform: Platform) -> Targets:
    """Bắc Kạn with Ba Bể and Pác Nặm; per column a commune in each (``0611{i}``, ``0621{i}``)
    and two villages of Bành Trạch (``06100-A{i}``, ``-B{i}``); the operators; a VNPT station
    in Bành Trạch with one cluster in village ``06100-A0``."""
    await register_unit(platform, "06", "Tỉnh Bắc Kạn", "PROVINCE", None)
    await register_unit(platform, BA_BE, "Huyện Ba Bể", "DISTRICT", "06")
    await register_unit(platform, PAC_NAM, "Huyện Pác Nặm", "DISTRICT", "06")
    await register_unit(platform, BANH_TRACH, "Xã Bành Trạch", "COMMUNE", BA_BE)
    await register_unit(platform, "06200", "Xã Bộc Bố", "COMMUNE", PAC_NAM)
    for i in range(len(CALLERS)):
        await register_unit(platform, f"0611{i}", f"Xã Ba Bể {i}", "COMMUNE", BA_BE)
        await register_unit(platform, f"0621{i}", f"Xã Pác Nặm {i}", "COMMUNE", PAC_NAM)
        for side in "AB":
            await register_unit(platform, f"{BANH_TRACH}-{side}{i}", f"Thôn {side}{i}", "VILLAGE", BANH_TRACH)
    await register_operators(platform.settings, platform.settings.registry_url)
    targets = Targets()
    station = {"unitCode": BANH_TRACH, "technology": "IP", "operatorCode": "VNPT", "installedOn": "2021-01-01"}
    targets.station = (await platform.data(REGISTER_STATION, {"input": station}))["registerRadioStation"]["id"]
    cluster = {"stationId": targets.station, "villageCode": f"{BANH_TRACH}-A0", "installedOn": "2021-02-01"}
    targets.cluster = (await platform.data(REGISTER_CLUSTER, {"input": cluster}))["registerSpeakerCluster"]["id"]
    return targets


async def register_operators(settings: Settings, registry_url: str) -> None:
    """The contract has no organisation mutation: operators are registered in the registry."""
    async with httpx.AsyncClient(base_url=registry_url, auth=PrincipalAuth(settings, ADMIN, "registry")) as client:
        for code, name in OPERATORS.items():
            body = {"code": code, "name": name, "kind": "post" if code == "VNPOST" else "telecom"}
            response = await client.post("/commands/organisations/register", json=body)
            assert response.status_code == 201, response.text


@pytest.fixture
async def matrix_platform(settings: Settings) -> AsyncIterator[Platform]:
    """The whole platform, with a key for every column (and the centre without ``read``)."""
    async for running in start_platform(settings):
        pool = await create_pool(settings.database_url, service="test", max_size=1)
        try:
            store = PartnerStore(pool)
            for who, partner in MATRIX_PARTNERS.items():
                running.keys[who] = await store.create(partner)
        finally:
            await pool.close()
        yield running

"""What the authorization matrix of docs/services/gateway-security.md checks across areas.

Each area's table is run by its own file (``test_authz_matrix_<area>.py``, through
``authz_support``); here: every mutation and query of the schema is in some area's table, every
internal service refuses a caller without the gateway's token, and a writer without ``read``
sees its mutation's result but nothing nested under it.
"""

from __future__ import annotations

import asyncio
import importlib
import re
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from contracts.services import INTERNAL
from libs.common.migrations import apply_migrations
from libs.common.settings import Settings
from services.cli.catalogue import all_migrations
from tests.integration.gateway import (
    test_authz_matrix_broadcast,
    test_authz_matrix_bulk,
    test_authz_matrix_incidents,
    test_authz_matrix_metrics,
    test_authz_matrix_registry,
    test_authz_matrix_schedules,
    test_authz_matrix_source_link,
)
from tests.integration.gateway.api_platform import Platform
from tests.integration.gateway.authz_support import (
    CALLERS,
    Cell,
    build_targets,
    matrix_markers,
    matrix_platform,
    operations_in_tables,
    read_table,
)

__all__ = ["matrix_platform"]

READ_MODEL_RETRIES = 6
"""Times a mutation is sent with its key while its answer is READ_MODEL_LAG (5 s each)."""

OPERATIONS = "{ __schema { queryType { fields { name } } mutationType { fields { name } } } }"


async def test_every_mutation_and_query_is_in_an_areas_table(matrix_platform: Platform) -> None:
    """The matrix covered only mutations, in one table; now every operation is a row of its
    area's table, so a new one without a row fails here."""
    introspected = (await matrix_platform.data(OPERATIONS))["__schema"]
    names = {f["name"] for kind in ("queryType", "mutationType") for f in introspected[kind]["fields"]}
    assert {"authz-matrix-registry", "authz-matrix-broadcast", "authz-matrix-metrics"} <= set(matrix_markers())
    source_link = read_table("authz-source-link", test_authz_matrix_source_link.COLUMNS)
    missing = names - operations_in_tables() - {label.split(" ", 1)[0] for label in source_link}
    assert not missing, f"not in any authz-matrix-* table: {sorted(missing)}"


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
# Each area's file lists, per result type of its mutations, the fields that reach past the
# written row (``NESTED``: each needs ``read``) and the row's own (``DIRECT``: the writer's).

AREAS = (
    test_authz_matrix_registry,
    test_authz_matrix_broadcast,
    test_authz_matrix_metrics,
    test_authz_matrix_bulk,
    test_authz_matrix_incidents,
    test_authz_matrix_schedules,
)

CELLS: dict[str, Cell] = {label: cell for area in AREAS for label, cell in area.CELLS.items()}
"""The rows the nested check reuses: each mutation's input for the district centre."""

RESULT_ONLY = (test_authz_matrix_source_link,)
"""Areas whose table has columns of its own: their result types are checked, their rows are not
the centre's."""
NESTED: dict[str, dict[str, str]] = {
    name: fields for area in (*AREAS, *RESULT_ONLY) for name, fields in area.NESTED.items()
}
DIRECT: dict[str, str] = {name: fields for area in (*AREAS, *RESULT_ONLY) for name, fields in area.DIRECT.items()}
NOTHING_TO_REACH: set[tuple[str, str]] = {pair for area in AREAS for pair in getattr(area, "NOTHING_TO_REACH", ())}
"""Nested fields whose new row names nothing, so ``[]`` or null is all they show (the row's own)."""
OWN: set[tuple[str, str]] = {pair for area in AREAS for pair in getattr(area, "OWN", ())}
"""Object fields that show the written rows themselves (a batch's per-item results, a location),
not past them."""

RESULT_TYPES = """
{
  __schema {
    mutationType { fields { name type { name kind ofType { name kind ofType { name kind ofType { name } } } } } }
  }
}
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
        objects = {f["name"] for f in fields if _reaches_past_the_row(f) and (type_name, f["name"]) not in OWN}
        assert objects <= set(NESTED[type_name]), f"{type_name}: {objects - set(NESTED[type_name])} not in NESTED"
    return types


async def test_a_writer_without_read_sees_its_result_but_nothing_nested_under_it(matrix_platform: Platform) -> None:
    """Failed before the fix: the Ba Bể centre without ``read`` registered a unit and read the
    register through it (``parent``, ``children``, a station's clusters, a value's unit ...).

    Each mutation is sent once per nested field with the same idempotency key, so the write
    happens once and every later answer is the same result with another field asked."""
    types = await result_types(matrix_platform)
    targets = await build_targets(matrix_platform)
    for area in AREAS:  # the targets an area's own rows act on
        build_area_targets = getattr(area, "build_area_targets", None)
        if build_area_targets is not None:
            await build_area_targets(matrix_platform, targets)
    index = CALLERS.index("district centre")  # the inputs the matrix gives the centre (this is a fresh platform)
    # The rows the centre may write: the others it cannot write, with read or without.
    allowed = {
        label for marker in matrix_markers() for label, row in read_table(marker).items() if row[CALLERS[index]] == "ok"
    }
    labels = [label for label in CELLS if label.split(" ", 1)[0] in types and label in allowed]

    async def check(label: str) -> int:
        """The row's mutation as the blind centre: its direct fields, then each nested one."""
        checked = 0
        _, variables = CELLS[label](index, targets)
        variables["input"]["idempotencyKey"] = f"nested-{label.split(' ', 1)[0]}"
        if label.startswith("registerSpeakerCluster"):
            variables["input"]["villageCode"] = "06100-A0"  # so `village` has a unit to show
        mutation = label.split(" ", 1)[0]
        result_type = types[mutation]
        head = f"mutation($input: {mutation[0].upper()}{mutation[1:]}Input!) {{ {mutation}(input: $input)"

        async def send(selection: str) -> dict[str, Any]:
            """The mutation asking ``selection``, sent again with its key while the answer is
            ``READ_MODEL_LAG``: the write is done, and its read model is late on a loaded
            machine (the error says to ask again)."""
            for _ in range(READ_MODEL_RETRIES):
                result: dict[str, Any] = await matrix_platform.graphql(
                    f"{head} {{ {selection} }} }}", variables, who="blind"
                )
                lagging = [e for e in result.get("errors") or [] if e["extensions"]["code"] == "READ_MODEL_LAG"]
                if not lagging:
                    return result
            return result

        direct = await send(DIRECT[result_type])
        assert not direct.get("errors"), f"{label}: {direct['errors']}"
        assert direct["data"][mutation] is not None

        for name, selection in NESTED[result_type].items():
            result = await send(selection)
            errors = result.get("errors") or []
            shown = (result["data"] or {}).get(mutation)
            rows = shown if isinstance(shown, list) else [shown]  # a list result: every item
            if (result_type, name) in NOTHING_TO_REACH:
                assert not errors, f"{label} {{ {name} }}: {result}"
                assert all(row is not None and row[name] in ([], None) for row in rows), f"{label}: {result}"
                checked += 1
                continue
            codes = {e["extensions"]["code"] for e in errors}
            assert codes == {"FORBIDDEN"}, f"{label} {{ {name} }}: {result}"
            path = [step for step in errors[0]["path"] if not isinstance(step, int)]
            assert path[:2] == [mutation, name], f"{label} {{ {name} }}: {errors}"
            assert all(row is None or row.get(name) in (None, []) for row in rows), f"{label} {{ {name} }} leaked"
            checked += 1
        return checked

    # An area whose rows act on targets of their own (``CONCURRENT``) has them checked at once.
    together = {label for area in AREAS if getattr(area, "CONCURRENT", False) for label in area.CELLS}
    checked = sum(await asyncio.gather(*(check(label) for label in labels if label in together)))
    for label in [label for label in labels if label not in together]:
        checked += await check(label)
    assert checked == sum(len(NESTED[types[label.split(" ", 1)[0]]]) for label in labels)

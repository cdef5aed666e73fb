"""Property: the cost estimate of a query is never below the objects the gateway resolves for it.

Hypothesis writes random queries over the public schema (nested fields, aliases, and ``first``
given every way GraphQL allows: a literal, null, left out, a variable supplied, left out, null,
an integral float, or falling back to its default in the operation) and runs each against a
real gateway with a province of more than 200 villages in it (more than any page, and more
than the 200 units a level-wide list was once assumed to hold). Every JSON object in the answer
is one object a resolver produced; the estimate the cost limit computes for the same document
and variables, with the level sizes the gateway's unit directory knows, must be at least their
number. The budget is lifted on this gateway so that every generated
query runs instead of being refused.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from graphql import (
    FragmentDefinitionNode,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    OperationDefinitionNode,
    Undefined,
    get_named_type,
    parse,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from libs.common.settings import Settings
from services.gateway.graphql.limits import Limits, estimate
from services.gateway.graphql.schema import build_schema
from tests.integration.gateway.api_fixtures import INDICATOR, REPORT_VALUE, build_province
from tests.integration.gateway.api_platform import Platform, start_platform

EXAMPLES = 200
EXTRA_VILLAGES = 201
"""Registered besides the small province's villages, without stations: a level past 200 units."""
MAX_NESTING = 6
"""Object fields nested at most this deep (the depth limit is 12 with the leaves)."""

SCHEMA = build_schema(Limits())._schema

# Hypothesis warns about `random` inside strategies (raised from its own machinery here).
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")

# Values for the required arguments the generated fields take; a field needing another is left out.
REQUIRED_ARGUMENTS: dict[str, st.SearchStrategy[str]] = {
    "code": st.sampled_from(['"06"', '"061"', '"06100"', '"06100-V0"', '"nowhere"']),
    "period": st.just('"2023"'),
    "indexCode": st.just('"dti"'),
    "level": st.sampled_from(["PROVINCE", "DISTRICT", "COMMUNE", "VILLAGE"]),
    "codes": st.just(json.dumps([INDICATOR])),
}
LEFT_OUT = {"node", "platform"}  # node needs an id; platform is a constant


@dataclass
class Operation:
    """The variables a generated document declares and the values sent for them."""

    declarations: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    aliases: itertools.count[int] = field(default_factory=itertools.count)


@st.composite
def page_size(draw: st.DrawFn, operation: Operation) -> str | None:
    """``first`` as the document gives it (None: left out)."""
    form = draw(st.sampled_from(["left-out", "literal", "null", "variable"]))
    if form == "left-out":
        return None
    if form == "literal":
        return str(draw(st.integers(1, 200)))
    if form == "null":
        return "null"
    name = f"v{len(operation.declarations)}"
    default = draw(st.none() | st.integers(1, 200))
    operation.declarations.append(f"${name}: Int" + (f" = {default}" if default is not None else ""))
    value = draw(st.sampled_from(["left-out", "int", "float", "null"]))
    if value != "left-out":
        size = draw(st.integers(1, 200))
        operation.values[name] = {"int": size, "float": float(size), "null": None}[value]
    return f"${name}"


def usable(definition: GraphQLField) -> bool:
    required = [
        n for n, a in definition.args.items() if isinstance(a.type, GraphQLNonNull) and a.default_value is Undefined
    ]
    return isinstance(get_named_type(definition.type), GraphQLObjectType) and all(
        n in REQUIRED_ARGUMENTS for n in required
    )


@st.composite
def selection(draw: st.DrawFn, parent: GraphQLObjectType, operation: Operation, nesting: int) -> str:
    """``{ __typename <object fields> }`` on ``parent``; a field drawn again is aliased."""
    fields = [n for n, d in parent.fields.items() if n not in LEFT_OUT and usable(d)]
    chosen = draw(st.lists(st.sampled_from(fields), max_size=2)) if fields and nesting < MAX_NESTING else []
    parts = ["__typename"]
    for position, name in enumerate(chosen):
        definition = parent.fields[name]
        arguments = [f"{n}: {draw(REQUIRED_ARGUMENTS[n])}" for n in definition.args if n in REQUIRED_ARGUMENTS]
        if "first" in definition.args:
            first = draw(page_size(operation))
            if first is not None:
                arguments.append(f"first: {first}")
        alias = f"a{next(operation.aliases)}: " if name in chosen[:position] or draw(st.booleans()) else ""
        child = get_named_type(definition.type)
        assert isinstance(child, GraphQLObjectType)
        inner = draw(selection(child, operation, nesting + 1))
        parts.append(f"{alias}{name}{'(' + ', '.join(arguments) + ')' if arguments else ''} {inner}")
    return "{ " + " ".join(parts) + " }"


@st.composite
def queries(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    operation = Operation()
    root = SCHEMA.query_type
    assert root is not None
    body = draw(selection(root, operation, 0))
    declared = f"({', '.join(operation.declarations)})" if operation.declarations else ""
    return f"query{declared} {body}", operation.values


def objects_in(value: Any) -> int:
    """JSON objects under ``value``: each one an object a resolver returned."""
    if isinstance(value, dict):
        return 1 + sum(objects_in(v) for v in value.values())
    if isinstance(value, list):
        return sum(objects_in(v) for v in value)
    return 0


def estimated(query: str, variables: dict[str, Any], units_at_level: Callable[[str], int | None]) -> int:
    document = parse(query)
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    (operation,) = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    cost, _ = estimate(SCHEMA, operation, fragments, variables, units_at_level)
    return cost


def check(base_url: str, headers: dict[str, str], units_at_level: Callable[[str], int | None]) -> tuple[list[str], int]:
    failures: list[str] = []
    most = {"objects": 0}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:

        @given(generated=queries())
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def never_below(generated: tuple[str, dict[str, Any]]) -> None:
            query, variables = generated
            response = client.post("/graphql", json={"query": query, "variables": variables})
            assert response.status_code == 200, response.text
            result = response.json()
            codes = {(e.get("extensions") or {}).get("code") for e in result.get("errors") or []}
            assert not codes & {"COST_LIMIT", "VALIDATION", "GRAPHQL_VALIDATION_FAILED", "INTERNAL"}, result
            resolved = objects_in(result.get("data")) - 1  # the root is not a resolved object
            most["objects"] = max(most["objects"], resolved)
            cost = estimated(query, variables, units_at_level)
            if cost < resolved:
                failures.append(f"estimate {cost} < {resolved} resolved: {query} {json.dumps(variables)}")

        never_below()
    return failures, most["objects"]


@pytest.fixture
async def province_platform(settings: Settings) -> AsyncIterator[Platform]:
    async for running in start_platform(settings, Limits(max_cost=10**9)):
        province = await build_province(running, communes=2, villages=3)
        # One bulk import, not a mutation each: a level past 200 units stays quick to build.
        extra = [
            {"kind": "register_unit", "code": f"{province.communes[0]}-X{n}", "name": f"Thôn X{n}",
             "level": "village", "parent_code": province.communes[0], "valid_from": "2020-01-01"}
            for n in range(EXTRA_VILLAGES)
        ]  # fmt: skip
        imported = await running.http.post("/api/v1/import", json=extra, headers=running.auth("admin"))
        assert imported.status_code == 200, imported.text
        assert imported.json()["created"] == EXTRA_VILLAGES
        for commune in province.communes:
            value = {"indicatorCode": INDICATOR, "unitCode": commune, "period": "2023", "value": 50.0}
            await running.data(REPORT_VALUE, {"input": value})
        yield running


async def test_the_estimate_is_never_below_the_objects_resolved(province_platform: Platform) -> None:
    """Failed before the fix, shrunk to e.g. ``{ indicators { __typename } }`` (estimate 1, 64
    objects), ``units(level: COMMUNE, first: null) { edges { __typename } }`` (3 for 4) and
    ``indicatorValues(codes: [one], level: COMMUNE) { __typename }`` (1 for 2). With more than
    200 villages, failed again before level-wide lists were sized from the directory, e.g.
    ``indicatorValues(codes: [one], level: VILLAGE) { __typename }`` (200 for 207)."""
    directory = province_platform.consumer.directory
    villages = 6 + EXTRA_VILLAGES
    level = {"query": f'{{ indicatorValues(codes: ["{INDICATOR}"], period: "2023", level: VILLAGE) {{ value }} }}'}

    async def every_village_known() -> bool:
        # The gateway's directory and the metrics service's units both fold the registry's events.
        answer = await province_platform.post(level)
        return (
            directory.units_at("village") == villages
            and len((answer.get("data") or {}).get("indicatorValues") or []) == villages
        )

    await province_platform.eventually(every_village_known, timeout=30)
    failures, most = await asyncio.to_thread(
        check, province_platform.url, province_platform.auth("admin"), directory.units_at
    )
    assert failures == [], "\n".join(failures[:20])
    assert most >= 20, "no generated query resolved a page of units: the property was never exercised"

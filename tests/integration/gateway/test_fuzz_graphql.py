"""Malformed GraphQL at /graphql: broken documents, wrong variables, odd request bodies.

Whatever arrives, the gateway answers with a 4xx or a GraphQL error that names the problem,
never a 5xx and never a masked ``INTERNAL`` error (which would mean an exception escaped a
resolver). Hypothesis generates the inputs; every bad answer is collected with the input that
caused it, so one run reports them all.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from libs.common.settings import Settings
from tests.integration.gateway.api_fixtures import build_province
from tests.integration.gateway.api_platform import Platform, start_platform
from tests.integration.gateway.test_authz_matrix_broadcast import PROGRAMME, RELAY, SIGNAL
from tests.integration.gateway.test_authz_matrix_metrics import TARGET, VALUE
from tests.integration.gateway.test_authz_matrix_registry import BTS, MERGE

EXAMPLES = 200

# Hypothesis warns about `random` inside strategies (raised from its own machinery here).
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")

VALID_DOCUMENTS = [
    "{ platform { version } }",
    "query($c: String!, $d: Date) { unit(code: $c, asOf: $d) { code name level parent { code } validFrom } }",
    "query($f: Int, $a: String) { units(first: $f, after: $a) { totalCount edges { cursor node { code } } } }",
    "query($p: Period!) { units(level: COMMUNE) { edges { node { radioStation { airtime(period: $p) { seconds } "
    "clusters { id signal village { code } } } indicators(period: $p) { value } } } } }",
    'query($p: Period!, $l: UnitLevel!) { ranking(indexCode: "dti", period: $p, level: $l) { rank score } }',
    "query($id: ID!) { node(id: $id) { id } }",
    "query($f: String, $t: Date) { programmes(producerCode: $f, to: $t) { totalCount } }",
    "mutation($input: RegisterUnitInput!) { registerUnit(input: $input) { id code } }",
    "mutation($input: RegisterRadioStationInput!) { registerRadioStation(input: $input) { id } }",
    "mutation($input: RegisterSpeakerClusterInput!) { registerSpeakerCluster(input: $input) { id } }",
    MERGE,
    SIGNAL,
    BTS,
    PROGRAMME,
    RELAY,
    VALUE,
    TARGET,
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
# Field names the inputs really have, so that some generated inputs get past the first check.
input_keys = st.sampled_from(
    ["code", "name", "level", "parentCode", "validFrom", "unitCode", "technology", "stationId", "clusterId",
     "signal", "observedAt", "operator", "technologies", "title", "producerCode", "airDate", "newsItems",
     "articles", "durationSeconds", "source", "startedAt", "endedAt", "indicatorCode", "period", "value",
     "year", "target", "sourceCodes", "successor", "effectiveDate", "idempotencyKey", "latitude", "longitude"]
)  # fmt: skip
inputs = st.dictionaries(input_keys, json_values, max_size=8)
variables = st.dictionaries(
    st.sampled_from(["input", "c", "d", "f", "a", "p", "l", "id", "t"]), json_values | inputs, max_size=4
)


@st.composite
def mangled(draw: st.DrawFn) -> str:
    """A valid document with a few characters deleted, repeated or replaced."""
    document = draw(st.sampled_from(VALID_DOCUMENTS))
    for _ in range(draw(st.integers(1, 4))):
        if not document:
            break
        at = draw(st.integers(0, len(document) - 1))
        action = draw(st.sampled_from(["delete", "repeat", "replace"]))
        if action == "delete":
            document = document[:at] + document[at + 1 :]
        elif action == "repeat":
            document = document[:at] + document[at] * draw(st.integers(2, 50)) + document[at:]
        else:
            document = document[:at] + draw(st.sampled_from(list('{}()[]$!:@#"\\ \n\x00é…'))) + document[at + 1 :]
    return document


def nested(depth: int) -> str:
    return "{ units { edges { node " + "{ parent " * depth + "{ code }" + " }" * depth + " } } }"


documents = (
    st.sampled_from(VALID_DOCUMENTS)
    | mangled()
    | st.text(max_size=200)
    | st.integers(1, 60).map(nested)
    | st.integers(1, 400).map(lambda n: "{ " + " ".join(f"a{i}: platform {{ version }}" for i in range(n)) + " }")
)
bodies = st.one_of(
    st.builds(lambda q, v: {"query": q, "variables": v}, documents, variables),
    st.builds(lambda q, v: {"query": q, "variables": v}, documents, json_values),
    st.dictionaries(st.sampled_from(["query", "variables", "operationName", "extensions"]), json_values),
    st.builds(
        lambda q, h: {"query": q, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": h}}},
        st.none() | documents,
        st.text(alphabet="0123456789abcdef", min_size=0, max_size=64),
    ),
    json_values,
)


def problems(response: httpx.Response) -> str | None:
    """Why an answer is a bug, or None."""
    if response.status_code >= 500:
        return f"status {response.status_code}: {response.text[:300]}"
    if response.status_code == 200:
        try:
            errors = response.json().get("errors") or []
        except (ValueError, AttributeError):
            return f"200 that is not a JSON object: {response.text[:200]}"
        internal = [e for e in errors if (e.get("extensions") or {}).get("code") in {"INTERNAL", None}]
        if internal:
            return f"error without a code or masked: {internal[0]}"
    return None


def fuzz(base_url: str, headers: dict[str, str]) -> tuple[list[str], int]:
    failures: list[str] = []
    answered = {"ok": 0}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:

        @given(body=bodies)
        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def as_json(body: Any) -> None:
            response = client.post("/graphql", content=json.dumps(body), headers={"content-type": "application/json"})
            answered["ok"] += response.status_code == 200 and not response.json().get("errors")
            problem = problems(response)
            if problem:
                failures.append(f"POST {json.dumps(body)[:300]} -> {problem}")

        @given(
            raw=st.binary(max_size=300),
            media=st.sampled_from(["application/json", "application/graphql", "text/plain", ""]),
        )
        @settings(max_examples=EXAMPLES // 2, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def as_bytes(raw: bytes, media: str) -> None:
            response = client.post("/graphql", content=raw, headers={"content-type": media} if media else {})
            problem = problems(response)
            if problem:
                failures.append(f"POST raw {raw[:100]!r} ({media}) -> {problem}")

        @given(query=documents, variables=st.text(max_size=80))
        @settings(max_examples=EXAMPLES // 2, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def as_get(query: str, variables: str) -> None:
            response = client.get("/graphql", params={"query": query, "variables": variables})
            problem = problems(response)
            if problem:
                failures.append(f"GET query={query[:200]!r} variables={variables!r} -> {problem}")

        as_json()
        as_bytes()
        as_get()
    return failures, answered["ok"]


@pytest.fixture
async def fuzz_platform(settings: Settings) -> AsyncIterator[Platform]:
    async for running in start_platform(settings):
        await build_province(running, communes=1, villages=1)
        yield running


async def test_malformed_graphql_never_gets_a_5xx_or_a_masked_error(fuzz_platform: Platform) -> None:
    failures, answered = await asyncio.to_thread(fuzz, fuzz_platform.url, fuzz_platform.auth("admin"))
    assert failures == [], "\n".join(failures)
    assert answered > 0, "no generated request was answered without errors: the fuzz never reached a resolver"

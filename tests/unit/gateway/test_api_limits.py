"""GraphQL limits refuse a document before anything runs: cost, page size, depth, aliases."""

from __future__ import annotations

from typing import Any

import pytest

from services.gateway.graphql.limits import Limits
from services.gateway.graphql.schema import build_schema

NESTED = """
query($first: Int) {
  units(first: $first) { edges { node { code radioStation { clusters { signal village { name } } } } } }
}
"""


async def errors(query: str, limits: Limits | None = None, **variables: Any) -> list[dict[str, Any]]:
    # No context: a refused document never reaches a resolver, which would need one.
    result = await build_schema(limits or Limits()).execute(query, variable_values=variables)
    assert result.errors, "expected the document to be refused"
    return [{"message": e.message, **(e.extensions or {})} for e in result.errors]


async def test_a_query_over_the_cost_budget_is_refused_naming_the_estimate_and_the_budget() -> None:
    (error,) = await errors(NESTED, Limits(max_cost=1000), first=200)
    assert error["code"] == "COST_LIMIT"
    assert error["budget"] == 1000
    # units 1 + edges 200 + nodes 200 + stations 200 + cluster lists 200 + villages 200*20
    assert error["cost"] == 1 + 200 + 200 + 200 + 200 + 4000
    assert str(error["cost"]) in error["message"]


@pytest.mark.parametrize("first", [0, 201, 10_000])
async def test_a_page_size_outside_1_to_200_is_a_validation_error(first: int) -> None:
    (error,) = await errors(NESTED, first=first)
    assert error["code"] == "VALIDATION"
    assert "between 1 and 200" in error["message"]


async def test_the_cost_uses_literal_arguments_and_defaults_too() -> None:
    (error,) = await errors(
        "{ units { edges { node { children(first: 100) { edges { node { code } } } } } } }", Limits(max_cost=500)
    )
    # units(first defaults to 50): 1 + 50 edges + 50 nodes + 50 children + 5000 edges + 5000 nodes
    assert error["cost"] == 1 + 50 + 50 + 50 + 5000 + 5000


async def test_fragments_count_like_the_fields_they_spread() -> None:
    query = """
    query { units(first: 200) { edges { node { ...station } } } }
    fragment station on AdministrativeUnit { radioStation { clusters { village { code } } } }
    """
    (error,) = await errors(query, Limits(max_cost=100))
    assert error["code"] == "COST_LIMIT"
    assert error["cost"] == 1 + 200 + 200 + 200 + 200 + 4000


async def test_too_deep_and_too_many_aliases_are_refused_by_strawberrys_limiters() -> None:
    deep = '{ unit(code: "1") { parent { parent { parent { parent { parent { code } } } } } } }'
    (depth,) = await errors(deep, Limits(max_depth=4))
    assert "exceeds maximum operation depth" in depth["message"]
    aliased = "{ " + " ".join(f"a{n}: platform {{ version }}" for n in range(5)) + " }"
    (aliases,) = await errors(aliased, Limits(max_aliases=3))
    assert "aliases" in aliases["message"]

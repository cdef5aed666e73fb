"""GraphQL limits refuse a document before anything runs: cost, page size, depth, aliases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from services.gateway.graphql.limits import ASSUMED_LIST_SIZES, Limits
from services.gateway.graphql.schema import build_schema
from services.metrics.application.queries import MAX_CELLS
from services.metrics.seed.indicators import province_indicators

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


def level_counts(counts: dict[str, int]) -> Callable[[str], int | None]:
    return counts.get


async def test_a_query_over_the_cost_budget_is_refused_naming_the_estimate_and_the_budget() -> None:
    (error,) = await errors(NESTED, Limits(max_cost=1000), first=200)
    assert error["code"] == "COST_LIMIT"
    assert error["budget"] == 1000
    # units 1 + edges 200 + nodes 200 + stations 200 + clusters 200*20 + villages 200*20
    assert error["cost"] == 1 + 200 + 200 + 200 + 4000 + 4000
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
    assert error["cost"] == 1 + 200 + 200 + 200 + 4000 + 4000


async def test_too_deep_and_too_many_aliases_are_refused_by_strawberrys_limiters() -> None:
    deep = '{ unit(code: "1") { parent { parent { parent { parent { parent { code } } } } } } }'
    (depth,) = await errors(deep, Limits(max_depth=4))
    assert "exceeds maximum operation depth" in depth["message"]
    aliased = "{ " + " ".join(f"a{n}: platform {{ version }}" for n in range(5)) + " }"
    (aliases,) = await errors(aliased, Limits(max_aliases=3))
    assert "aliases" in aliases["message"]


UNITS_AND_CHILDREN = "units(first: {first}) {{ edges {{ node {{ children {{ edges {{ node {{ code }} }} }} }} }} }}"
# units at page size p: 1 connection + p edges + p nodes + p children connections + 50 p edges + 50 p nodes
TWO_LEVELS = 1 + 50 + 50 + 50 + 2500 + 2500


async def test_first_null_costs_the_default_page_the_resolver_returns() -> None:
    """Failed before the fix: ``first: null`` was costed as one object (cost 104) while the
    resolver still returned a page of 50 units, each with 50 children."""
    (error,) = await errors("{ " + UNITS_AND_CHILDREN.format(first="null") + " }", Limits(max_cost=1000))
    assert error["code"] == "COST_LIMIT"
    assert error["cost"] == TWO_LEVELS


async def test_a_variable_left_out_costs_its_default_in_the_operation() -> None:
    """Failed before the fix: ``query($n: Int = 200)`` without ``n`` was costed as 3 objects
    while the resolver returned 200 units."""
    (error,) = await errors(
        "query($n: Int = 200) { units(first: $n) { edges { node { code } } } }", Limits(max_cost=300)
    )
    assert error["code"] == "COST_LIMIT"
    assert error["cost"] == 1 + 200 + 200


@pytest.mark.parametrize("variables", [{}, {"n": None}], ids=["left-out", "null"])
async def test_a_variable_without_a_value_costs_the_fields_default(variables: dict[str, Any]) -> None:
    """Failed before the fix: a variable with no value (or null) and no default was costed as a
    single object; the resolver used the field's default page of 50."""
    (error,) = await errors(
        "query($n: Int) { units(first: $n) { edges { node { code } } } }", Limits(max_cost=100), **variables
    )
    assert error["code"] == "COST_LIMIT"
    assert error["cost"] == 1 + 50 + 50


async def test_an_integral_float_variable_costs_the_page_it_is_coerced_to() -> None:
    """Failed before the fix: GraphQL coerces ``200.0`` to the Int 200, the estimator ignored
    anything not a Python int and costed the page as one object."""
    (error,) = await errors(
        "query($n: Int) { units(first: $n) { edges { node { code } } } }", Limits(max_cost=300), n=200.0
    )
    assert error["cost"] == 1 + 200 + 200


async def test_every_alias_counts_in_full() -> None:
    """Failed before the fix: each of 30 aliases of ``units(first: null)`` cost one object, so
    the aliases multiplied the bypass instead of the cost."""
    aliased = " ".join(f"a{n}: " + UNITS_AND_CHILDREN.format(first="null") for n in range(30))
    (error,) = await errors("{ " + aliased + " }", Limits(max_cost=TWO_LEVELS * 30 - 1))
    assert error["code"] == "COST_LIMIT"
    assert error["cost"] == TWO_LEVELS * 30


async def test_a_variables_default_outside_1_to_200_is_a_validation_error() -> None:
    """Failed before the fix: a default of 500 in the operation was not checked up front."""
    (error,) = await errors("query($n: Int = 500) { units(first: $n) { totalCount } }")
    assert error["code"] == "VALIDATION"
    assert "between 1 and 200" in error["message"]


async def test_a_list_of_objects_costs_each_object_even_with_only_leaves_selected() -> None:
    """Failed before the fix: ``{ indicators { code } }`` cost 1 while it returns the whole
    catalogue (64 indicators): a list was charged once, and only what was under it multiplied."""
    (error,) = await errors("{ indicators { code } }", Limits(max_cost=99))
    assert error["cost"] == ASSUMED_LIST_SIZES["indicators"]


def test_the_assumed_catalogue_size_covers_the_seeded_catalogue() -> None:
    assert len(province_indicators()) <= ASSUMED_LIST_SIZES["indicators"]


async def test_indicator_values_of_a_level_cost_a_value_per_code_and_unit() -> None:
    """Failed before the fix: ``indicatorValues(codes: [one], level: COMMUNE)`` cost 1 (the
    length of codes), while it returns a value per code for every commune."""
    query = '{ indicatorValues(codes: ["a", "b"], period: "2023", level: COMMUNE) { unit { code } } }'
    schema = build_schema(Limits(max_cost=10), units_at_level=level_counts({"commune": 7}))
    (error,) = (await schema.execute(query)).errors or []
    assert (error.extensions or {})["cost"] == 2 * 7 * 2  # a value and its unit, per code and commune


VILLAGES_OF_THE_SEED = 1_292
"""The demo seed's villages: a level-wide list returns a value for each of them."""

WHOLE_LEVEL = """
query($codes: [String!]!) {
  indicatorValues(codes: $codes, period: "2023", level: VILLAGE) { unit { parent { parent { code } } } }
}
"""


async def test_a_whole_level_costs_at_least_the_objects_it_returns_for_every_unit_of_the_level() -> None:
    """Failed before the fix: 15 codes at village level cost 12,000 (200 units assumed per code),
    under the 20,000 budget, while the demo seed answers 19,380 values and 77,520 objects."""
    codes = [f"i{n}" for n in range(15)]
    schema = build_schema(Limits(), units_at_level=level_counts({"village": VILLAGES_OF_THE_SEED}))
    result = await schema.execute(WHOLE_LEVEL, variable_values={"codes": codes})
    (error,) = result.errors or []
    assert (error.extensions or {})["code"] == "COST_LIMIT"
    values = len(codes) * VILLAGES_OF_THE_SEED
    # each value, its unit, the unit's parent and the parent's parent
    assert (error.extensions or {})["cost"] >= 4 * values


async def test_a_ranking_of_a_level_costs_a_row_per_unit_of_the_level() -> None:
    """Failed before the fix: a ranking cost 200 rows whatever the level held."""
    query = '{ ranking(indexCode: "dti", period: "2023", level: VILLAGE) { unit { code } } }'
    schema = build_schema(Limits(max_cost=10), units_at_level=level_counts({"village": 5_000}))
    result = await schema.execute(query)
    (error,) = result.errors or []
    assert (error.extensions or {})["cost"] == 2 * 5_000


async def test_a_level_the_gateway_does_not_know_yet_costs_the_most_the_metrics_service_answers() -> None:
    """Failed before the fix: with the unit directory still loading, a level was assumed to hold
    200 units; it is now sized at the metrics service's own ceiling of values per request."""
    query = '{ indicatorValues(codes: ["a"], period: "2023", level: VILLAGE) { value } }'
    schema = build_schema(Limits(), units_at_level=level_counts({}))
    result = await schema.execute(query)
    (error,) = result.errors or []
    assert (error.extensions or {})["cost"] == MAX_CELLS

"""A document with an empty selection set is a parse error with its code, never an internal one."""

from __future__ import annotations

import pytest

from services.gateway.graphql.limits import Limits
from services.gateway.graphql.schema import build_schema


@pytest.mark.parametrize(
    "document",
    [
        "{ platform { } }",
        "{ }",
        "query { ...F } fragment F on Query { }",
        "{ platform { ... on Platform { } } }",
    ],
)
async def test_an_empty_selection_set_is_refused_as_a_parse_error(document: str) -> None:
    """Failed before the fix: graphql-core parses `{ }`, and strawberry's depth limiter then
    raised `max() arg is an empty sequence`, which the gateway answered as INTERNAL (found by
    tests/integration/gateway/test_fuzz_graphql.py)."""
    result = await build_schema(Limits()).execute(document)
    assert result.errors, result
    codes = {(error.extensions or {}).get("code") for error in result.errors}
    assert codes == {"GRAPHQL_PARSE_FAILED"}, result.errors
    assert "empty" in result.errors[0].message

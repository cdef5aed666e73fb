"""The one mapping from errors to GraphQL errors: codes kept, the unexpected masked."""

from __future__ import annotations

import logging

import pytest
from graphql import GraphQLError

from libs.common.errors import ForbiddenError
from services.gateway.adapters.internal import ServiceError, ServiceUnavailableError
from services.gateway.graphql.errors import map_error
from services.gateway.graphql.limits import Limits
from services.gateway.graphql.schema import build_schema


def raised(exc: Exception) -> GraphQLError:
    return GraphQLError(str(exc), path=["registerUnit"], original_error=exc)


def test_a_services_refusal_keeps_its_code_upper_cased_with_its_details() -> None:
    error = map_error(raised(ServiceError("registry", 404, "unknown_parent", "no parent 99", {"code": "99"})))
    assert error.message == "no parent 99"
    assert error.extensions == {"code": "UNKNOWN_PARENT", "details": {"code": "99"}, "service": "registry"}
    assert error.path == ["registerUnit"]


def test_generic_input_errors_read_validation() -> None:
    error = map_error(raised(ServiceError("metrics", 400, "invalid_request", "bad body", {})))
    assert error.extensions is not None
    assert error.extensions["code"] == "VALIDATION"
    assert map_error(raised(ForbiddenError("no"))).extensions == {"code": "FORBIDDEN"}


def test_an_unexpected_error_is_masked_and_logged_under_the_id_the_caller_sees(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR):
        error = map_error(raised(KeyError("secret_column")))
    assert error.extensions is not None
    assert error.extensions["code"] == "INTERNAL"
    assert "secret_column" not in error.message
    assert error.extensions["errorId"] in caplog.text
    assert "secret_column" in caplog.text


def test_a_service_that_is_down_is_named_only_as_unavailable() -> None:
    error = map_error(raised(ServiceUnavailableError("registry GET /units: ConnectError: 10.0.0.3 refused")))
    assert error.extensions is not None
    assert error.extensions["code"] == "SERVICE_UNAVAILABLE"
    assert "10.0.0.3" not in error.message


def test_graphqls_own_errors_get_a_code() -> None:
    assert map_error(GraphQLError("Cannot query field 'x'")).extensions == {"code": "GRAPHQL_VALIDATION_FAILED"}
    coded = GraphQLError("too costly", extensions={"code": "COST_LIMIT", "cost": 9})
    assert map_error(coded).extensions == {"code": "COST_LIMIT", "cost": 9}


async def test_a_document_that_does_not_parse_has_a_code_even_when_the_parse_is_cached() -> None:
    schema = build_schema(Limits())
    for _ in range(2):  # the second time the parser cache answers
        result = await schema.execute("qu!ry { units { totalCount } }")
        assert result.errors is not None
        assert result.errors[0].extensions == {"code": "GRAPHQL_PARSE_FAILED"}

"""The one mapping from errors to GraphQL errors, with a stable ``extensions.code``.

- A service's refusal keeps the service's code, upper-cased (``UNKNOWN_PARENT``,
  ``DUPLICATE_CODE``, ``FORBIDDEN``…); its generic input errors read ``VALIDATION``.
- The gateway's own domain errors (scope, page size, replay) likewise.
- GraphQL's own errors (syntax, validation, limits) keep their message and get a code.
- Anything else is masked: the caller sees ``INTERNAL`` with an error id and the trace id, the
  log has the exception under the same ids.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from opentelemetry import trace
from strawberry.extensions import SchemaExtension

from libs.common.errors import DomainError
from services.gateway.adapters.internal import ServiceError, ServiceUnavailableError

log = logging.getLogger(__name__)

_GENERIC_INPUT_CODES = {"invalid_request", "invalid_input", "invalid_query", "validation", "invalid_value"}


def error_code(exc: DomainError) -> str:
    if exc.code in _GENERIC_INPUT_CODES:
        return "VALIDATION"
    return exc.code.upper()


def _trace_id() -> str | None:
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


def map_error(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        source = original if isinstance(original, GraphQLError) else error
        extensions = dict(source.extensions or {})
        extensions.update(error.extensions or {})
        if "code" not in extensions:
            extensions["code"] = (
                "GRAPHQL_PARSE_FAILED" if isinstance(error, GraphQLSyntaxError) else "GRAPHQL_VALIDATION_FAILED"
            )
        return _copy(error, error.message, extensions)
    if isinstance(original, DomainError):
        mapped: dict[str, Any] = {"code": error_code(original)}
        if original.details:
            mapped["details"] = original.details
        if isinstance(original, ServiceError):
            mapped["service"] = original.service
        return _copy(error, original.message, mapped)
    error_id = uuid.uuid4().hex
    trace_id = _trace_id()
    if isinstance(original, ServiceUnavailableError):
        log.warning("service unavailable (error %s, trace %s): %s", error_id, trace_id, original)
        message, code = "an internal service is unavailable; try again shortly", "SERVICE_UNAVAILABLE"
    else:
        log.error("unexpected error %s (trace %s) at %s", error_id, trace_id, error.path, exc_info=original)
        message, code = "internal error; quote the errorId when reporting it", "INTERNAL"
    return _copy(error, message, {"code": code, "errorId": error_id, "traceId": trace_id})


def _copy(error: GraphQLError, message: str, extensions: dict[str, Any]) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


class ErrorMapping(SchemaExtension):
    """Rewrites every error of a result through ``map_error`` (a class: one per operation)."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            result.errors = [map_error(e) for e in errors]

"""The one mapping from errors to HTTP responses, registered on every service's app.

Bodies are ``{"code", "message", "details"}``; an unexpected error is masked (no stack trace
leaves the process) and logged with an id the caller can quote.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import asyncpg
import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandlersMap

from libs.common.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    RateLimitedError,
    UnauthorizedError,
)

log = logging.getLogger(__name__)

STATUS_BY_ERROR: dict[type[DomainError], int] = {
    InvalidInputError: 400,
    UnauthorizedError: 401,
    ForbiddenError: 403,
    NotFoundError: 404,
    ConflictError: 409,
    RateLimitedError: 429,
}


class ErrorBody(msgspec.Struct, frozen=True):
    code: str
    message: str
    details: dict[str, Any] = {}


def status_for(exc: DomainError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 422


def domain_error_handler(_: Request[Any, Any, Any], exc: DomainError) -> Response[ErrorBody]:
    headers = {"retry-after": str(exc.retry_after)} if isinstance(exc, RateLimitedError) else None
    return Response(ErrorBody(exc.code, exc.message, exc.details), status_code=status_for(exc), headers=headers)


def http_error_handler(_: Request[Any, Any, Any], exc: HTTPException) -> Response[ErrorBody]:
    code = "invalid_request" if isinstance(exc, ValidationException) else _code_for_status(exc.status_code)
    details: dict[str, Any] = {"errors": exc.extra} if exc.extra else {}
    headers = dict(exc.headers) if exc.headers else None
    return Response(ErrorBody(code, exc.detail, details), status_code=exc.status_code, headers=headers)


def undecodable_body_handler(_: Request[Any, Any, Any], exc: UnicodeDecodeError) -> Response[ErrorBody]:
    # Litestar decodes JSON bodies as UTF-8 and lets this escape; it is the client's mistake.
    return Response(
        ErrorBody("invalid_request", "the request body is not valid UTF-8", {"position": exc.start}),
        status_code=400,
    )


# What PostgreSQL (or asyncpg, encoding an argument) refuses that only a client can send, told in
# our words: PostgreSQL's own name columns, types, constraints and other rows' values.
_REFUSED_VALUES: tuple[tuple[type[Exception], str], ...] = (
    (asyncpg.CharacterNotInRepertoireError, "a text value holds a character that cannot be stored (a NUL)"),
    (asyncpg.UntranslatableCharacterError, "a text value holds a character that cannot be stored (a NUL)"),
    (asyncpg.NumericValueOutOfRangeError, "a number is outside the range its field accepts"),
    (asyncpg.DatetimeFieldOverflowError, "a date or time is outside the range its field accepts"),
)
_ARGUMENT_REFUSED = "a value is outside the range or form its field accepts"


def database_refused_value_handler(request: Request[Any, Any, Any], exc: asyncpg.DataError) -> Response[ErrorBody]:
    """Values PostgreSQL refuses to store, which only a client can send (a NUL in a name, a
    number past its column's range): the request's fault, so a 400 and not a masked 500. The
    message is ours; PostgreSQL's, which names columns, types and values, stays in the log."""
    # The bare class: asyncpg refusing to encode an argument (an integer past int32), before
    # PostgreSQL sees it; PostgreSQL's own data errors are its subclasses.
    found = _ARGUMENT_REFUSED if type(exc) is asyncpg.DataError else None
    found = next((message for kind, message in _REFUSED_VALUES if isinstance(exc, kind)), found)
    if found is None:
        return unexpected_error_handler(request, exc)
    log.info("value refused on %s %s: %s", request.method, request.url.path, exc)
    return Response(ErrorBody("invalid_value", found), status_code=400)


def constraint_violation_handler(
    request: Request[Any, Any, Any], exc: asyncpg.IntegrityConstraintViolationError
) -> Response[ErrorBody]:
    """A unique, check, foreign-key or exclusion constraint no command turned into a conflict of
    its own (those say what clashed, in the caller's terms). The request clashed with stored data,
    so a 409; the constraint's name and its DETAIL (columns, other rows' values) are logged under
    the id the caller can quote, never sent."""
    error_id = uuid.uuid4().hex
    log.warning(
        "constraint %s refused %s %s (error %s): %s",
        exc.constraint_name, request.method, request.url.path, error_id, exc,
    )  # fmt: skip
    return Response(
        ErrorBody(
            "conflict",
            "the request conflicts with data already stored; quote this id when reporting it",
            {"error_id": error_id},
        ),
        status_code=409,
    )


def read_model_missing_handler(
    request: Request[Any, Any, Any], exc: asyncpg.UndefinedTableError
) -> Response[ErrorBody]:
    """A projection creates its read model's tables when its runner starts, which can be a
    moment after the HTTP port opens (or while a rebuild swaps tables in): the service is
    starting, not broken, so the caller is told to retry rather than handed a masked 500."""
    log.warning("read model not ready on %s %s: %s", request.method, request.url.path, exc)
    return Response(
        ErrorBody("not_ready", "the service is starting and its read models are not ready yet; retry shortly"),
        status_code=503,
        headers={"retry-after": "1"},
    )


# A database that does not answer in time (a pool acquire or a statement past its timeout), or
# whose connection dropped or is refused: the service cannot serve now but may in a moment.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    TimeoutError,
    ConnectionError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.TooManyConnectionsError,
)


def database_unavailable_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
    """503 ``not_ready`` in seconds rather than a request hung on a stalled database (ADR 0023)."""
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return Response(
        ErrorBody("not_ready", "the service's database is not answering; retry shortly"),
        status_code=503,
        headers={"retry-after": "1"},
    )


def unexpected_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[ErrorBody]:
    error_id = uuid.uuid4().hex
    log.error("unexpected error %s on %s %s", error_id, request.method, request.url.path, exc_info=exc)
    return Response(
        ErrorBody("internal_error", "internal error; quote this id when reporting it", {"error_id": error_id}),
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
    )


def _code_for_status(status: int) -> str:
    return {
        400: "invalid_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "request_too_large",
        408: "request_timeout",
        415: "unsupported_media_type",
        429: "rate_limited",
        503: "not_ready",
        307: "elsewhere",
    }.get(status, "http_error")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: domain_error_handler,
    HTTPException: http_error_handler,
    UnicodeDecodeError: undecodable_body_handler,
    asyncpg.DataError: database_refused_value_handler,
    asyncpg.IntegrityConstraintViolationError: constraint_violation_handler,
    asyncpg.UndefinedTableError: read_model_missing_handler,
    **dict.fromkeys(DATABASE_UNAVAILABLE, database_unavailable_handler),
    Exception: unexpected_error_handler,
}

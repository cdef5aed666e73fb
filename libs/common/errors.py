"""Errors the domain and application layers raise; they know nothing of HTTP or GraphQL.

Each carries a stable machine-readable ``code``; entrypoints map the class to a status in one
place (``libs.common.http.errors``).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A command or query that cannot be carried out as asked."""

    code: str = "domain_error"

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details or {}


class InvalidInputError(DomainError):
    code = "invalid_input"


class NotFoundError(DomainError):
    code = "not_found"


class ConflictError(DomainError):
    """The state changed under the caller (or the thing exists already): retry or give up."""

    code = "conflict"


class UnauthorizedError(DomainError):
    code = "unauthorized"


class ForbiddenError(DomainError):
    code = "forbidden"


def outside_own_unit(message: str, own_unit_code: str, **details: Any) -> ForbiddenError:
    """A caller bound to a unit (a district centre) named something outside that unit's
    subtree. One code in every service, so a partner handles the refusal once."""
    return ForbiddenError(message, code="outside_own_unit", details={"own_unit_code": own_unit_code, **details})


class RateLimitedError(DomainError):
    """The caller sent more than its share; ``retry_after`` says in how many seconds to try again."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, details: dict[str, Any] | None = None) -> None:
        super().__init__(message, details={**(details or {}), "retry_after": retry_after})
        self.retry_after = retry_after

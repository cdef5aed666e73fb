"""Authorization as one typed dependency: every route of every service names what it needs.

A command route takes ``ctx: Ctx`` (the ``CommandContext``), provided by
:func:`command_context` for the scope the command needs: the dependency refuses a caller
without that scope (403 ``forbidden``) before the route runs, and gives the route the
caller, the envelope's metadata and the idempotency key. A service's command routes are rows
of a table (``libs.common.http.routes``), each row naming its scope, so ``ctx`` is the one
dependency its route resolves (ADR 0034). A query route declares ``reader: Reader`` (the
caller's ``Principal``) provided by :func:`reader` in the same way. What a command's ownership
rule asks beyond the scope ("is this unit inside the caller's unit", "does this organisation
operate this asset") is answered inside the command's transaction, from the context
(``libs.common.reach``).

    Row("POST", "/programmes/record", "recordProgramme", RecordProgrammeBody, "broadcast:write",
        lambda h: h.programmes.record)"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency, Provide

from libs.common.errors import InvalidInputError
from libs.common.eventstore.context import MAX_IDEMPOTENCY_KEY, CommandContext
from libs.common.http.auth import require_province_wide, require_scope
from libs.common.http.commands import IDEMPOTENCY_HEADER, command_metadata
from libs.common.principal import Principal

__all__ = ["CommandContext", "Ctx", "Reader", "command_context", "reader"]

Req = Request[Any, Any, Any]
Ctx = NamedDependency[CommandContext]
"""A command route's parameter, provided by :func:`command_context`."""
Reader = NamedDependency[Principal]
"""A query route's parameter, provided by :func:`reader`."""


def _context(request: Req, principal: Principal) -> CommandContext:
    key = request.headers.get(IDEMPOTENCY_HEADER) or None
    if key is not None and len(key) > MAX_IDEMPOTENCY_KEY:
        raise InvalidInputError(
            f"Idempotency-Key is longer than {MAX_IDEMPOTENCY_KEY} characters", code="invalid_header"
        )
    return CommandContext(
        principal=principal,
        metadata=command_metadata(request),
        idempotency_key=key,
        request_path=request.url.path,
    )


def command_context(scope: str, *, province_wide: bool = False) -> Provide:
    """The dependency of a command route that needs ``scope``; ``province_wide``: a command that
    changes the whole province, refused (403 ``province_wide_command``) to a caller bound to a
    unit whatever its scopes (ADR 0021)."""

    def provide(request: Req) -> CommandContext:
        check = require_province_wide if province_wide else require_scope
        return _context(request, check(request, scope))

    return Provide(provide, sync_to_thread=False)


def reader(*scopes: str) -> Provide:
    """The dependency of a query route: the caller, who needs one of ``scopes`` (403 otherwise)."""
    if not scopes:
        raise ValueError("a reader needs at least one scope")

    def provide(request: Req) -> Principal:
        return require_scope(request, *scopes)

    return Provide(provide, sync_to_thread=False)

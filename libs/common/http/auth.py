"""Every service request carries the gateway's signed principal; routes read it from here.

The middleware rejects a request without a valid token (401) before any route runs, so no
route can forget the check. A valid token is one signed for this service and for this very
request's method and path (ADR 0021); a websocket's handshake counts as a ``GET``. Health
probes, ``/metrics`` and the OpenAPI document stay open: orchestrators, Prometheus and
developers need them without a token, and they reveal no data (only the cluster reaches a
service; ``docs/operations.md``).

It is a plain ASGI middleware that reads its one header from the raw scope: Litestar's
``AbstractAuthenticationMiddleware`` builds a connection object and runs its bypass checks
for each request, about a tenth of a command's HTTP handling in Litestar (ADR 0014).
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import DefineMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from libs.common.access_log import note_request
from libs.common.errors import ForbiddenError, UnauthorizedError
from libs.common.principal import HEADER, Principal, PrincipalVerifier

OPEN_PATHS = ("^/health/", "^/docs", "^/metrics$")
_HEADER = HEADER.encode("latin-1")


class PrincipalMiddleware:
    def __init__(self, app: ASGIApp, verifier: PrincipalVerifier, open_paths: tuple[str, ...]) -> None:
        self.app = app
        self._verifier = verifier
        self._open = re.compile("|".join(open_paths)) if open_paths else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and not self._is_open(scope):
            # A websocket scope names no method: its handshake is a GET.
            method = scope["method"] if scope["type"] == ScopeType.HTTP else "GET"
            principal = self._verifier.verify(_header(scope, _HEADER), method=method, path=scope["path"])
            scope["user"] = principal
            note_request(partner=principal.partner)
        await self.app(scope, receive, send)

    def _is_open(self, scope: Scope) -> bool:
        # A CORS preflight carries no credentials by design.
        if scope.get("method") == "OPTIONS":
            return True
        return self._open is not None and self._open.match(scope["path"]) is not None


def _header(scope: Scope, name: bytes) -> str | None:
    """The first value of a header; ASGI servers give names in lower case."""
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def principal_middleware(verifier: PrincipalVerifier, open_paths: tuple[str, ...] = OPEN_PATHS) -> DefineMiddleware:
    return DefineMiddleware(PrincipalMiddleware, verifier=verifier, open_paths=open_paths)


def request_principal(request: Request[Any, Any, Any]) -> Principal:
    """The verified caller; only routes behind the middleware have one."""
    user = request.scope.get("user")
    if not isinstance(user, Principal):
        raise UnauthorizedError("this route needs the gateway's principal token", code="principal_missing")
    return user


def require_scope(request: Request[Any, Any, Any], *scopes: str) -> Principal:
    """The caller, who needs one of ``scopes`` (403 ``forbidden`` otherwise)."""
    principal = request_principal(request)
    if any(principal.allows(scope) for scope in scopes):
        return principal
    if len(scopes) == 1:
        raise ForbiddenError(f"this needs the scope {scopes[0]!r}", code="forbidden", details={"scope": scopes[0]})
    raise ForbiddenError(
        f"this needs one of the scopes {', '.join(repr(s) for s in scopes)}",
        code="forbidden",
        details={"scopes": list(scopes)},
    )


def require_province_wide(request: Request[Any, Any, Any], scope: str) -> Principal:
    """The caller of a command that changes the whole province (the indicator catalogue, alert
    thresholds, the signal configuration): ``scope`` and no unit. The gateway never sends these
    on a partner's behalf; a principal confined to a district's unit is refused them whatever
    its scopes, ``admin`` included (ADR 0021)."""
    principal = require_scope(request, scope)
    if principal.unit_code is not None:
        raise ForbiddenError(
            f"this command changes the whole province; {principal.subject} acts for unit {principal.unit_code} only",
            code="province_wide_command",
            details={"unit_code": principal.unit_code},
        )
    return principal


async def admin_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Litestar guard: operator routes need the ``admin`` scope. A coroutine: Litestar runs a
    plain-function guard in a worker thread on every request (ADR 0027)."""
    user = connection.scope.get("user")
    if not isinstance(user, Principal):
        raise UnauthorizedError("this route needs the gateway's principal token", code="principal_missing")
    if not user.is_admin:
        raise ForbiddenError("this needs the scope 'admin'", code="forbidden", details={"scope": "admin"})

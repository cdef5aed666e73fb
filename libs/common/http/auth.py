"""Every service request carries the gateway's signed principal; routes read it from here.

The middleware rejects a request without a valid token (401) before any route runs, so no
route can forget the check. Health probes and the OpenAPI document stay open: orchestrators
and developers need them without a token, and they reveal no data.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult, DefineMiddleware
from litestar.types import ASGIApp

from libs.common.errors import ForbiddenError, UnauthorizedError
from libs.common.principal import HEADER, Principal, PrincipalVerifier

OPEN_PATHS = ("^/health/", "^/docs")


class PrincipalMiddleware(AbstractAuthenticationMiddleware):
    def __init__(self, app: ASGIApp, verifier: PrincipalVerifier, exclude: list[str]) -> None:
        super().__init__(app, exclude=exclude)
        self._verifier = verifier

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        principal = self._verifier.verify(connection.headers.get(HEADER))
        return AuthenticationResult(user=principal, auth=None)


def principal_middleware(verifier: PrincipalVerifier, open_paths: tuple[str, ...] = OPEN_PATHS) -> DefineMiddleware:
    return DefineMiddleware(PrincipalMiddleware, verifier=verifier, exclude=list(open_paths))


def request_principal(request: Request[Any, Any, Any]) -> Principal:
    """The verified caller; only routes behind the middleware have one."""
    user = request.scope.get("user")
    if not isinstance(user, Principal):
        raise UnauthorizedError("this route needs the gateway's principal token", code="principal_missing")
    return user


def require_scope(request: Request[Any, Any, Any], scope: str) -> Principal:
    principal = request_principal(request)
    if not principal.allows(scope):
        raise ForbiddenError(f"this needs the scope {scope!r}", code="forbidden", details={"scope": scope})
    return principal


def admin_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Litestar guard: operator routes need the ``admin`` scope."""
    user = connection.scope.get("user")
    if not isinstance(user, Principal):
        raise UnauthorizedError("this route needs the gateway's principal token", code="principal_missing")
    if not user.is_admin:
        raise ForbiddenError("this needs the scope 'admin'", code="forbidden", details={"scope": "admin"})

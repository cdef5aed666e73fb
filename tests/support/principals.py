"""Callers for service tests: the gateway's signed principal, as the services require it.

A principal token is bound to one service and one request (method and path, ADR 0021), so
test clients sign each request as it is sent (:class:`PrincipalAuth`); a test that needs the
raw header names the request it is for (:func:`principal_headers`).
"""

from __future__ import annotations

import functools
from collections.abc import Generator
from pathlib import Path
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient

from libs.common.principal import HEADER, Principal, PrincipalSigner, load_private_key, private_key_path
from libs.common.settings import Settings

ADMIN = Principal(subject="test:admin", partner="TEST", scopes=frozenset({"admin"}))
READER = Principal(subject="test:reader", partner="READER", scopes=frozenset({"read"}))


@functools.cache
def _signer(key_file: Path, ttl: int) -> PrincipalSigner:
    return PrincipalSigner(load_private_key(key_file), ttl_seconds=ttl)


def principal_headers(
    settings: Settings, principal: Principal = ADMIN, *, service: str, method: str, path: str
) -> dict[str, str]:
    """The header the gateway would send to ``service`` for ``method path`` as ``principal``."""
    signer = _signer(private_key_path(settings), settings.principal_token_ttl_seconds)
    return signer.headers(principal, service=service, method=method, path=path)


class PrincipalAuth(httpx.Auth):
    """Signs each request as the gateway does: for its service, method and path, when it is
    sent (so a client also outlives one token's lifetime). A request that sets the header
    itself (an empty one, to call anonymously; one made for another request) keeps it."""

    def __init__(self, settings: Settings, principal: Principal, service: str) -> None:
        self.settings = settings
        self.principal = principal
        self.service = service

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if HEADER not in request.headers:
            request.headers.update(
                principal_headers(
                    self.settings, self.principal, service=self.service, method=request.method, path=request.url.path
                )
            )
        yield request


def service_name(app: Litestar) -> str:
    """The service an app built by ``build_service_app`` is: the audience of its tokens."""
    name: str = app.state.service
    return name


def service_client(app: Litestar, settings: Settings, principal: Principal | None = ADMIN) -> AsyncTestClient[Any]:
    """A test client for an internal service that calls as ``principal`` (None: no token)."""
    client: AsyncTestClient[Any] = AsyncTestClient(app=app)
    if principal is not None:
        client.auth = PrincipalAuth(settings, principal, service_name(app))
    return client

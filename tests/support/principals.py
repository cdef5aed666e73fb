"""Callers for service tests: the gateway's signed principal, as the services require it."""

from __future__ import annotations

import functools
from collections.abc import Generator
from pathlib import Path
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient

from libs.common.principal import Principal, PrincipalSigner, load_private_key, private_key_path
from libs.common.settings import Settings

ADMIN = Principal(subject="test:admin", partner="TEST", scopes=frozenset({"admin"}))
READER = Principal(subject="test:reader", partner="READER", scopes=frozenset({"read"}))


@functools.cache
def _signer(key_file: Path, ttl: int) -> PrincipalSigner:
    return PrincipalSigner(load_private_key(key_file), ttl_seconds=ttl)


def principal_headers(settings: Settings, principal: Principal = ADMIN) -> dict[str, str]:
    return _signer(private_key_path(settings), settings.principal_token_ttl_seconds).headers(principal)


class PrincipalAuth(httpx.Auth):
    """Signs each request as the gateway does, so a client outlives one token's lifetime (a
    long test would otherwise be refused half-way with an expired signature). A request that
    sets the header itself (an empty one, to call anonymously) keeps it."""

    def __init__(self, settings: Settings, principal: Principal) -> None:
        self.settings = settings
        self.principal = principal

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        for name, value in principal_headers(self.settings, self.principal).items():
            if name not in request.headers:
                request.headers[name] = value
        yield request


def service_client(app: Litestar, settings: Settings, principal: Principal | None = ADMIN) -> AsyncTestClient[Any]:
    """A test client for an internal service that calls as ``principal`` (None: no token)."""
    client: AsyncTestClient[Any] = AsyncTestClient(app=app)
    if principal is not None:
        client.auth = PrincipalAuth(settings, principal)
    return client

"""Callers for service tests: the gateway's signed principal, as the services require it."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

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


def service_client(app: Litestar, settings: Settings, principal: Principal | None = ADMIN) -> AsyncTestClient[Any]:
    """A test client for an internal service that calls as ``principal`` (None: no token)."""
    client: AsyncTestClient[Any] = AsyncTestClient(app=app)
    if principal is not None:
        client.headers.update(principal_headers(settings, principal))
    return client

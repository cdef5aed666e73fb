"""Fixtures for the gateway security tests: the partner store, a registry called as any principal."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from litestar.testing import AsyncTestClient

from libs.common.db import create_pool
from libs.common.migrations import apply_migrations
from libs.common.principal import Principal
from libs.common.settings import Settings
from services.cli.catalogue import all_migrations, migrations_for
from services.gateway.security.partner_store import PartnerStore
from services.gateway.security.partners import Partner
from services.registry.app import create_app as registry_app
from tests.support.principals import ADMIN, PrincipalAuth


@pytest.fixture
async def gateway_pool(fresh_database: str) -> AsyncIterator[asyncpg.Pool]:
    conn = await asyncpg.connect(fresh_database)
    await apply_migrations(conn, migrations_for("gateway"))
    await conn.close()
    pool = await create_pool(fresh_database, service="gateway", max_size=8)
    yield pool
    await pool.close()


@pytest.fixture
def partner_store(gateway_pool: asyncpg.Pool) -> PartnerStore:
    return PartnerStore(gateway_pool)


def partner(name: str, *scopes: str, organisation: str | None = None, unit_code: str | None = None) -> Partner:
    return Partner(name=name, scopes=frozenset(scopes), organisation=organisation, unit_code=unit_code)


class RegistryCaller:
    """One running registry app, called as any principal (the gateway's signed token)."""

    def __init__(self, client: AsyncTestClient[Any], settings: Settings) -> None:
        self.client = client
        self.settings = settings

    async def post(self, path: str, body: dict[str, Any], as_: Principal | None = ADMIN) -> httpx.Response:
        # The client itself signs nothing: without ``as_`` the call carries no token.
        auth = PrincipalAuth(self.settings, as_, "registry") if as_ is not None else httpx.USE_CLIENT_DEFAULT
        return await self.client.post(f"/commands/{path}", json=body, auth=auth)

    async def ok(self, path: str, body: dict[str, Any], as_: Principal = ADMIN) -> dict[str, Any]:
        response = await self.post(path, body, as_)
        assert response.status_code == 201, f"{path}: {response.status_code} {response.text}"
        result: dict[str, Any] = response.json()
        return result


@pytest.fixture
async def registry_caller(settings: Settings) -> AsyncIterator[RegistryCaller]:
    conn = await asyncpg.connect(settings.database_url)
    await apply_migrations(conn, all_migrations())
    await conn.close()
    async with AsyncTestClient(app=registry_app(settings)) as client:
        yield RegistryCaller(client, settings)


VNPT = Principal(
    subject="partner:vnpt", partner="vnpt", scopes=frozenset({"read", "registry:write"}), organisation="VNPT"
)
VIETTEL = Principal(
    subject="partner:viettel", partner="viettel", scopes=frozenset({"read", "registry:write"}), organisation="VIETTEL"
)
BA_BE_CENTRE = Principal(
    subject="partner:ba-be",
    partner="ba-be",
    scopes=frozenset({"read", "registry:write", "broadcast:write", "metrics:write"}),
    unit_code="061",
)
READ_ONLY = Principal(subject="partner:reader", partner="reader", scopes=frozenset({"read"}))


async def small_province(registry: RegistryCaller) -> dict[str, str]:
    """Bắc Kạn with two districts (Ba Bể 061, Pác Nặm 062), a commune and a village in each,
    and two telecom operators; unit ids by code."""
    units = [
        {"code": "06", "name": "Tỉnh Bắc Kạn", "level": "province"},
        {"code": "061", "name": "Huyện Ba Bể", "level": "district", "parent_code": "06"},
        {"code": "062", "name": "Huyện Pác Nặm", "level": "district", "parent_code": "06"},
        {"code": "01864", "name": "Xã Bành Trạch", "level": "commune", "parent_code": "061"},
        {"code": "01900", "name": "Xã Bộc Bố", "level": "commune", "parent_code": "062"},
        {"code": "01864-T01", "name": "Thôn Nà Hàn", "level": "village", "parent_code": "01864"},
        {"code": "01900-T01", "name": "Thôn Nà Coóc", "level": "village", "parent_code": "01900"},
    ]
    ids = {}
    for unit in units:
        ids[unit["code"]] = (await registry.ok("units/register", {**unit, "valid_from": "2020-01-01"}))["ids"][0]
    for code, name in [("VIETTEL", "Viettel Bắc Kạn"), ("VNPT", "VNPT Bắc Kạn")]:
        await registry.ok("organisations/register", {"code": code, "name": name, "kind": "telecom"})
    return ids

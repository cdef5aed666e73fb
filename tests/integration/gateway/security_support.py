"""Fixtures for the gateway security tests: a migrated database and the partner store on it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from libs.common.db import create_pool
from libs.common.migrations import apply_migrations
from services.cli.catalogue import migrations_for
from services.gateway.security.partner_store import PartnerStore
from services.gateway.security.partners import Partner


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
